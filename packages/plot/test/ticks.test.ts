// Ticks as matplotlib's MaxNLocator and formatter place them, on ranges worked out by hand.

import { describe, expect, test } from 'vitest'
import { linearTicks, logTicks, niceTicks } from '../src/index.ts'

describe('niceTicks', () => {
  test('the smallest nice step with at most n intervals', () => {
    // [0, 10] in 5 intervals: the step 2 → 0, 2, ..., 10.
    expect(niceTicks(0, 10, 5).values).toEqual([0, 2, 4, 6, 8, 10])
    // [0.13, 0.91]: raw step 0.156 → 0.2 → 0.2, 0.4, 0.6, 0.8.
    expect(niceTicks(0.13, 0.91, 5).values.map((v) => +v.toFixed(12))).toEqual([0.2, 0.4, 0.6, 0.8])
    // Steps of 2.5 and 1.5 are nice too: [0, 10] in 4 intervals → 2.5.
    expect(niceTicks(0, 10, 4).step).toBe(2.5)
  })

  test('prune="lower" drops the lowest covering tick, visible only when the range starts on one', () => {
    expect(niceTicks(0, 10, 5, true).values).toEqual([2, 4, 6, 8, 10])
    expect(niceTicks(0.13, 0.91, 5, true).values.map((v) => +v.toFixed(12))).toEqual([0.2, 0.4, 0.6, 0.8])
  })

  test('at most five ticks for corner’s axes, on any range', () => {
    for (const [lo, hi] of [
      [-3.7, 4.2],
      [0.001, 0.0097],
      [1234, 5678],
      [-1e-7, 3e-7],
    ] as const) {
      const t = niceTicks(lo, hi, 5, true).values
      expect(t.length).toBeGreaterThanOrEqual(2)
      expect(t.length).toBeLessThanOrEqual(5)
      for (const v of t) expect(v >= lo - 1e-12 * (hi - lo) && v <= hi + 1e-12 * (hi - lo)).toBe(true)
    }
  })
})

describe('labels', () => {
  test('just the decimals of the step, with a real minus sign', () => {
    expect(linearTicks(-1, 1, 4).labels).toEqual(['\u22121.0', '\u22120.5', '0.0', '0.5', '1.0'])
    expect(linearTicks(0, 10, 4).labels).toEqual(['0.0', '2.5', '5.0', '7.5', '10.0'])
  })

  test('ticks sharing many leading digits are shown against an offset', () => {
    const t = linearTicks(1000000.1, 1000000.5, 4)
    expect(t.corner).toBe('+1e6')
    expect(t.labels).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5'])
  })

  test('very large or small values are shown in units of a power of ten', () => {
    const t = linearTicks(0, 4e-7, 4)
    expect(t.corner).toBe('1e\u22127')
    expect(t.labels).toEqual(['0', '1', '2', '3', '4'])
  })
})

describe('logTicks', () => {
  test('decades labelled 10^k, 2..9 times them as minor ticks', () => {
    const t = logTicks(50, 20000)
    expect(t.values).toEqual([100, 1000, 10000])
    expect(t.labels).toEqual([
      { base: '10', exponent: '2' },
      { base: '10', exponent: '3' },
      { base: '10', exponent: '4' },
    ])
    expect(t.minor).toContain(50)
    expect(t.minor).toContain(2000)
  })

  test('with fewer than two decades, 2 and 5 times a decade are labelled too', () => {
    const t = logTicks(1.5, 70)
    expect(t.values).toEqual([2, 5, 10, 20, 50])
    expect(t.labels).toEqual(['2', '5', '10', '20', '50'])
  })
})
