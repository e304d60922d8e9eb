// The contours as numbers: where d3-contour's grid lies in data coordinates, symmetry, the
// padding at the range's edges, the mass inside each level on a seeded Gaussian sample, and
// weights against duplicated samples.

import { describe, expect, test } from 'vitest'
import { superlevelPolygons } from '../src/density2d.ts'
import { binEdges, DEFAULT_LEVELS, density2d, histogram2d, padHistogram } from '../src/index.ts'
import { correlatedGaussian, inside, SQRT_DET } from './helpers.ts'

describe('the grid mapping', () => {
  test('a single bin at half its height gives a diamond through the neighbouring centres’ midpoints', () => {
    // Bins of width 1 on [0, 5]: one sample at (2.5, 2.5) fills bin (2, 2), centred at (2.5, 2.5).
    // Marching squares at 0.5 crosses halfway from that centre to each neighbour's: ±0.5.
    const h = histogram2d([2.5], [2.5], binEdges(0, 5, 5), binEdges(0, 5, 5))
    const polygons = superlevelPolygons(padHistogram(h.H, h.xEdges, h.yEdges), 0.5)
    expect(polygons).toHaveLength(1)
    expect(polygons[0]).toHaveLength(1)
    const ring = polygons[0]![0]!
    const corners = new Set(ring.map(([x, y]) => `${x},${y}`))
    expect(corners).toEqual(new Set(['3,2.5', '2.5,3', '2,2.5', '2.5,2']))
  })

  test('contours of a symmetric bump are centred on it', () => {
    // Points on a 21 × 21 grid about (3, -2), one per bin centre, weighted by a Gaussian: a
    // histogram symmetric about its centre, whose contours must be too.
    const x: number[] = []
    const y: number[] = []
    const w: number[] = []
    for (let i = -10; i <= 10; i++) {
      for (let j = -10; j <= 10; j++) {
        x.push(3 + 0.1 * i)
        y.push(-2 + 0.2 * j)
        w.push(Math.exp(-(i * i + j * j) / 20))
      }
    }
    const d = density2d(x, y, {
      weights: w,
      bins: 21,
      range: [
        [1.95, 4.05],
        [-4.1, 0.1],
      ],
    })
    expect(d.contours).toHaveLength(4)
    for (const c of d.contours) {
      const ring = c.polygons[0]![0]!
      const xs = ring.map((p) => p[0])
      const ys = ring.map((p) => p[1])
      expect((Math.min(...xs) + Math.max(...xs)) / 2).toBeCloseTo(3, 10)
      expect((Math.min(...ys) + Math.max(...ys)) / 2).toBeCloseTo(-2, 10)
    }
  })

  test('at the range’s edge a contour runs on past it (to be clipped) instead of closing along it', () => {
    // x uniform on [0, 1] (the range), y Gaussian: the density is cut at x = 0 and x = 1.
    const { y } = correlatedGaussian(5, 20000)
    const x = Float64Array.from(y, (_, k) => (k % 1000) / 999)
    const d = density2d(x, y, {
      range: [
        [0, 1],
        [-6, 4],
      ],
    })
    const outer = d.contours[0]!.polygons.flat(2)
    expect(Math.min(...outer.map((p) => p[0]))).toBeLessThan(-0.05)
    expect(Math.max(...outer.map((p) => p[0]))).toBeGreaterThan(1.05)
  })
})

describe('the mass inside each level, on a correlated 2-D Gaussian', () => {
  // 200 000 draws (σx = 2, σy = 1, ρ = 0.6), 40 bins. A level v's contour is, for a Gaussian, the
  // ellipse where the density is (1 - v)/(2π√det Σ); in counts per bin, n·Δx·Δy times that.
  const n = 200_000
  const { x, y } = correlatedGaussian(11, n)
  const d = density2d(x, y, { bins: 40 })
  const fresh = correlatedGaussian(12, 100_000)

  test('the histogram holds each level: cells above its threshold hold at most v, with it more than v', () => {
    // Sorted cells with their cumulative share: the threshold is the last cell whose share is
    // ≤ v. So the cells above it hold ≤ v, and the cells at or above it together with the next
    // smaller cell hold > v (ties of integer counts are many, so both bounds are needed).
    const cells = d.H.flatMap((r) => [...r])
    const share = (keep: (v: number) => boolean) => cells.filter(keep).reduce((s, v) => s + v, 0) / n
    for (const c of d.contours) {
      const nextBelow = Math.max(...cells.filter((v) => v < c.threshold))
      expect(share((v) => v > c.threshold)).toBeLessThanOrEqual(c.level)
      expect(share((v) => v >= c.threshold) + nextBelow / n).toBeGreaterThan(c.level)
    }
  })

  test('each threshold is the Gaussian’s density at that level, within 6 %', () => {
    const cell = (d.xEdges[1]! - d.xEdges[0]!) * (d.yEdges[1]! - d.yEdges[0]!)
    const ratios = d.contours.map(
      (c) => c.threshold / ((n * cell * (1 - c.level)) / (2 * Math.PI * SQRT_DET)),
    )
    for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThan(0.06)
  })

  test('an independent sample falls inside each contour with the stated probability', () => {
    // Measured over 7 seeds at this size: the three outer levels within 0.015 of v, the inner
    // one 0.008-0.026 below it (0.118 → 0.092 for this seed; 0.864, 0.669, 0.382 for the others).
    // Noisy cells near the peak lift its threshold (here 1.7 % above the Gaussian's density),
    // and the polygon through the cell centres cuts inside the curved contour; both shrink with
    // more bins and samples. The count of 100 000 fresh points adds a standard error ≤ 0.0016.
    expect(d.contours.map((c) => c.level)).toEqual([...DEFAULT_LEVELS].reverse())
    const masses = d.contours.map((c) => {
      let hits = 0
      for (let k = 0; k < fresh.x.length; k++) if (inside(c.polygons, fresh.x[k]!, fresh.y[k]!)) hits++
      return hits / fresh.x.length
    })
    masses.forEach((m, k) => {
      const level = d.contours[k]!.level
      expect(Math.abs(m - level), `level ${level}: ${m}`).toBeLessThan(level < 0.2 ? 0.04 : 0.02)
    })
  })
})

describe('weights', () => {
  test('weight 2 gives the same histogram, thresholds and contours as the point twice', () => {
    const { x, y } = correlatedGaussian(3, 4000)
    const weights = Float64Array.from(x, (_, k) => (k % 3 === 0 ? 2 : 1))
    const dx: number[] = []
    const dy: number[] = []
    x.forEach((v, k) => {
      for (let c = 0; c < weights[k]!; c++) {
        dx.push(v)
        dy.push(y[k]!)
      }
    })
    for (const smooth of [undefined, 1]) {
      const weighted = density2d(x, y, { weights, smooth })
      const duplicated = density2d(dx, dy, { smooth })
      expect(weighted.H).toEqual(duplicated.H)
      expect(weighted.contours).toEqual(duplicated.contours)
      expect(weighted.contours).toHaveLength(4)
    }
  })

  test('zero weights remove points from the histogram', () => {
    const d = density2d([0.5, 1.5, 1.5], [0.5, 1.5, 0.5], {
      weights: [1, 1, 0],
      bins: 2,
      range: [
        [0, 2],
        [0, 2],
      ],
    })
    expect(d.H.map((r) => [...r])).toEqual([
      [1, 0],
      [0, 1],
    ])
  })
})
