// Statistical tests of the ensemble sampler on targets whose moments are known exactly
// (targets.ts): the sample mean and every covariance entry must agree with the truth within
// 4.5 Monte Carlo standard errors, and those errors must be small enough for that to mean
// something.
//
// The seeds are fixed. Each check is a k-sigma test of ~10-70 numbers per target, so with fresh
// seeds on every run it would fail now and then for no fault of the sampler (at 4.5 SE with 20
// blocks, a t distribution with 19 degrees of freedom, about 1 run in 50 over the whole file);
// with fixed seeds a run is reproducible, and a failure means the sampler changed. Changing the
// sampler's random stream (the order of its draws) picks a new, equally valid, sample: these
// tests should then still pass, except at that small rate.
//
// Standard errors: by batch means on one long run for the Gaussians (20 consecutive blocks of
// ≥ 5 τ; the kept chain ≥ 50 τ, which integratedTime's default tol checks); by independent
// replicates for the Rosenbrock density, whose τ under the stretch move is thousands of steps
// and grows with the run (≈ 800 on 10⁴ steps, ≈ 3700 on 2·10⁵), so that a run ≥ 50 τ does not fit
// in a test. Its replicates start from exact draws of the target, which makes every step a
// draw from it when the sampler leaves the target invariant: that is what those replicates
// test, along with the ridge statistics r = x2 - x1² (E r = 0, E r² = 1/10), which mix in ~20
// steps and move at once under a wrong acceptance rule.

import { describe, expect, test } from 'vitest'
import { EnsembleSampler, integratedTime } from '../../src/index.ts'
import {
  batchMeans,
  blockStandardErrors,
  correlatedGaussian,
  exactDraws,
  gaussianBall,
  momentNames,
  momentVector,
  rosenbrock,
  sampleMoments,
  sigmas,
  type Target,
} from './targets.ts'

const K = 4.5
const N_BATCHES = 20

interface Checked {
  readonly names: readonly string[]
  readonly value: Float64Array
  readonly truth: Float64Array
  readonly se: Float64Array
  readonly z: Float64Array
  readonly table: string
}

function check(
  names: readonly string[],
  value: Float64Array,
  truth: Float64Array,
  se: Float64Array,
): Checked {
  const z = value.map((v, i) => (v - truth[i]!) / se[i]!)
  const table = names
    .map(
      (name, i) =>
        `${name.padEnd(10)} ${value[i]!.toPrecision(6).padStart(12)} truth ${truth[i]!.toPrecision(6).padStart(12)} ` +
        `SE ${se[i]!.toPrecision(3).padStart(9)} z ${z[i]!.toFixed(2)}`,
    )
    .join('\n')
  return { names, value, truth, se, z, table }
}

const maxAbs = (xs: ArrayLike<number>) => Math.max(...Array.from(xs, Math.abs))

/** Every entry within K standard errors, and every standard error below `resolution` of its scale. */
function expectAgreement(c: Checked, scales: Float64Array, resolution: number): void {
  const coarse = c.names.filter((_, i) => !(c.se[i]! < resolution * scales[i]!))
  expect(coarse, `standard errors too large to test anything:\n${c.table}`).toEqual([])
  const off = c.names.filter((_, i) => !(Math.abs(c.z[i]!) < K))
  expect(off, `more than ${K} SE from the truth:\n${c.table}`).toEqual([])
}

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x, 0) / xs.length

describe('EnsembleSampler on correlated Gaussians: means and covariances within 4.5 SE (batch means)', () => {
  // Each starts from a tiny ball (1e-3 or 1e-2 of σ), two of them several σ from the mean: the
  // discarded burn-in (≈ 10 τ; the ensemble reaches the typical set in ≈ 4 τ) has to grow and
  // move the ensemble. τ ≈ 30, 55 and 110 steps in 2, 5 and 10 dimensions.
  const nWalkers = 32
  const cases = [
    { nDim: 2, seed: 11, offset: 0, ball: 1e-3, discard: 300, kept: 4000, start: 'at the mean' },
    { nDim: 5, seed: 12, offset: 4, ball: 1e-3, discard: 600, kept: 6000, start: 'at μ + 4σ' },
    { nDim: 10, seed: 13, offset: -3, ball: 1e-2, discard: 1200, kept: 13_000, start: 'at μ - 3σ' },
  ]

  test.each(cases)(
    `$nDim dimensions, ${nWalkers} walkers from a ball $start, discard $discard, keep $kept steps`,
    async ({ nDim, seed, offset, ball, discard, kept }) => {
      const target = correlatedGaussian(nDim)
      const sd = sigmas(target.cov)
      const initial = gaussianBall(
        target.mean.map((m, d) => m + offset * sd[d]!),
        sd.map((s) => ball * s),
        nWalkers,
        seed,
      )
      const sampler = new EnsembleSampler({ logProb: target.logProb, nWalkers, nDim, seed })
      await sampler.run(initial, discard + kept)
      const chain = sampler.getChain({ discard })
      expect(chain).toHaveLength(kept)

      // Long enough: integratedTime throws AutocorrError below 50 τ; blocks of ≥ 4 τ (neighbouring
      // block means then correlate by ≲ 6%, so the SE is understated by ≲ 6%).
      const tau = integratedTime(chain)
      const blockLength = Math.floor(kept / N_BATCHES)
      expect(blockLength, `τ = ${[...tau].map((t) => t.toFixed(1)).join(', ')}`).toBeGreaterThanOrEqual(
        4 * Math.max(...tau),
      )

      const { value, se } = batchMeans(chain, N_BATCHES, sampleMoments)
      const c = check(momentNames(nDim), value, momentVector(target.mean, target.cov), se)
      // SE < 0.05 σ for a mean (and likewise for a covariance entry): a bias of a quarter of a
      // standard deviation in any of them would be caught.
      expectAgreement(c, target.scales, 0.05)

      // The stored ln p is the target's at the stored point, and its mean is that of -χ²_d / 2.
      const logProb = sampler.getLogProb({ discard })
      for (const step of [0, kept >> 1, kept - 1]) {
        chain[step]!.forEach((point, k) => {
          expect(logProb[step]![k]).toBe(target.logProb(point))
        })
      }
      const lp = batchMeans(
        logProb.map((row) => Array.from(row, (v) => Float64Array.of(v))),
        N_BATCHES,
        (points) => Float64Array.of(mean(points.map((p) => p[0]!))),
      )
      // sd of ln p is √(d/2).
      expectAgreement(
        check(['E ln p'], lp.value, Float64Array.of(-nDim / 2), lp.se),
        Float64Array.of(Math.sqrt(nDim / 2)),
        0.05,
      )
    },
    120_000,
  )

  test('the check has power: sampling a tempered target (ln p × 0.8, so Σ / 0.8) fails it', async () => {
    const target = correlatedGaussian(2)
    const sd = sigmas(target.cov)
    const sampler = new EnsembleSampler({
      logProb: (theta: Float64Array) => 0.8 * target.logProb(theta),
      nWalkers,
      nDim: 2,
      seed: 14,
    })
    await sampler.run(gaussianBall(target.mean, sd, nWalkers, 14), 2300)
    const { value, se } = batchMeans(sampler.getChain({ discard: 300 }), N_BATCHES, sampleMoments)
    const c = check(momentNames(2), value, momentVector(target.mean, target.cov), se)
    // A 25% error in every variance and covariance is many standard errors (≈ 10 here).
    for (const i of [2, 3, 4]) expect(c.z[i]!, c.table).toBeGreaterThan(K)
    expect(maxAbs(c.z.subarray(0, 2)), c.table).toBeLessThan(K)
  }, 60_000)
})

describe('EnsembleSampler on the Rosenbrock density: moments within 4.5 SE (independent replicates)', () => {
  const target: Target = rosenbrock()
  const nReplicates = 20
  const nWalkers = 32
  const nSteps = 1000

  test(`${nReplicates} replicates of ${nWalkers} walkers × ${nSteps} steps, each started at exact draws`, async () => {
    const replicates: Float64Array[][] = []
    let acceptance = 0
    for (let r = 0; r < nReplicates; r++) {
      const sampler = new EnsembleSampler({ logProb: target.logProb, nWalkers, nDim: 2, seed: 21 + r })
      await sampler.run(exactDraws(target, nWalkers, 1000 + r), nSteps)
      replicates.push(sampler.getChain({ flat: true }))
      acceptance += mean(sampler.acceptanceFraction) / nReplicates
    }
    // The walkers move (the stretch move accepts ~22% here): a sampler that stood still would
    // pass the moment checks below, having started at exact draws.
    expect(acceptance).toBeGreaterThan(0.15)
    expect(acceptance).toBeLessThan(0.3)

    // Means and covariance: E x = (1, 11), Var x1 = 10, Cov = 20, Var x2 = 240.1. Every SE < 0.1
    // of the standard deviation of its one-point estimator (Target.scales).
    const moments = blockStandardErrors(replicates, sampleMoments)
    expectAgreement(
      check(momentNames(2), moments.value, momentVector(target.mean, target.cov), moments.se),
      target.scales,
      0.1,
    )

    // The ridge: r = x2 - x1² ~ N(0, 1/10) whatever x1, so E r = 0, E r² = 1/10 (sd √0.1 and
    // √2 / 10). A stretch move whose proposal factor was off by one power of z (or left out) moved these by
    // 6-23 SE in this design when tried.
    const ridge = blockStandardErrors(replicates, (points) => {
      let s1 = 0
      let s2 = 0
      for (const p of points) {
        const r = p[1]! - p[0]! * p[0]!
        s1 += r
        s2 += r * r
      }
      return Float64Array.of(s1 / points.length, s2 / points.length)
    })
    expectAgreement(
      check(['E r', 'E r²'], ridge.value, Float64Array.of(0, 0.1), ridge.se),
      Float64Array.of(Math.sqrt(0.1), Math.SQRT2 / 10),
      0.02,
    )
  }, 180_000)
})
