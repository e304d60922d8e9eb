// Shared test helpers for the geometry tests: seeded point clouds, random ellipsoids and a
// Kolmogorov-Smirnov statistic.

import { Random } from '@parafit/core'
import { Ellipsoid } from '../../../src/nested/geometry/ellipsoid.ts'

/** n points c + s·N(0, I) in d dimensions. */
export function gaussianBlob(
  rng: Random,
  n: number,
  centre: readonly number[],
  sigma: number,
): Float64Array[] {
  const d = centre.length
  const out: Float64Array[] = []
  for (let i = 0; i < n; i++) {
    const p = new Float64Array(d)
    for (let k = 0; k < d; k++) p[k] = centre[k]! + sigma * rng.normal()
    out.push(p)
  }
  return out
}

/** n points uniform in [lo, hi)^d. */
export function uniformBox(rng: Random, n: number, d: number, lo = 0, hi = 1): Float64Array[] {
  const out: Float64Array[] = []
  for (let i = 0; i < n; i++) {
    const p = new Float64Array(d)
    for (let k = 0; k < d; k++) p[k] = lo + (hi - lo) * rng.uniform()
    out.push(p)
  }
  return out
}

/** A random ellipsoid: centre in [lo, hi)^d, covariance L·Lᵀ with axis scales in [sMin, sMax) and random correlations. */
export function randomEllipsoid(rng: Random, d: number, sMin = 0.05, sMax = 0.3, lo = 0, hi = 1): Ellipsoid {
  const centre = new Float64Array(d)
  for (let k = 0; k < d; k++) centre[k] = lo + (hi - lo) * rng.uniform()
  const l = new Float64Array(d * d)
  for (let i = 0; i < d; i++) {
    l[i * d + i] = sMin + (sMax - sMin) * rng.uniform()
    for (let j = 0; j < i; j++) l[i * d + j] = 0.5 * (sMax - sMin) * (rng.uniform() - 0.5)
  }
  const cov = new Float64Array(d * d)
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0
      for (let k = 0; k < d; k++) s += l[i * d + k]! * l[j * d + k]!
      cov[i * d + j] = s
    }
  }
  return Ellipsoid.fromCovariance(centre, cov)
}

/** The Kolmogorov-Smirnov distance between a sample and U(0, 1). */
export function ksUniform(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  let worst = 0
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!
    worst = Math.max(worst, Math.abs((i + 1) / n - v), Math.abs(v - i / n))
  }
  return worst
}

/** The two-sided 1% critical value of the KS distance for n draws. */
export function ksCritical(n: number): number {
  return 1.63 / Math.sqrt(n)
}

/** Area of the lens where two discs of radii r1, r2 with centres `dist` apart overlap. */
export function lensArea(r1: number, r2: number, dist: number): number {
  if (dist >= r1 + r2) return 0
  if (dist <= Math.abs(r1 - r2)) return Math.PI * Math.min(r1, r2) ** 2
  const a1 = r1 * r1 * Math.acos((dist * dist + r1 * r1 - r2 * r2) / (2 * dist * r1))
  const a2 = r2 * r2 * Math.acos((dist * dist + r2 * r2 - r1 * r1) / (2 * dist * r2))
  const k = 0.5 * Math.sqrt((-dist + r1 + r2) * (dist + r1 - r2) * (dist - r1 + r2) * (dist + r1 + r2))
  return a1 + a2 - k
}

/** A ball as an ellipsoid. */
export function ball(centre: readonly number[], radius: number): Ellipsoid {
  const d = centre.length
  const cov = new Float64Array(d * d)
  for (let i = 0; i < d; i++) cov[i * d + i] = radius * radius
  return Ellipsoid.fromCovariance(Float64Array.from(centre), cov)
}

/** A fresh copy of a generator, for checking that two objects make the same draws. */
export function cloneRandom(rng: Random): Random {
  return Random.fromState(rng.state())
}
