// The sampler against emcee 3 itself (emcee-reference.py, run with python3): on the same targets,
// from the very same initial walkers, with several seeds each side,
//   - the autocorrelation time per parameter (mean over seeds) agrees within a ratio band, and
//     the mean acceptance fraction within a few hundredths: two implementations of one
//     algorithm give the same distribution of both, so these differ only by Monte Carlo noise;
//   - integratedTime gives emcee.autocorr.integrated_time's numbers on the same chains (one of
//     ours, read by numpy) to ~1e-12: the estimator is emcee's, window and all.
//
// The bands come from the seed-to-seed spread measured with 16 seeds per side (same lengths):
// the standard deviation of ln τ for one seed is 0.06-0.09 on every target, for either side, so
// the ln of a ratio of two 4-seed means has a standard deviation of ~0.06 (8 seeds for the
// Rosenbrock density: ~0.045), and [0.75, 1.33] (±0.29 in ln) is ≥ 4.5 of them; the test also
// checks that the spread it sees is that small. The acceptance fraction varies by 0.002 between
// seeds on the Gaussians (±0.01 is > 5 standard deviations of the difference of 4-seed means),
// but by 0.02 on the Rosenbrock density, whose τ (thousands of steps) is longer than the runs:
// ±0.04 with 8 seeds is 3.9 of them. Seeds are fixed, so the outcome is the same on every run.
//
// Where no Python 3 with emcee and numpy is found these tests are skipped with the reason, except
// under PARAFIT_REQUIRE_EMCEE=1 (CI), where that is a failure.

import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { AutocorrError, EnsembleSampler, integratedTime } from '../../src/index.ts'
import { correlatedGaussian, gaussianBall, rosenbrock, sigmas, type Target } from './targets.ts'

const script = fileURLToPath(new URL('./emcee-reference.py', import.meta.url))

/** The first Python that imports emcee and numpy: $PARAFIT_PYTHON, python3, then Debian's own. */
function findEmceePython():
  | { python: string; missing?: undefined }
  | { python?: undefined; missing: string } {
  const candidates = [process.env.PARAFIT_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => c !== undefined && c !== '',
  )
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import emcee, numpy'], { stdio: 'ignore', timeout: 60_000 })
    if (probe.status === 0) return { python }
  }
  return {
    missing:
      `no Python 3 with emcee and numpy (tried ${candidates.join(', ')}); ` +
      'install them with apt-get install python3-emcee, or point PARAFIT_PYTHON at a python that has them',
  }
}

const { python, missing } = findEmceePython()
const required = process.env.PARAFIT_REQUIRE_EMCEE === '1'

if (missing !== undefined && required) {
  test('emcee is available', () => {
    expect.fail(`PARAFIT_REQUIRE_EMCEE=1 but ${missing}`)
  })
}

interface Case {
  readonly target: Target
  readonly nWalkers: number
  readonly nSteps: number
  readonly discard: number
  readonly seeds: readonly number[]
  /** The initial ball: centre μ + offset·σ, spread ball·σ per coordinate. */
  readonly offset: number
  readonly ball: number
  /** Allowed |mean acceptance ours - emcee's|. */
  readonly acceptanceBand: number
}

const TAU_BAND = [0.75, 1.33] as const

const cases: Case[] = [
  {
    target: correlatedGaussian(2),
    nWalkers: 32,
    nSteps: 2000,
    discard: 300,
    seeds: [1, 2, 3, 4],
    offset: 0,
    ball: 1e-3,
    acceptanceBand: 0.01,
  },
  {
    target: correlatedGaussian(5),
    nWalkers: 32,
    nSteps: 3000,
    discard: 500,
    seeds: [1, 2, 3, 4],
    offset: 4,
    ball: 1e-3,
    acceptanceBand: 0.01,
  },
  {
    target: correlatedGaussian(10),
    nWalkers: 32,
    nSteps: 6000,
    discard: 1000,
    seeds: [1, 2, 3, 4],
    offset: -3,
    ball: 1e-2,
    acceptanceBand: 0.01,
  },
  {
    // Centred on (1, 11), ~10 ridge widths off the ridge x2 = x1²: the walkers have to find it.
    target: rosenbrock(),
    nWalkers: 32,
    nSteps: 4000,
    discard: 500,
    seeds: [1, 2, 3, 4, 5, 6, 7, 8],
    offset: 0,
    ball: 1e-2,
    acceptanceBand: 0.04,
  },
]

/** The same walkers both sides start from, for a case and a seed. */
function initialWalkers(c: Case, seed: number): Float64Array[] {
  const sd = sigmas(c.target.cov)
  return gaussianBall(
    c.target.mean.map((m, d) => m + c.offset * sd[d]!),
    sd.map((s) => c.ball * s),
    c.nWalkers,
    1000 + seed,
  )
}

interface RunResult {
  readonly tau: number[]
  readonly acceptance: number
}

interface Reference {
  readonly emcee: string
  readonly numpy: string
  readonly results: (RunResult & { readonly tooShort?: boolean })[]
}

const run = promisify(execFile)

async function runReference(dir: string, name: string, jobs: unknown[]): Promise<Reference> {
  const config = join(dir, `${name}.json`)
  writeFileSync(config, JSON.stringify({ jobs }))
  const { stdout } = await run(python!, [script, config], { maxBuffer: 64 << 20, timeout: 600_000 })
  return JSON.parse(stdout) as Reference
}

/** chain[step][walker][d] as little-endian float64, step-major: numpy's (steps, walkers, nDim). */
function writeChain(file: string, chain: readonly (readonly Float64Array[])[]): void {
  const nWalkers = chain[0]!.length
  const nDim = chain[0]![0]!.length
  const view = new DataView(new ArrayBuffer(chain.length * nWalkers * nDim * 8))
  let offset = 0
  for (const row of chain) {
    for (const point of row) {
      for (let d = 0; d < nDim; d++) {
        view.setFloat64(offset, point[d]!, true)
        offset += 8
      }
    }
  }
  writeFileSync(file, new Uint8Array(view.buffer))
}

const meanOf = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length

/** Per parameter, the mean over runs of τ. */
function meanTau(runs: readonly RunResult[]): number[] {
  return runs[0]!.tau.map((_, d) => meanOf(runs.map((r) => r.tau[d]!)))
}

/** The standard deviation of ln τ for one run, pooled over parameters. */
function sdLogTau(runs: readonly RunResult[]): number {
  const nDim = runs[0]!.tau.length
  let ss = 0
  for (let d = 0; d < nDim; d++) {
    const logs = runs.map((r) => Math.log(r.tau[d]!))
    const m = meanOf(logs)
    ss += logs.reduce((s, l) => s + (l - m) ** 2, 0) / (logs.length - 1)
  }
  return Math.sqrt(ss / nDim)
}

describe.skipIf(missing !== undefined)(
  `EnsembleSampler against emcee${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'parafit-emcee-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    const ours = new Map<Case, RunResult[]>()
    let reference: Reference
    /** Chains of ours kept for the estimator comparison, with the options to compare under. */
    const pinned: { label: string; chain: Float64Array[][]; c?: number; tol?: number }[] = []
    let pinnedReference: Reference

    beforeAll(async () => {
      const jobs = cases.flatMap((c) =>
        c.seeds.map((seed) => ({
          kind: 'sample',
          name: c.target.name,
          spec: c.target.spec,
          seed,
          nSteps: c.nSteps,
          discard: c.discard,
          initial: initialWalkers(c, seed).map((w) => [...w]),
        })),
      )
      // emcee runs in its own process while ours run here.
      const emceeRuns = runReference(dir, 'sample', jobs)
      emceeRuns.catch(() => {}) // awaited below; not an unhandled rejection meanwhile
      for (const c of cases) {
        const results: RunResult[] = []
        for (const seed of c.seeds) {
          const sampler = new EnsembleSampler({
            logProb: c.target.logProb,
            nWalkers: c.nWalkers,
            nDim: c.target.nDim,
            seed,
          })
          await sampler.run(initialWalkers(c, seed), c.nSteps)
          results.push({
            tau: [...sampler.autocorrTime({ discard: c.discard, quiet: true })],
            acceptance: meanOf([...sampler.acceptanceFraction]),
          })
          if (seed === c.seeds[0]) {
            const chain = sampler.getChain({ discard: c.discard })
            pinned.push({ label: `${c.target.name}, seed ${seed}`, chain })
            if (c.target.nDim === 5) {
              pinned.push({ label: `${c.target.name}, c = 3`, chain, c: 3 })
              pinned.push({ label: `${c.target.name}, c = 10, tol = 100`, chain, c: 10, tol: 100 })
              pinned.push({ label: `${c.target.name}, 400 steps (too short)`, chain: chain.slice(0, 400) })
              pinned.push({ label: `${c.target.name}, one walker`, chain: chain.map((row) => [row[0]!]) })
            }
          }
        }
        ours.set(c, results)
      }
      const autocorrJobs = pinned.map((p, i) => {
        const chainFile = join(dir, `chain-${i}.f64`)
        writeChain(chainFile, p.chain)
        return {
          kind: 'autocorr',
          chainFile,
          nSteps: p.chain.length,
          nWalkers: p.chain[0]!.length,
          nDim: p.chain[0]![0]!.length,
          c: p.c ?? 5,
          tol: p.tol ?? 50,
        }
      })
      ;[reference, pinnedReference] = await Promise.all([
        emceeRuns,
        runReference(dir, 'autocorr', autocorrJobs),
      ])
    }, 600_000)

    /** emcee's runs of a case, in seed order. */
    function theirs(c: Case): RunResult[] {
      const start = cases.slice(0, cases.indexOf(c)).reduce((n, other) => n + other.seeds.length, 0)
      return reference.results.slice(start, start + c.seeds.length)
    }

    const label = (c: Case) => `${c.target.name}, ${c.seeds.length} seeds × ${c.nSteps} steps`

    test.each(cases.map((c) => [label(c), c] as const))(
      '%s: mean τ per parameter within [0.75, 1.33] of emcee’s',
      (_, c) => {
        const a = ours.get(c)!
        const b = theirs(c)
        const ratio = meanTau(a).map((t, d) => t / meanTau(b)[d]!)
        const spread = Math.sqrt((sdLogTau(a) ** 2 + sdLogTau(b) ** 2) / c.seeds.length)
        const report =
          `τ ours ${meanTau(a)
            .map((t) => t.toFixed(1))
            .join(', ')}; emcee ${meanTau(b)
            .map((t) => t.toFixed(1))
            .join(', ')}; ratio ${ratio.map((r) => r.toFixed(3)).join(', ')}; ` +
          `sd of ln ratio from the seeds' spread ${spread.toFixed(3)}`
        for (const r of ratio) {
          expect(r, report).toBeGreaterThan(TAU_BAND[0])
          expect(r, report).toBeLessThan(TAU_BAND[1])
        }
        // The band is wide against the noise seen here, so passing it means something.
        expect(spread, report).toBeLessThan(Math.log(TAU_BAND[1]) / 3.5)
      },
    )

    test.each(cases.map((c) => [label(c), c] as const))('%s: mean acceptance fraction as emcee’s', (_, c) => {
      const a = meanOf(ours.get(c)!.map((r) => r.acceptance))
      const b = meanOf(theirs(c).map((r) => r.acceptance))
      expect(Math.abs(a - b), `acceptance ours ${a.toFixed(4)}, emcee ${b.toFixed(4)}`).toBeLessThan(
        c.acceptanceBand,
      )
    })

    test('integratedTime is emcee.autocorr.integrated_time on the same chains (c, tol, one walker, short)', () => {
      expect(pinnedReference.results).toHaveLength(pinned.length)
      pinned.forEach((p, i) => {
        const options = { c: p.c ?? 5, tol: p.tol ?? 50 }
        const expected = pinnedReference.results[i]!
        const tau = integratedTime(p.chain, { ...options, quiet: true })
        const report = `${p.label}: ours ${[...tau].join(', ')}; emcee ${expected.tau.join(', ')}`
        expect(tau, report).toHaveLength(expected.tau.length)
        tau.forEach((t, d) => {
          expect(Math.abs(t / expected.tau[d]! - 1), report).toBeLessThan(1e-6)
        })
        // Too short for emcee exactly when too short for us.
        let threw: unknown
        try {
          integratedTime(p.chain, options)
        } catch (error) {
          threw = error
        }
        expect(threw instanceof AutocorrError, report).toBe(expected.tooShort)
      })
      // The comparison covered both outcomes.
      expect(pinnedReference.results.some((r) => r.tooShort)).toBe(true)
      expect(pinnedReference.results.some((r) => !r.tooShort)).toBe(true)
    })
  },
)
