// What the diagnostics do at the edges, as arviz does: NaN where nothing can be said, M·n ESS for
// chains that never move, and a ValidationError that names the problem for input of the wrong shape.

import { Random, ValidationError } from '@parafit/core'
import { validationErrorOf } from '@parafit/core/testing'
import { describe, expect, test } from 'vitest'
import {
  EnsembleSampler,
  ess,
  essBulk,
  essTail,
  hdi,
  mcseMean,
  mcseSd,
  rankNormalizedSplitRHat,
  rHat,
  splitChains,
  summary,
  walkerChains,
  zScale,
} from '../../src/index.ts'
import { normalQuantile } from '../../src/prior/normal-quantile.ts'

function normalChains(nChains: number, nDraws: number, seed: number): Float64Array[] {
  const random = Random.fromSeed(seed)
  return Array.from({ length: nChains }, () => Float64Array.from({ length: nDraws }, () => random.normal()))
}

describe('NaN where there is nothing to compare', () => {
  test('R̂ is NaN with one chain, fewer than 4 draws, or a NaN draw', () => {
    expect(rankNormalizedSplitRHat(normalChains(1, 1000, 1))).toBeNaN()
    expect(rankNormalizedSplitRHat(normalChains(4, 3, 2))).toBeNaN()
    expect(rankNormalizedSplitRHat(normalChains(4, 4, 2))).not.toBeNaN()
    const withNaN = normalChains(4, 100, 3)
    withNaN[2]![17] = Number.NaN
    expect(rankNormalizedSplitRHat(withNaN)).toBeNaN()
    expect(rHat(withNaN)).toBeNaN()
    expect(rHat(normalChains(1, 100, 4))).toBeNaN()
  })

  test('ESS and MCSE are NaN with fewer than 4 draws or a NaN draw, but defined for one chain', () => {
    const withNaN = normalChains(2, 100, 5)
    withNaN[0]![0] = Number.NaN
    for (const f of [essBulk, essTail, mcseMean, mcseSd, ess]) expect(f(withNaN)).toBeNaN()
    for (const f of [essBulk, essTail, mcseMean, mcseSd]) {
      expect(f(normalChains(4, 3, 6))).toBeNaN()
      expect(f(normalChains(1, 500, 7))).toBeGreaterThan(0)
    }
    expect(hdi(withNaN)).toEqual([Number.NaN, Number.NaN])
  })

  test('chains that never move: ESS is M·n (as arviz; Stan says NaN), R̂ and mcse_sd are NaN', () => {
    const constant = Array.from({ length: 3 }, () => new Float64Array(40).fill(2.5))
    expect(ess(constant)).toBe(120)
    expect(essBulk(constant)).toBe(120)
    expect(essTail(constant)).toBe(120)
    expect(rankNormalizedSplitRHat(constant)).toBeNaN()
    expect(rHat(constant)).toBeNaN()
    expect(mcseMean(constant)).toBe(0)
    expect(mcseSd(constant)).toBeNaN()
    // Odd n: split chains drop the middle draw, so the bulk ESS counts 2M·⌊n/2⌋.
    expect(essBulk(Array.from({ length: 3 }, () => new Float64Array(41).fill(1)))).toBe(120)
  })
})

describe('shapes', () => {
  test('empty input, chains without draws and ragged chains are ValidationErrors naming the problem', () => {
    for (const f of [rankNormalizedSplitRHat, rHat, ess, essBulk, essTail, mcseMean, mcseSd, zScale]) {
      expect(() => f([])).toThrow(ValidationError)
      expect(() => f([])).toThrow(/no chains/)
      expect(() => f([new Float64Array(0)])).toThrow(/no draws/)
      expect(() => f([new Float64Array(10), new Float64Array(9)])).toThrow(
        /ragged chains: chain 0 has 10 draws but chain 1 has 9/,
      )
    }
    expect(() => rHat([[1, 2, 3]] as never)).toThrow(ValidationError)
    expect(() => rHat([[1, 2, 3]] as never)).toThrow(/chain 0 is not a Float64Array/)
  })

  test('summary() names the parameter whose chains are wrong, and checks its options', () => {
    const good = normalChains(2, 50, 8)
    expect(() => summary({ mu: good, sigma: [new Float64Array(50), new Float64Array(49)] })).toThrow(
      /parameter "sigma": ragged chains/,
    )
    expect(() => summary({})).toThrow(/no parameters/)
    expect(() => summary([])).toThrow(/no draws/)
    expect(() => summary(good, { hdiProb: 1 })).toThrow(/hdiProb must be a number in \(0, 1\), got 1/)
    expect(validationErrorOf(() => summary(good, { hdiProb: 1 })).keyPath).toBe('hdiProb')
    expect(validationErrorOf(() => summary([good, good], { names: ['a'] })).keyPath).toBe('names')
    expect(() => summary([good, good], { names: ['a'] })).toThrow(/1 names for 2 parameters/)
    expect(() => summary(good, { hdi_prob: 0.9 } as never)).toThrow(/hdi_prob/)
  })

  test('summary() takes one parameter, a list, or a record, and names the rows', () => {
    const a = normalChains(2, 50, 9)
    const b = normalChains(2, 50, 10)
    expect(summary(a).map((row) => row.name)).toEqual(['x'])
    expect(summary([a, b]).map((row) => row.name)).toEqual(['x[0]', 'x[1]'])
    expect(summary([a, b], { names: ['a', 'b'] }).map((row) => row.name)).toEqual(['a', 'b'])
    const byName = summary({ b, a })
    expect(byName.map((row) => row.name)).toEqual(['b', 'a'])
    expect(byName[1]).toEqual({ ...summary(a)[0]!, name: 'a' })
  })

  test('splitChains keeps the first and last ⌊n/2⌋ draws, dropping the middle one of an odd chain', () => {
    const split = splitChains([
      Float64Array.of(1, 2, 3, 4, 5, 6, 7),
      Float64Array.of(8, 9, 10, 11, 12, 13, 14),
    ])
    expect(split.map((chain) => [...chain])).toEqual([
      [1, 2, 3],
      [5, 6, 7],
      [8, 9, 10],
      [12, 13, 14],
    ])
    expect(() => splitChains([Float64Array.of(1)])).toThrow(/at least 2 draws/)
  })

  test('zScale gives tied draws their average rank, with Blom offsets, over all chains', () => {
    // Pooled ranks: 1 → 1, the two 2s → 2.5 each, 3 → 4; u = (r − 3/8)/(4 + 1/4).
    const z = zScale([Float64Array.of(2, 1), Float64Array.of(3, 2)])
    const at = (rank: number) => normalQuantile((rank - 0.375) / 4.25)
    expect(z.map((chain) => [...chain])).toEqual([
      [at(2.5), at(1)],
      [at(4), at(2.5)],
    ])
    expect(at(2.5)).toBe(0)
  })
})

describe('walkerChains: an ensemble chain as per-parameter walker chains', () => {
  test('chain[step][walker][d] becomes result[d][walker][step]', () => {
    const chain = [0, 1, 2].map((t) => [0, 1].map((k) => Float64Array.of(100 * t + k, -(100 * t + k))))
    const out = walkerChains(chain)
    expect(out.map((p) => p.map((w) => [...w]))).toEqual([
      [
        [0, 100, 200],
        [1, 101, 201],
      ],
      [
        [-0, -100, -200],
        [-1, -101, -201],
      ],
    ])
  })

  test('ragged or empty ensembles are RangeErrors', () => {
    expect(() => walkerChains([])).toThrow(/no steps/)
    expect(() => walkerChains([[Float64Array.of(1)], [Float64Array.of(1), Float64Array.of(2)]])).toThrow(
      /step 0 has 1 walkers but step 1 has 2/,
    )
    expect(() => walkerChains([[Float64Array.of(1, 2), Float64Array.of(1)]])).toThrow(
      /walker 1 of step 0 has 1/,
    )
  })

  test("summarises an EnsembleSampler run's chain, walkers treated as chains", async () => {
    const sampler = new EnsembleSampler({
      logProb: (theta: Float64Array) => -0.5 * (theta[0]! ** 2 + ((theta[1]! - 3) / 2) ** 2),
      nWalkers: 8,
      nDim: 2,
      seed: 1,
    })
    const start = Array.from({ length: 8 }, (_, k) => [0.1 * Math.cos(k), 3 + 0.1 * Math.sin(k + 0.5)])
    await sampler.run(start, 2000)
    const tau = sampler.autocorrTime({ discard: 100, quiet: true })
    const rows = summary(walkerChains(sampler.getChain({ discard: 100 })), { names: ['a', 'b'] })
    await sampler.close()
    expect(rows.map((row) => row.name)).toEqual(['a', 'b'])
    expect(Math.abs(rows[1]!.mean - 3)).toBeLessThan(0.5)
    // Seed 1 measured: R̂ 1.02 and 1.01; bulk ESS 340 and 476 against walkers·N/τ̂ of 458 and 516.
    rows.forEach((row, d) => {
      expect(row.rHat).toBeLessThan(1.05)
      const fromTau = (8 * 1900) / tau[d]!
      expect(row.essBulk / fromTau).toBeGreaterThan(0.4)
      expect(row.essBulk / fromTau).toBeLessThan(2)
    })
  })
})
