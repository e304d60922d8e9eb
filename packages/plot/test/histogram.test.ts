// numpy's binning, as corner.py's histograms use it: equal bins from linspace, the last bin
// closed on the right, values outside the range dropped, weights summed.

import { describe, expect, test } from 'vitest'
import { binEdges, histogram1d, histogram2d } from '../src/index.ts'

describe('histograms', () => {
  test('edges are linspace(lo, hi, bins + 1), ending exactly at hi', () => {
    expect([...binEdges(0, 1, 4)]).toEqual([0, 0.25, 0.5, 0.75, 1])
    const e = binEdges(0.1, 0.7, 3)
    expect(e[3]).toBe(0.7)
  })

  test('a value on an edge goes to the bin on its right, except the last edge', () => {
    const edges = binEdges(0, 4, 4)
    // 0 → bin 0; 1 → bin 1; 3.999 → bin 3; 4 (the last edge) → bin 3; -0.1 and 4.1 are dropped.
    expect([...histogram1d([0, 1, 1.5, 3.999, 4, -0.1, 4.1], edges)]).toEqual([1, 2, 0, 2])
  })

  test('a value that rounds across an edge follows the edge, not the arithmetic', () => {
    // 0.3 is below the edge 0.1·3 = 0.30000000000000004 as linspace computes it: bin 2 of 10.
    const edges = binEdges(0, 1, 10)
    expect(edges[3]).toBe(0.30000000000000004)
    expect([...histogram1d([0.3], edges)].indexOf(1)).toBe(2)
  })

  test('weights are summed per bin', () => {
    const edges = binEdges(0, 2, 2)
    expect([...histogram1d([0.5, 0.7, 1.5], edges, [2, 0.5, 3])]).toEqual([2.5, 3])
  })

  test('the 2-D histogram is H[x bin][y bin], a point outside either range dropped', () => {
    const h = histogram2d(
      [0.5, 1.5, 1.5, 1.5, 3],
      [0.5, 0.5, 1.5, 1.5, 0.5],
      binEdges(0, 2, 2),
      binEdges(0, 2, 2),
      [1, 1, 1, 2, 9],
    )
    expect(h.H.map((r) => [...r])).toEqual([
      [1, 0],
      [1, 3],
    ])
  })
})
