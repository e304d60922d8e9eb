// scipy.ndimage.gaussian_filter's defaults (mode 'reflect', truncate 4) on arrays small enough to
// work out by hand. (Also checked once against scipy 1.17.1 itself: agreement to 3e-15.)

import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { reflectIndex } from '../src/gaussian-filter.ts'
import { gaussianFilter1d, gaussianFilter2d, gaussianKernel } from '../src/index.ts'

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0)

// σ = 0.5: radius int(4·0.5 + 0.5) = 2, weights exp(-2k²) for k = -2..2, normalised.
const S = 1 + 2 * Math.exp(-2) + 2 * Math.exp(-8)
const w0 = 1 / S
const w1 = Math.exp(-2) / S
const w2 = Math.exp(-8) / S

describe('the kernel', () => {
  test('has radius int(4σ + 0.5) and weights exp(-k²/2σ²), normalised', () => {
    expect(gaussianKernel(1)).toHaveLength(9) // radius 4
    expect(gaussianKernel(0.6)).toHaveLength(5) // 4·0.6 + 0.5 = 2.9: radius 2
    expect(gaussianKernel(0.65)).toHaveLength(7) // 3.1: radius 3
    const k = gaussianKernel(0.5)
    ;[w2, w1, w0, w1, w2].forEach((w, i) => {
      expect(k[i]).toBeCloseTo(w, 16)
    })
  })
})

describe("mode 'reflect'", () => {
  test('mirrors about the edges, edge value included: d c b a | a b c d | d c b a', () => {
    const n = 4
    const mapped = [-8, -5, -4, -3, -2, -1, 0, 3, 4, 5, 7, 8, 9].map((i) => reflectIndex(i, n))
    expect(mapped).toEqual([0, 3, 3, 2, 1, 0, 0, 3, 3, 2, 0, 0, 1])
  })

  test('a unit at the left edge: what falls off the edge comes back mirrored', () => {
    // out[0] reads a[0] (w0) and a[-1] = a[0] (w1); out[1] reads a[0] (w1) and a[-1] = a[0] (w2);
    // out[2] reads a[0] at k = -2 (w2).
    const out = gaussianFilter1d([1, 0, 0, 0, 0], 0.5)
    ;[w0 + w1, w1 + w2, w2, 0, 0].forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v, 15)
    })
    expect(sum(out)).toBeCloseTo(1, 15)
  })

  test('a unit at the right edge is the mirror image', () => {
    const out = gaussianFilter1d([0, 0, 0, 0, 1], 0.5)
    ;[0, 0, w2, w1 + w2, w0 + w1].forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v, 15)
    })
  })

  test('a kernel wider than the array (σ = 3 on 5 values: radius 12) keeps a constant constant', () => {
    for (const v of gaussianFilter1d([2, 2, 2, 2, 2], 3)) expect(v).toBeCloseTo(2, 14)
  })

  test('the 2-D filter is the 1-D one along each axis: a corner unit gives an outer product', () => {
    const H = [Float64Array.of(1, 0, 0), Float64Array.of(0, 0, 0), Float64Array.of(0, 0, 0)]
    const v = [w0 + w1, w1 + w2, w2]
    const out = gaussianFilter2d(H, 0.5)
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(out[i]![j]).toBeCloseTo(v[i]! * v[j]!, 15)
    expect(H[0]![0]).toBe(1) // the input is left alone
  })

  test('σ = 0 leaves the values as they are', () => {
    expect([...gaussianFilter1d([3, 1, 4], 0)]).toEqual([3, 1, 4])
  })
})

describe('properties', () => {
  // With a symmetric kernel, reflect sends back exactly what leaves each edge, so the sum stays.
  test.prop([
    fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
    fc.double({ min: 0.1, max: 6, noNaN: true }),
  ])('the sum is preserved, for any σ, even a kernel wider than the array', (values, sigma) => {
    expect(sum(gaussianFilter1d(values, sigma))).toBeCloseTo(sum(values), 9)
  })

  test.prop([
    fc.array(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }), {
      minLength: 1,
      maxLength: 6,
    }),
    fc.double({ min: 0.2, max: 3, noNaN: true }),
  ])('the 2-D sum is preserved and no value leaves [min, max]', (rows, sigma) => {
    const H = rows.map((r) => Float64Array.from(r))
    const out = gaussianFilter2d(H, sigma)
    const all = H.flatMap((r) => [...r])
    expect(sum(out.flatMap((r) => [...r]))).toBeCloseTo(sum(all), 9)
    for (const r of out) {
      for (const v of r) {
        expect(v).toBeGreaterThanOrEqual(Math.min(...all) - 1e-12)
        expect(v).toBeLessThanOrEqual(Math.max(...all) + 1e-12)
      }
    }
  })
})
