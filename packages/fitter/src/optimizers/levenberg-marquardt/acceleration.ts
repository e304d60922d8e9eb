// Geodesic acceleration (Transtrum and Sethna 2012) without its extra evaluation. Their step is
// δ = v + a/2, where v is the Levenberg-Marquardt step (the velocity) and a solves the damped
// system J a = -r_vv for the residuals' second derivative along v, which they get from one more
// evaluation at x + h v. Here r_vv comes from the step just taken: with δ the last accepted step,
// r(x - δ) = r(x) - J δ + ½ r_δδ + O(‖δ‖³), so r_δδ = 2 (r_before - r + J δ) is known from residuals
// already evaluated and the Jacobian at x. It applies to v only as far as v runs along δ, which
// in a long curved valley (where acceleration matters) successive steps do.

import { scaledNorm } from '../../least-squares/norms.ts'
import type { TrustRegionSubproblem } from '../../least-squares/trust-region-step.ts'

/**
 * The least alignment |cos| between the new step and the last one (in the scaled variables) for
 * which r_δδ stands for r_vv. Along v = c δ + w, r_vv = c² r_δδ + 2c r_δw + r_ww, and the terms in
 * w, which r_δδ does not know, stay small when w does: at 0.99, |w| < 0.15 |v|.
 */
const MIN_ALIGNMENT = 0.99

/**
 * The largest 2‖D a‖ / ‖D v‖ accepted (Transtrum and Sethna's α, GSL's avmax): a larger
 * correction means the path bends too much within the step for a second-order correction.
 */
const MAX_ACCELERATION_RATIO = 0.75

/** The residuals' second derivative along a step. */
export interface Curvature {
  readonly direction: Float64Array
  readonly rdd: Float64Array
}

/** r_δδ for the accepted step δ from residuals `before` to `r`, with the Jacobian's `columns` at the new point. */
export function curvatureAlong(
  step: Float64Array,
  before: Float64Array,
  r: Float64Array,
  columns: readonly Float64Array[],
): Curvature {
  const rdd = new Float64Array(r.length)
  for (let i = 0; i < r.length; i++) {
    let jd = 0
    for (let j = 0; j < step.length; j++) jd += columns[j]![i]! * step[j]!
    rdd[i] = 2 * (before[i]! - r[i]! + jd)
  }
  return { direction: Float64Array.from(step), rdd }
}

/**
 * The correction a/2 to add to the step `v` (with damping `lambda`, scaling `d`), or undefined
 * when `curvature` does not apply to it (v not along the last step) or the correction is too large.
 */
export function accelerationFor(
  v: Float64Array,
  vScaledNorm: number,
  lambda: number,
  curvature: Curvature,
  d: Float64Array,
  subproblem: TrustRegionSubproblem,
): Float64Array | undefined {
  const { direction, rdd } = curvature
  const directionNorm = scaledNorm(d, direction)
  if (directionNorm === 0 || vScaledNorm === 0) return undefined
  let alignment = 0
  for (let j = 0; j < v.length; j++) {
    alignment += ((d[j]! * v[j]!) / vScaledNorm) * ((d[j]! * direction[j]!) / directionNorm)
  }
  if (!(Math.abs(alignment) >= MIN_ALIGNMENT)) return undefined
  // v ≈ c δ, so r_vv ≈ c² r_δδ; the damped solve is linear, so a = c² · (the solve for r_δδ).
  const c = (alignment * vScaledNorm) / directionNorm
  const a = subproblem.dampedSolve(rdd, lambda)
  const half = a.map((aj) => 0.5 * c * c * aj)
  const correction = scaledNorm(d, half)
  if (!(correction > 0 && 4 * correction <= MAX_ACCELERATION_RATIO * vScaledNorm)) return undefined
  return half
}
