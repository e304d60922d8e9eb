// The numbers in corner's titles: R-7 (numpy's default 'linear') unweighted, corner.py's own
// rule weighted, and the title `q50 −(q50 − q16) +(q84 − q50)` with two decimals.

import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { quantiles, quantileTitle } from '../src/index.ts'

describe('unweighted quantiles (R-7)', () => {
  test('interpolate at (n - 1)·q between the sorted values', () => {
    // Sorted 1, 2, 3, 4, 10. q = 0.16: position 0.64 → 1 + 0.64·(2 - 1) = 1.64.
    // q = 0.5: position 2 → 3. q = 0.84: position 3.36 → 4 + 0.36·(10 - 4) = 6.16.
    const q = quantiles([10, 3, 1, 4, 2], [0.16, 0.5, 0.84])
    expect(q[0]).toBeCloseTo(1.64, 12)
    expect(q[1]).toBe(3)
    expect(q[2]).toBeCloseTo(6.16, 12)
  })
})

describe('weighted quantiles (corner.py)', () => {
  test('invert the CDF 0, w1, w1 + w2, ... over the total without the last weight', () => {
    // Values 1, 2, 3, 4 with weights 1, 1, 2, 4: the CDF at the sorted values is 0, 1/4, 2/4, 4/4
    // (the last weight, 4, is left out of the total 1 + 1 + 2 = 4).
    // q = 0.16: 1 + 0.16/0.25 = 1.64. q = 0.5: exactly at 3. q = 0.84: 3 + 0.34/0.5 = 3.68.
    const q = quantiles([4, 2, 3, 1], [0.16, 0.5, 0.84], [4, 1, 2, 1])
    expect(q[0]).toBeCloseTo(1.64, 12)
    expect(q[1]).toBe(3)
    expect(q[2]).toBeCloseTo(3.68, 12)
  })

  test.prop([
    fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 40 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  ])('equal weights give R-7', (values, q) => {
    const weights = values.map(() => 0.7)
    expect(quantiles(values, [q], weights)[0]).toBeCloseTo(quantiles(values, [q])[0]!, 8)
  })

  // corner.py's rule written the plain way: a stable sort of (value, weight) pairs, then a
  // linear scan. Small integers make ties common, where the order of equal values matters.
  function plainWeighted(values: number[], weights: number[], q: number): number {
    const pairs = values.map((v, k) => [v, weights[k]!] as const).sort((a, b) => a[0] - b[0])
    const cdf = [0]
    for (let k = 1; k < pairs.length; k++) cdf.push(cdf[k - 1]! + pairs[k - 1]![1])
    const total = cdf.at(-1)!
    const c = cdf.map((v) => v / total)
    let k = 0
    while (k + 1 < c.length && c[k + 1]! <= q) k++
    if (k === c.length - 1 || c[k] === q) return pairs[k]![0]
    return pairs[k]![0] + ((pairs[k + 1]![0] - pairs[k]![0]) * (q - c[k]!)) / (c[k + 1]! - c[k]!)
  }

  test.prop([
    fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.double({ min: 0.01, max: 5, noNaN: true })), {
      minLength: 2,
      maxLength: 30,
    }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  ])('agree with the rule written plainly, ties included', (pairs, q) => {
    const values = pairs.map((p) => p[0])
    const weights = pairs.map((p) => p[1])
    expect(quantiles(values, [q], weights)[0]).toBeCloseTo(plainWeighted(values, weights, q), 9)
  })

  test('q = 0 and q = 1 are the smallest and largest values', () => {
    expect(quantiles([5, 1, 9], [0, 1], [1, 2, 3])).toEqual([1, 9])
  })
})

describe('the title', () => {
  test('label = median, minus the lower and plus the upper distance, two decimals, a real minus sign', () => {
    const t = quantileTitle('m', [1.64, 3, 6.16])
    expect(t).toEqual({ main: 'm = 3.00', minus: '\u22121.36', plus: '+3.16' })
  })

  test('another format, and no label', () => {
    expect(quantileTitle(undefined, [-0.5, -0.25, 1], '.3f')).toEqual({
      main: '\u22120.250',
      minus: '\u22120.250',
      plus: '+1.250',
    })
  })
})
