import { objectiveModule, Random, ValidationError } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import {
  EnsembleSampler,
  leastSquaresLikelihood,
  leastSquaresLogProb,
  NestedSampler,
  uniformPriorWithin,
} from '../../src/index.ts'
import { bounds, initial, sigma, xs, ys } from './line.objective.ts'

const model = objectiveModule(new URL('./line.objective.ts', import.meta.url))

// The straight line's posterior under a flat prior is Gaussian: mean the least-squares solution,
// covariance (XᵀX)⁻¹σ², and the evidence ln Z = ln L_max + ln(2π√det C) − ln(prior volume).
const n = xs.length
const sx = xs.reduce((s, x) => s + x, 0)
const sy = ys.reduce((s, y) => s + y, 0)
const sxx = xs.reduce((s, x) => s + x * x, 0)
const sxy = xs.reduce((s, x, i) => s + x * ys[i]!, 0)
const det = n * sxx - sx * sx
const b = (n * sxy - sx * sy) / det
const a = (sy - b * sx) / n
const covariance = [
  [(sxx / det) * sigma ** 2, (-sx / det) * sigma ** 2],
  [(-sx / det) * sigma ** 2, (n / det) * sigma ** 2],
]
const chiSquareMin = xs.reduce((s, x, i) => s + ((ys[i]! - a - b * x) / sigma) ** 2, 0)
const detC = covariance[0]![0]! * covariance[1]![1]! - covariance[0]![1]! ** 2
const logZ = -chiSquareMin / 2 + Math.log(2 * Math.PI * Math.sqrt(detC)) - Math.log(20 * 10)

describe('a least-squares model sampled as it is fitted', () => {
  test('uniformPriorWithin: the bounds as uniform distributions in the tree of initial; open bounds refused', () => {
    const prior = uniformPriorWithin(initial, bounds)
    expect(prior.keys).toEqual(['line.a', 'line.b'])
    expect(prior.transform([0.5, 0.25])).toEqual({ line: { a: 0, b: -2.5 } })
    expect(() => uniformPriorWithin(initial, { line: { a: [-1, 1] } })).toThrow(/line\.b has none/)
  })

  test('nested sampling: the Gaussian posterior and the evidence of the straight line', async () => {
    const sampler = new NestedSampler({
      prior: uniformPriorWithin(initial, bounds),
      logLikelihood: leastSquaresLikelihood(model),
      numWorkers: 1,
      nLive: 500,
      nNetworks: 0,
      seed: 3,
    })
    const run = await sampler.run({ nEff: 4000 })
    expect(Math.abs(run.logZ - logZ)).toBeLessThan(4 * run.logZErr + 0.01)
    const post = sampler.posterior()
    let [ma, mb] = [0, 0]
    post.points.forEach((p, i) => {
      const w = Math.exp(post.logWeights[i]!)
      ma += w * (p.line as { a: number }).a
      mb += w * (p.line as { b: number }).b
    })
    // Within 4 Monte Carlo errors of N_eff ≈ 4000 draws.
    expect(Math.abs(ma - a)).toBeLessThan(4 * Math.sqrt(covariance[0]![0]! / 4000))
    expect(Math.abs(mb - b)).toBeLessThan(4 * Math.sqrt(covariance[1]![1]! / 4000))
    await sampler.close()
  }, 60_000)

  test('the ensemble sampler: the same posterior, and no walker ever outside the bounds', async () => {
    const narrow = { line: { a: [-10, 10] as const, b: [1.5, 5] as const } }
    const sampler = new EnsembleSampler({
      logProb: leastSquaresLogProb(model, { initial, bounds: narrow }),
      nWalkers: 16,
      nDim: 2,
      seed: 5,
    })
    const random = Random.fromSeed(1)
    const start = Array.from({ length: 16 }, () => [a + 0.01 * random.normal(), b + 0.01 * random.normal()])
    await sampler.run(start, 1500)
    const flat = sampler.getChain({ discard: 300, flat: true }) as Float64Array[]
    const mean = [0, 1].map((d) => flat.reduce((s, p) => s + p[d]!, 0) / flat.length)
    const sd = [0, 1].map((d) =>
      Math.sqrt(flat.reduce((s, p) => s + (p[d]! - mean[d]!) ** 2, 0) / flat.length),
    )
    expect(Math.abs(mean[0]! - a)).toBeLessThan(0.25 * sd[0]!)
    expect(Math.abs(sd[1]! / Math.sqrt(covariance[1]![1]!) - 1)).toBeLessThan(0.15)
    expect(flat.every((p) => p[1]! >= 1.5)).toBe(true)
    // A point outside the box has ln p = −Infinity, inside the Gaussian's −χ²/2.
    const probe = new EnsembleSampler({
      logProb: leastSquaresLogProb(model, { initial, bounds: narrow }),
      nWalkers: 4,
      nDim: 2,
    })
    await probe.run(
      [Float64Array.of(a, 1), Float64Array.of(a, b), Float64Array.of(1, 2), Float64Array.of(1, 3)],
      0,
    )
    const logProb = probe.lastState!.logProb
    expect(logProb[0]).toBe(Number.NEGATIVE_INFINITY)
    expect(logProb[1]).toBeCloseTo(-chiSquareMin / 2, 8)
  }, 60_000)

  test('fitScale: σ stated half its true size is found twice as large, and the errors come out right', async () => {
    const halfSigma = objectiveModule(new URL('./line.objective.ts', import.meta.url), {
      init: { statedSigma: sigma / 2 },
    })
    const prior = uniformPriorWithin(initial, bounds, { fitScale: true })
    expect(prior.keys).toEqual(['line.a', 'line.b', 'sigmaScale'])
    const sampler = new NestedSampler({
      prior,
      logLikelihood: leastSquaresLikelihood(halfSigma, { fitScale: true }),
      numWorkers: 1,
      nLive: 500,
      nNetworks: 0,
      seed: 4,
    })
    await sampler.run({ nEff: 4000 })
    const post = sampler.posterior()
    let [scale, mb, mb2] = [0, 0, 0]
    post.points.forEach((p, i) => {
      const w = Math.exp(post.logWeights[i]!)
      const b = (p.line as { b: number }).b
      scale += w * (p.sigmaScale as number)
      mb += w * b
      mb2 += w * b * b
    })
    // With σ stated half its size, χ² is 4 χ²_min, and the posterior of s (prior 1/s) peaks at
    // √(4 χ²_min/(n + 1)), its mean a little above: within 10%.
    expect(Math.abs(scale / Math.sqrt((4 * chiSquareMin) / (n + 1)) - 1)).toBeLessThan(0.1)
    // b's sd: as with σ = s·σ_stated known, where s is that peak; within 15% (the scale's own
    // uncertainty widens it a little).
    const knownScale = Math.sqrt((4 * chiSquareMin) / (n + 1)) / 2
    expect(
      Math.abs(Math.sqrt(mb2 - mb * mb) / (Math.sqrt(covariance[1]![1]!) * knownScale) - 1),
    ).toBeLessThan(0.15)
    await sampler.close()
  }, 60_000)

  test('fitScale with a model that returns one number, not residuals: a ValidationError naming fitScale, from the worker', async () => {
    const oneNumber = objectiveModule(new URL('../fixtures/loss.objective.ts', import.meta.url))
    const sampler = new NestedSampler({
      prior: uniformPriorWithin({ x: 0, y: 0 }, { x: [-1, 1], y: [-1, 1] }, { fitScale: true }),
      logLikelihood: leastSquaresLikelihood(oneNumber, { fitScale: true }),
      numWorkers: 2,
      nLive: 100,
      nNetworks: 0,
      seed: 1,
    })
    const failure = await sampler.run({ nEff: 100 }).catch((e: unknown) => e)
    await sampler.close()
    const chain: unknown[] = []
    for (let e: unknown = failure; e instanceof Error; e = e.cause) chain.push(e)
    const refusal = chain.find((e) => e instanceof ValidationError) as ValidationError | undefined
    expect(refusal, String(failure)).toBeDefined()
    expect(refusal!.keyPath).toBe('fitScale')
    expect(refusal!.message).toMatch(/needs an objective that returns residuals/)
  }, 60_000)

  test('fitScale refuses a model that already has a parameter named sigmaScale', () => {
    expect(() => uniformPriorWithin({ sigmaScale: 1 }, { sigmaScale: [0, 2] }, { fitScale: true })).toThrow(
      /parameter named sigmaScale/,
    )
  })
})
