// corner.py's threshold rule and padding, on histograms small enough to work out by hand.

import { describe, expect, test } from 'vitest'
import { contourThresholds, DEFAULT_LEVELS, padHistogram } from '../src/index.ts'

const rows = (values: number[][]) => values.map((r) => Float64Array.from(r))

describe('the default levels', () => {
  test('are 1 - exp(-s²/2) for s = 0.5, 1, 1.5, 2', () => {
    expect(DEFAULT_LEVELS).toHaveLength(4)
    const expected = [0.1175030974154046, 0.3934693402873666, 0.6753475326416503, 0.8646647167633873]
    DEFAULT_LEVELS.forEach((v, k) => {
      expect(v).toBeCloseTo(expected[k]!, 15)
    })
  })
})

describe('contourThresholds', () => {
  test('each level takes the last sorted value whose cumulative share is ≤ the level', () => {
    // Sorted: 4, 3, 2, 1 of 10; cumulative shares 0.4, 0.7, 0.9, 1.0.
    // 0.5 → last share ≤ 0.5 is 0.4 (value 4); 0.75 → 0.7 (3); 0.95 → 0.9 (2).
    const t = contourThresholds(
      rows([
        [4, 3],
        [2, 1],
      ]),
      [0.5, 0.75, 0.95],
    )!
    expect([...t.V]).toEqual([2, 3, 4])
    expect(t.duplicates).toBe(false)
  })

  test('a level below the largest cell takes the largest; equal thresholds are pulled apart', () => {
    // A bump: 8 at the centre, 2 beside it, 1 on the corners; total 20. Sorted shares:
    // 0.4 (8), 0.5, 0.6, 0.7, 0.8 (the 2s), 0.85, 0.9, 0.95, 1 (the 1s).
    // 0.1175 and 0.3935 are below 0.4: both take the largest value, 8.
    // 0.6753: last share ≤ it is 0.6, a 2. 0.8647: last share ≤ it is 0.85, a 1.
    // Ascending [1, 2, 8, 8]: the lower 8 becomes 8·(1 - 1e-4).
    const t = contourThresholds(
      rows([
        [1, 2, 1],
        [2, 8, 2],
        [1, 2, 1],
      ]),
      DEFAULT_LEVELS,
    )!
    expect([...t.V]).toEqual([1, 2, 8 * (1 - 1e-4), 8])
    expect(t.duplicates).toBe(true)
  })

  test('three equal thresholds are separated one pair at a time, as corner.py loops', () => {
    // All three levels fall below the first share (0.4): [8, 8, 8]. First pass: V[0] → 8·(1-1e-4).
    // Second: V[1] equals V[2] → 8·(1-1e-4); now V[0] equals V[1]: V[0] → 8·(1-1e-4)².
    const t = contourThresholds(
      rows([
        [1, 2, 1],
        [2, 8, 2],
        [1, 2, 1],
      ]),
      [0.1, 0.2, 0.3],
    )!
    expect([...t.V]).toEqual([8 * (1 - 1e-4) * (1 - 1e-4), 8 * (1 - 1e-4), 8])
    expect(t.duplicates).toBe(true)
  })

  test('an empty histogram has no thresholds', () => {
    expect(
      contourThresholds(
        rows([
          [0, 0],
          [0, 0],
        ]),
        DEFAULT_LEVELS,
      ),
    ).toBeNull()
  })
})

describe('padHistogram', () => {
  test('grows H by two cells per side: the minimum outside, copies of the edges inside', () => {
    const H = rows([
      [5, 6, 7],
      [8, 9, 3],
    ])
    const p = padHistogram(H, Float64Array.of(0, 1, 2), Float64Array.of(10, 12, 14, 16))
    const m = 3
    expect(p.H2.map((r) => [...r])).toEqual([
      [m, m, m, m, m, m, m],
      [m, 5, 5, 6, 7, 7, m],
      [m, 5, 5, 6, 7, 7, m],
      [m, 8, 8, 9, 3, 3, m],
      [m, 8, 8, 9, 3, 3, m],
      [m, m, m, m, m, m, m],
    ])
    // Bin centres 0.5, 1.5 (x) and 11, 13, 15 (y), continued two spacings outwards.
    expect([p.x0, p.dx, p.y0, p.dy]).toEqual([-1.5, 1, 7, 2])
  })
})
