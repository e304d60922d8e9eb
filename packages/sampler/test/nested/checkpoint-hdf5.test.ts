// A nested run's HDF5 checkpoint opens in Python's h5py: every point in the unit cube and through
// the prior (named), its ln L and shell, the shells' table, and the run's counters. Skipped where
// no Python with h5py is found, except under PARAFIT_REQUIRE_EMCEE=1 (CI), where that fails.

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { objectiveModule } from '@parafit/core'
import { afterAll, expect, test } from 'vitest'
import { NestedSampler, Prior, uniform } from '../../src/index.ts'
import { findPython } from '../python.ts'

const { python, missing } = findPython(['h5py', 'numpy'])
const folder = mkdtempSync(join(tmpdir(), 'parafit-nested-h5-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const reader = `
import json, sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    points, samples = f["points"][()], f["samples"][()]
    print(json.dumps({
        "format": f.attrs["format"] if isinstance(f.attrs["format"], str) else f.attrs["format"].decode(),
        "n_like": int(f.attrs["n_like"]),
        "seed": int(f.attrs["seed"]),
        "next_batch": int(f.attrs["next_batch"]),
        "shape": list(points.shape),
        "names": [n if isinstance(n, str) else n.decode() for n in f["samples"].attrs["names"]],
        "x0_is_twice_u0": bool(np.allclose(samples[:, 0], 2 * points[:, 0], rtol=0, atol=1e-12)),
        "max_log_l": float(f["log_l"][()].max()),
        "shells": int(f["shells/log_l_min"].shape[0]),
        "log_v": [float(v) for v in f["shells/log_v"][()]],
        "points_per_shell": [int(n) for n in f["shells/n_points"][()]],
        "shell_counts": [int(c) for c in np.bincount(f["shell"][()])],
    }))
`

test.skipIf(missing !== undefined && process.env.PARAFIT_REQUIRE_EMCEE !== '1')(
  "h5py reads a nested run's HDF5 checkpoint: the points, named and through the prior, ln L and the shells",
  async () => {
    if (missing !== undefined) expect.fail(`PARAFIT_REQUIRE_EMCEE=1 but ${missing}`)
    const path = join(folder, 'run.h5')
    const sampler = new NestedSampler({
      prior: new Prior({ x0: uniform(0, 2), x1: uniform(0, 1), x2: uniform(0, 1) }),
      logLikelihood: objectiveModule(new URL('../fixtures/gaussian.likelihood.ts', import.meta.url), {
        init: {},
      }),
      numWorkers: 1,
      nLive: 200,
      nNetworks: 0,
      seed: 2,
      checkpoint: { path },
    })
    const summary = await sampler.run({ nEff: 500 })
    const { stdout } = await promisify(execFile)(python!, ['-c', reader, path])
    const read = JSON.parse(stdout) as Record<string, unknown>
    expect(read.format).toBe('parafit-nested-checkpoint')
    expect(read.n_like).toBe(summary.nLike)
    expect(read.seed).toBe(2)
    expect(read.next_batch as number).toBeGreaterThan(0)
    expect(read.names).toEqual(['x0', 'x1', 'x2'])
    expect(read.x0_is_twice_u0).toBe(true)
    expect((read.shape as number[])[1]).toBe(3)
    expect(read.max_log_l).toBe(Math.max(...sampler.posterior().logLikelihoods))
    expect(read.points_per_shell).toEqual(read.shell_counts)
    expect((read.shells as number) >= 2).toBe(true)
    // The first shell's bound is the unit cube (ln volume 0); each later one is smaller.
    const logV = read.log_v as number[]
    expect(logV).toHaveLength(read.shells as number)
    expect(logV[0]).toBe(0)
    for (let i = 1; i < logV.length; i++) expect(logV[i]!).toBeLessThan(logV[i - 1]!)
    await sampler.close()
  },
  60_000,
)
