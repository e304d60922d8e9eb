// Accuracy on problems with exact log Z (fixed seeds): each run within four reported errors of
// the truth, and the Gaussians' posterior means and variances within Monte Carlo error. Settings
// are smaller than the defaults to keep the suite quick; the bench runs the defaults over seeds.

import { describe, expect, it } from 'vitest'
import { NestedSampler } from '../../src/index.ts'
import { eggbox, funnel, gaussian, logGammaMixture, type Problem, shells } from './problems.ts'

async function run(
  problem: Problem,
  options: { nLive: number; nEff: number; nNetworks?: number; seed?: number },
) {
  const sampler = new NestedSampler({
    prior: problem.prior,
    logLikelihood: (params) => problem.logLikelihood(params as Record<string, number>),
    nLive: options.nLive,
    nNetworks: options.nNetworks ?? 0,
    seed: options.seed ?? 3,
  })
  const summary = await sampler.run({ nEff: options.nEff })
  return { sampler, summary }
}

function expectLogZ(problem: Problem, summary: { logZ: number; logZErr: number; stop: { kind: string } }) {
  expect(summary.stop.kind).toBe('converged')
  expect(summary.logZErr).toBeGreaterThan(0)
  expect(summary.logZErr).toBeLessThan(0.2)
  expect(Math.abs(summary.logZ - problem.logZ)).toBeLessThan(4 * summary.logZErr)
}

/** Weighted means and the covariance matrix of the posterior. */
function moments(sampler: NestedSampler, d: number) {
  const p = sampler.posterior()
  const w = Float64Array.from(p.logWeights, (lw) => Math.exp(lw))
  const x = (i: number, k: number) => p.points[i]![`x${k}`] as number
  const mean = Array.from({ length: d }, (_, k) => w.reduce((s, wi, i) => s + wi * x(i, k), 0))
  const covariance = Array.from({ length: d }, (_, j) =>
    Array.from({ length: d }, (_, k) =>
      w.reduce((s, wi, i) => s + wi * (x(i, j) - mean[j]!) * (x(i, k) - mean[k]!), 0),
    ),
  )
  return { mean, covariance }
}

describe('NestedSampler accuracy (exact log Z)', () => {
  for (const d of [2, 5, 10]) {
    it(`Gaussian in ${d} dimensions: log Z, posterior means and covariances`, async () => {
      const problem = gaussian(d)
      const { sampler, summary } = await run(problem, { nLive: 400, nEff: 3000 })
      expectLogZ(problem, summary)
      const m = moments(sampler, d)
      const n = summary.nEff
      for (let j = 0; j < d; j++) {
        const sd = Math.sqrt(problem.variance![j]!)
        // Monte Carlo standard errors from N_eff: a mean σ/√N, a variance σ²√(2/N), a covariance σⱼσₖ/√N.
        expect(Math.abs(m.mean[j]! - problem.mean![j]!)).toBeLessThan(4 * (sd / Math.sqrt(n)))
        expect(Math.abs(m.covariance[j]![j]! - problem.variance![j]!)).toBeLessThan(
          4 * problem.variance![j]! * Math.sqrt(2 / n),
        )
        for (let k = j + 1; k < d; k++) {
          expect(Math.abs(m.covariance[j]![k]!)).toBeLessThan(
            (4 * sd * Math.sqrt(problem.variance![k]!)) / Math.sqrt(n),
          )
        }
      }
    }, 120_000)
  }

  // Rings and an egg box defeat ellipsoids alone (nautilus without networks does not finish them
  // either): the networks' regions are what narrow the bounds here.
  it('Gaussian shells (2-D, one network per region): log Z = -1.7456', async () => {
    const problem = shells(2, -1.7456)
    expectLogZ(problem, (await run(problem, { nLive: 300, nEff: 2000, nNetworks: 1 })).summary)
  }, 300_000)

  it('eggbox (one network per region): log Z = 235.856', async () => {
    const problem = eggbox()
    // Eighteen modes: 300 live points find them all (200 can lose one, and log Z with it).
    expectLogZ(problem, (await run(problem, { nLive: 300, nEff: 2000, nNetworks: 1 })).summary)
  }, 300_000)

  it('LogGamma mixture (2-D, four modes): log Z = 0, each mode half the mass on the first axis', async () => {
    const problem = logGammaMixture(2)
    const { sampler, summary } = await run(problem, { nLive: 400, nEff: 3000 })
    expectLogZ(problem, summary)
    const p = sampler.posterior()
    let low = 0
    for (let i = 0; i < p.points.length; i++)
      if ((p.points[i]!.x0 as number) < 0.5) low += Math.exp(p.logWeights[i]!)
    expect(Math.abs(low - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / summary.nEff) + 0.01)
  }, 120_000)

  it("Neal's funnel (2-D): log Z = -1.5e-4", async () => {
    const problem = funnel(2)
    expectLogZ(problem, (await run(problem, { nLive: 400, nEff: 3000 })).summary)
  }, 120_000)

  it('with networks (Gaussian, 3-D): log Z within the reported error', async () => {
    const problem = gaussian(3)
    expectLogZ(problem, (await run(problem, { nLive: 400, nEff: 2000, nNetworks: 2 })).summary)
  }, 180_000)
})
