// Python reads parafit's chain file: emcee's HDFBackend gets the very chain and log-probabilities
// parafit holds (every bit), the acceptance, the iteration (an integer), the autocorrelation time;
// h5py sees emcee's types and parafit's group; and emcee itself continues the file
// (EnsembleSampler(..., backend=HDFBackend(path)).run_mcmc(None, 5)), which needs axis 0 chunked
// and unlimited, an int64 iteration and no random_state_* attributes. The script is
// read-chain-file.py.
//
// Where no Python 3 with emcee, h5py and numpy is found these tests are skipped with the reason,
// except under PARAFIT_REQUIRE_EMCEE=1 (CI), where that is a failure.

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ChainFileError, EnsembleSampler } from '../../src/index.ts'
import { findPython } from '../python.ts'
import { initialWalkers, nDim, nWalkers, samplerOptions } from './problem.ts'

const script = fileURLToPath(new URL('./read-chain-file.py', import.meta.url))

const { python, missing } = findPython(['emcee', 'h5py', 'numpy'])

if (missing !== undefined && process.env.PARAFIT_REQUIRE_EMCEE === '1') {
  test('emcee and h5py are available', () => {
    expect.fail(`PARAFIT_REQUIRE_EMCEE=1 but ${missing}`)
  })
}

interface Dataset {
  readonly dtype: string
  readonly shape: number[]
  readonly maxshape: (number | null)[]
  readonly chunks: number[] | null
}

interface PythonView {
  readonly shape: number[]
  readonly chain: number[]
  readonly logProb: number[]
  readonly accepted: number[]
  readonly iteration: number
  readonly iterationType: string
  readonly tau: number[]
  readonly thinnedShape: number[]
  readonly blobsIsNone: boolean
  readonly lastSample: number[]
  readonly h5py: {
    readonly attrs: Record<string, { type: string; dtype: string }>
    readonly version: string
    readonly chain: Dataset
    readonly logProb: Dataset
    readonly accepted: Dataset
    readonly randomStateAttrs: string[]
    readonly parafit: {
      readonly seed: number
      readonly moves: string
      readonly parameterNames: string[]
      readonly iteration: number
      readonly randomState: number[][]
      readonly blobNames: string[]
      readonly blobs: number[]
      readonly blobKind: number[]
    }
  }
  readonly continued: {
    readonly iteration: number
    readonly firstStepsUnchanged: boolean
    readonly acceptedGrew: boolean
    readonly randomStateAttrs: string[]
  }
}

const nSteps = 200

describe.skipIf(missing !== undefined)(
  `Python reads and continues the chain file${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'parafit-emcee-reads-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'chain.h5')
    const copy = join(dir, 'continued.h5')
    const options = samplerOptions(path, { chainFile: { path, parameterNames: ['a', 'b', 'c'] } })
    let sampler: EnsembleSampler
    let view: PythonView

    beforeAll(async () => {
      sampler = new EnsembleSampler(options)
      await sampler.run(initialWalkers(3), nSteps)
      const { stdout } = await promisify(execFile)(python!, [script, path, copy], {
        maxBuffer: 64 << 20,
        timeout: 120_000,
      })
      view = JSON.parse(stdout) as PythonView
    }, 180_000)

    test("emcee's HDFBackend reads parafit's chain and log-probabilities exactly", () => {
      expect(view.shape).toEqual([nSteps, nWalkers, nDim])
      const chain = sampler.getChain().flatMap((step) => step.flatMap((p) => [...p]))
      const logProb = sampler.getLogProb().flatMap((row) => [...row])
      // Exact equality: JSON carries every float64 bit both ways (shortest round-trip digits).
      expect(view.chain).toEqual(chain)
      expect(view.logProb).toEqual(logProb)
      expect(view.lastSample).toEqual([...sampler.lastState!.coords.flatMap((p) => [...p])])
    })

    test('acceptance, iteration (an integer), thinning and the autocorrelation time agree', () => {
      expect(view.iteration).toBe(nSteps)
      expect(view.iterationType).toBe('int64')
      expect(view.accepted.map((a) => a / nSteps)).toEqual([...sampler.acceptanceFraction])
      // emcee slices [discard + thin - 1 : iteration : thin], as getChain does.
      expect(view.thinnedShape).toEqual([sampler.getChain({ discard: 2, thin: 3, flat: true }).length, nDim])
      const tau = sampler.autocorrTime({ quiet: true })
      view.tau.forEach((t, d) => {
        expect(
          Math.abs(t / tau[d]! - 1),
          `emcee ${view.tau.join(', ')}; parafit ${[...tau].join(', ')}`,
        ).toBeLessThan(1e-9)
      })
      expect(view.blobsIsNone).toBe(true)
    })

    test("h5py: emcee's types, no random_state_* attributes, and parafit's group", () => {
      const { h5py } = view
      expect(h5py.attrs.iteration).toEqual({ type: 'int64', dtype: 'int64' })
      expect(h5py.attrs.nwalkers).toEqual({ type: 'int64', dtype: 'int64' })
      expect(h5py.attrs.ndim).toEqual({ type: 'int64', dtype: 'int64' })
      expect(h5py.attrs.has_blobs).toEqual({ type: 'int8', dtype: 'int8' })
      expect(h5py.attrs.version!.type).toBe('str')
      expect(h5py.randomStateAttrs).toEqual([])
      expect(h5py.chain.dtype).toBe('float64')
      expect(h5py.chain.maxshape).toEqual([null, nWalkers, nDim])
      expect(h5py.chain.chunks?.slice(1)).toEqual([nWalkers, nDim])
      expect(h5py.chain.shape[0]).toBeGreaterThanOrEqual(nSteps)
      expect(h5py.logProb.maxshape).toEqual([null, nWalkers])
      expect(h5py.accepted).toMatchObject({ dtype: 'float64', shape: [nWalkers] })
      const { parafit } = h5py
      expect(parafit).toMatchObject({
        seed: 11,
        moves: 'stretch(a=2)',
        parameterNames: ['a', 'b', 'c'],
        iteration: nSteps,
        blobNames: ['r2', 'sum'],
      })
      expect(parafit.randomState).toHaveLength(nSteps)
      expect(parafit.randomState.flat().every(Number.isInteger)).toBe(true)
      const blobs = sampler
        .getBlobs()
        .flatMap((row) => row.flatMap((b) => [b!.quantities!.r2, b!.quantities!.sum]))
      expect(parafit.blobs).toEqual(blobs)
      expect(parafit.blobKind.every((k) => k === 1)).toBe(true)
    })

    test('emcee continues the file (run_mcmc(None, 5)); parafit then refuses to resume it', async () => {
      const { continued } = view
      expect(continued).toMatchObject({
        iteration: nSteps + 5,
        firstStepsUnchanged: true,
        acceptedGrew: true,
      })
      // emcee wrote numpy's random state there, which is why parafit never does.
      expect(continued.randomStateAttrs.length).toBeGreaterThan(0)
      const error = await EnsembleSampler.resume({ ...options, chainFile: { path: copy } }).catch(
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(ChainFileError)
      expect((error as ChainFileError).reason).toBe('not-resumable')
      expect((error as ChainFileError).message).toMatch(
        new RegExp(`holds ${nSteps + 5} steps, but parafit wrote only ${nSteps} of them: another program`),
      )
    })
  },
)
