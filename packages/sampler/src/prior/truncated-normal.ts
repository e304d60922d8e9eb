// The quantile of a standard normal truncated to [alpha, beta]. The textbook
// Φ⁻¹(Φ(α) + u·(Φ(β) - Φ(α))) fails in a tail: for α = 8, Φ(β) - Φ(α) is a difference of two
// numbers that round to 1, and beyond 38σ every Φ and Q is 0. So every mass here is one that is
// small where it matters: the tail below α, the tail above β, the mass of the interval (from
// erf near 0, from a ratio of Q's in a tail), and beyond 30σ the whole computation moves to
// log space.

import { erfcx } from './error-function.ts'
import { centralQuantile, normalQuantile, upperTailQuantileFromLog } from './normal-quantile.ts'
import {
  centralMass,
  logTailRatio,
  logUpperTail,
  lowerTail,
  millsRatio,
  upperTail,
} from './standard-normal.ts'

/** Beyond 30σ, Q(α)·(1 - u) can leave the normal doubles: the tail is solved in log space. */
const FAR = 30
/** Below this mass, Φ⁻¹ uses AS 241's tail approximations (1/2 - 0.425). */
const TAIL_MASS = 0.075
/** Below this mass, the sum Φ(α) + u·D may have lost digits to underflow: use its log. */
const TINY_MASS = 1e-300

/**
 * The quantile function u ↦ z of the standard normal truncated to [alpha, beta], for
 * alpha < beta (either may be infinite) and u in [0, 1]. z always lies in [alpha, beta]; at an
 * infinite bound u = 0 or 1 gives ±Infinity, so callers keep u inside (0, 1) there.
 */
export function truncatedStandardNormalQuantile(alpha: number, beta: number): (u: number) => number {
  if (alpha > FAR) {
    const tail = farTailQuantile(alpha, beta)
    return (u) => tail(u, 1 - u)
  }
  if (beta < -FAR) {
    // By symmetry: the mass below z in [alpha, beta] is the mass above -z in [-beta, -alpha].
    const tail = farTailQuantile(-beta, -alpha)
    return (u) => -tail(1 - u, u)
  }
  return quantileFromMasses(alpha, beta)
}

/** The mass of [alpha, beta], from whichever form has no cancellation. */
function intervalMass(alpha: number, beta: number): number {
  if (alpha >= 0) return upperTail(alpha) * -Math.expm1(logTailRatio(alpha, beta))
  if (beta <= 0) return upperTail(-beta) * -Math.expm1(logTailRatio(-beta, -alpha))
  return centralMass(beta) - centralMass(alpha) // a positive plus a positive
}

/**
 * For alpha <= 30 and beta >= -30: the mass below z is Φ(α) + u·D and the mass above it
 * Q(β) + (1-u)·D, both sums of non-negative terms, so whichever is small is exact and goes to
 * Φ⁻¹ as a tail; in the middle, Φ(z) - 1/2 = (Φ(α) - 1/2) + u·D goes to AS 241 directly.
 */
function quantileFromMasses(alpha: number, beta: number): (u: number) => number {
  const below = lowerTail(alpha)
  const above = upperTail(beta)
  const mass = intervalMass(alpha, beta)
  const belowFromCentre = centralMass(alpha)
  const logBelow = alpha === Number.NEGATIVE_INFINITY ? Number.NEGATIVE_INFINITY : logUpperTail(-alpha)
  const logMass = Math.log(mass)
  return (u) => {
    if (u === 0) return alpha
    if (u === 1) return beta
    let z: number
    const lower = below + u * mass
    const upper = above + (1 - u) * mass
    // u can be as small as 5e-324 (u = 0 at an infinite bound), and then u·D underflows.
    if (lower < TINY_MASS) z = -upperTailQuantileFromLog(logSum(logBelow, Math.log(u) + logMass))
    else if (lower < TAIL_MASS) z = normalQuantile(lower)
    else if (upper < TAIL_MASS) z = -normalQuantile(upper)
    else z = centralQuantile(belowFromCentre + u * mass)
    return Math.min(beta, Math.max(alpha, z))
  }
}

/** log(e^a + e^b), without overflow or underflow. */
function logSum(a: number, b: number): number {
  const max = Math.max(a, b)
  if (max === Number.NEGATIVE_INFINITY) return max
  return max + Math.log1p(Math.exp(Math.min(a, b) - max))
}

/**
 * For 30 < a < b <= Infinity: (v, w) ↦ z with the fraction v of the interval's mass in [a, z],
 * and w = 1 - v given too, so that the end whose fraction is small keeps all its digits.
 * With t = Q(z)/Q(a) = 1 - v(1 - r) = r + w(1 - r), r = Q(b)/Q(a), z solves
 * log Q(z) - log Q(a) = log t. Newton's method converges on this concave, decreasing function
 * from the right, which is where the start sqrt(a² - 2 log t) lies.
 */
function farTailQuantile(a: number, b: number): (v: number, w: number) => number {
  const logR = logTailRatio(a, b)
  const r = Math.exp(logR)
  const oneMinusR = -Math.expm1(logR)
  const logErfcxA = Math.log(erfcx(a * Math.SQRT1_2))
  return (v, w) => {
    if (v === 0) return a
    if (w === 0) return b
    const logT = v <= 0.5 ? Math.log1p(-v * oneMinusR) : Math.log(r + w * oneMinusR)
    // a·sqrt(1 - 2 log t / a²) rather than sqrt(a² - 2 log t), so a huge a does not overflow.
    let z = Math.min(b, a * Math.sqrt(1 - (2 * logT) / a / a))
    for (let i = 0; i < 50; i++) {
      // log Q(z) - log Q(a), without the two large -z²/2 and -a²/2 that would cancel.
      const g = -((z - a) * (z + a)) / 2 + Math.log(erfcx(z * Math.SQRT1_2)) - logErfcxA
      const next = Math.min(b, Math.max(a, z + (g - logT) * millsRatio(z)))
      const converged = Math.abs(next - z) <= 2 * Number.EPSILON * z
      z = next
      if (converged) break
    }
    return z
  }
}
