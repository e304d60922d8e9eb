// Whether two ellipsoids overlap, after Gilitschenski & Hanebeck (2012): with Σ = A⁻¹ and
// d = c₁ − c₂, K(s) = 1 − dᵀ(Σ₁/(1 − s) + Σ₂/s)⁻¹d is convex on (0, 1), and the ellipsoids are
// disjoint exactly when K dips below zero somewhere, so they overlap when min K > 0. (Two balls:
// min K = 1 − |d|²/(r₁ + r₂)².) Both covariances are diagonalised together once, so each K(s)
// costs O(d) and the 1-D minimisation is cheap.
// Its errors are internal checks: only the nested sampler calls it, with data it made.

import type { Ellipsoid } from './ellipsoid.ts'
import { lowerTimesLower, lowerTimesTranspose, symmetricEigen } from './linear-algebra.ts'

/**
 * min over s in (0, 1) of K(s) = 1 − dᵀ(Σ₁/(1 − s) + Σ₂/s)⁻¹d. Positive when the ellipsoids
 * overlap, negative when they are disjoint, zero when they touch.
 */
export function overlapMinimum(first: Ellipsoid, second: Ellipsoid): number {
  const n = first.dim
  if (second.dim !== n) throw new RangeError('overlapMinimum: the ellipsoids differ in dimension')
  // With Σ₁ = B₁B₁ᵀ and B₁⁻¹Σ₂B₁⁻ᵀ = QΛQᵀ: Σ₁/(1 − s) + Σ₂/s = B₁Q(I/(1 − s) + Λ/s)QᵀB₁ᵀ, so
  // K(s) = 1 − Σᵢ eᵢ² s(1 − s)/(s + λᵢ(1 − s)) with e = QᵀB₁⁻¹d.
  const c = lowerTimesLower(first.factorInverse, second.factor, n)
  const { values, vectors } = symmetricEigen(lowerTimesTranspose(c, n), n)
  const whitened = new Float64Array(n)
  const inv = first.factorInverse
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j <= i; j++) s += inv[i * n + j]! * (first.centre[j]! - second.centre[j]!)
    whitened[i] = s
  }
  const e2 = new Float64Array(n)
  const lambda = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    let s = 0
    for (let i = 0; i < n; i++) s += vectors[i * n + k]! * whitened[i]!
    e2[k] = s * s
    // Rounding can leave a tiny negative eigenvalue of a positive definite matrix.
    lambda[k] = Math.max(values[k]!, 0)
  }
  const k = (s: number): number => {
    let sum = 0
    const t = s * (1 - s)
    for (let i = 0; i < n; i++) sum += (e2[i]! * t) / (s + lambda[i]! * (1 - s))
    return 1 - sum
  }
  return minimizeOnInterval(k, 0, 1).value
}

/** Whether the two ellipsoids share a point (interiors overlap; touching counts as not overlapping). */
export function ellipsoidsOverlap(first: Ellipsoid, second: Ellipsoid): boolean {
  return overlapMinimum(first, second) > 0
}

/** Whether any two of the ellipsoids overlap. */
export function anyOverlap(ellipsoids: readonly Ellipsoid[]): boolean {
  for (let i = 0; i < ellipsoids.length; i++) {
    for (let j = i + 1; j < ellipsoids.length; j++) {
      if (ellipsoidsOverlap(ellipsoids[i]!, ellipsoids[j]!)) return true
    }
  }
  return false
}

const GOLDEN = (3 - Math.sqrt(5)) / 2

/**
 * Brent's minimisation of a unimodal f on [lo, hi]: parabolic steps through the three best points
 * when they behave, golden-section steps otherwise. Never evaluates f at the end points.
 */
export function minimizeOnInterval(
  f: (x: number) => number,
  lo: number,
  hi: number,
  tolerance = 1e-10,
  maxIterations = 200,
): { at: number; value: number } {
  let a = lo
  let b = hi
  let x = a + GOLDEN * (b - a)
  let w = x
  let v = x
  let fx = f(x)
  let fw = fx
  let fv = fx
  let step = 0 // the last step taken
  let previousStep = 0 // the step before it: a parabolic step must be smaller than half of this
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const mid = 0.5 * (a + b)
    const tol1 = 1.5e-8 * Math.abs(x) + tolerance / 3
    const tol2 = 2 * tol1
    if (Math.abs(x - mid) <= tol2 - 0.5 * (b - a)) break
    let golden = true
    if (Math.abs(previousStep) > tol1) {
      const r = (x - w) * (fx - fv)
      let q = (x - v) * (fx - fw)
      let p = (x - v) * q - (x - w) * r
      q = 2 * (q - r)
      if (q > 0) p = -p
      else q = -q
      const older = previousStep
      previousStep = step
      if (Math.abs(p) < Math.abs(0.5 * q * older) && p > q * (a - x) && p < q * (b - x)) {
        step = p / q
        const u = x + step
        // Not too close to the bracket's ends.
        if (u - a < tol2 || b - u < tol2) step = x < mid ? tol1 : -tol1
        golden = false
      }
    }
    if (golden) {
      previousStep = (x < mid ? b : a) - x
      step = GOLDEN * previousStep
    }
    const u = Math.abs(step) >= tol1 ? x + step : x + (step > 0 ? tol1 : -tol1)
    const fu = f(u)
    if (fu <= fx) {
      if (u < x) b = x
      else a = x
      v = w
      fv = fw
      w = x
      fw = fx
      x = u
      fx = fu
    } else {
      if (u < x) a = u
      else b = u
      if (fu <= fw || w === x) {
        v = w
        fv = fw
        w = u
        fw = fu
      } else if (fu <= fv || v === x || v === w) {
        v = u
        fv = fu
      }
    }
  }
  return { at: x, value: fx }
}
