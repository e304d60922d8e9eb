import { fc, test } from '@fast-check/vitest'
import { Random } from '@parafit/core'
import { describe, expect } from 'vitest'
import type { Ellipsoid } from '../../../src/nested/geometry/ellipsoid.ts'
import {
  anyOverlap,
  ellipsoidsOverlap,
  minimizeOnInterval,
  overlapMinimum,
} from '../../../src/nested/geometry/overlap.ts'
import { ball, randomEllipsoid } from './helpers.ts'

// The smallest (x − c₂)ᵀA₂(x − c₂) over many points of the first ellipsoid: inside and, densely,
// on its surface (where the minimum lies unless the second centre is inside the first).
function bruteForceClosest(first: Ellipsoid, second: Ellipsoid, rng: Random, n: number): number {
  const d = first.dim
  const y = new Float64Array(d)
  const x = new Float64Array(d)
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < n; i++) {
    let r2 = 0
    for (let k = 0; k < d; k++) {
      y[k] = rng.normal()
      r2 += y[k]! * y[k]!
    }
    const scale = (i % 2 === 0 ? 1 : rng.uniform() ** (1 / d)) / Math.sqrt(r2)
    for (let k = 0; k < d; k++) y[k]! *= scale
    first.fromUnitBall(y, x)
    best = Math.min(best, second.mahalanobis(x))
  }
  return best
}

describe('overlap test', () => {
  test.prop(
    [
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 3, noNaN: true }),
      fc.integer({ min: 2, max: 8 }),
    ],
    { numRuns: 200, seed: 3 },
  )('for two balls the minimum of K is 1 − |d|²/(r₁ + r₂)²', (r1, r2, dist, d) => {
    const c2 = Array(d).fill(0)
    c2[0] = dist
    const k = overlapMinimum(ball(Array(d).fill(0), r1), ball(c2, r2))
    expect(k).toBeCloseTo(1 - (dist * dist) / (r1 + r2) ** 2, 7)
  })

  test('agrees with brute force on random pairs (2-D, 3-D and 5-D)', () => {
    const rng = Random.fromSeed(11)
    let overlapping = 0
    let disjoint = 0
    for (const d of [2, 3, 5]) {
      for (let pair = 0; pair < 120; pair++) {
        const a = randomEllipsoid(rng, d, 0.05, 0.3)
        const b = randomEllipsoid(rng, d, 0.05, 0.3)
        const k = overlapMinimum(a, b)
        expect(overlapMinimum(b, a)).toBeCloseTo(k, 6)
        const closest = bruteForceClosest(a, b, rng, d === 2 ? 4000 : 20000)
        if (k < 0) {
          // Disjoint: no point of the first may lie in the second.
          expect(closest).toBeGreaterThan(1)
          disjoint++
        } else if (k > 0.05) {
          // Clearly overlapping: brute force finds a shared point.
          expect(closest).toBeLessThan(1)
          overlapping++
        }
        expect(ellipsoidsOverlap(a, b)).toBe(k > 0)
      }
    }
    expect(overlapping).toBeGreaterThan(40)
    expect(disjoint).toBeGreaterThan(40)
  })

  test('a small ellipsoid inside a large one overlaps it; far apart ones do not', () => {
    const big = ball([0.5, 0.5, 0.5], 0.4)
    const small = ball([0.6, 0.5, 0.5], 0.01)
    expect(ellipsoidsOverlap(big, small)).toBe(true)
    expect(ellipsoidsOverlap(small, big)).toBe(true)
    expect(ellipsoidsOverlap(ball([0, 0, 0], 0.1), ball([1, 0, 0], 0.1))).toBe(false)
    expect(anyOverlap([ball([0, 0], 0.1), ball([1, 0], 0.1), ball([0.5, 0], 0.1)])).toBe(false)
    expect(anyOverlap([ball([0, 0], 0.1), ball([1, 0], 0.1), ball([0.95, 0], 0.1)])).toBe(true)
  })

  test('the 1-D minimiser finds the minimum of smooth unimodal functions', () => {
    for (const target of [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999]) {
      const r = minimizeOnInterval((s) => (s - target) ** 2 + 1, 0, 1)
      expect(r.at).toBeCloseTo(target, 6)
      expect(r.value).toBeCloseTo(1, 10)
    }
    const r = minimizeOnInterval((s) => Math.abs(s - 0.2), 0, 1)
    expect(r.at).toBeCloseTo(0.2, 6)
  })
})
