// The standard normal's tails: Φ(z), Q(z) = 1 - Φ(z), log Q(z) and the Mills ratio Q(z)/φ(z),
// each computed on the side where it is small, so that neither tail loses digits to a
// difference with 1 and log Q stays finite where Q itself underflows (z > 37.5).

import { erf, erfc, erfcx } from './error-function.ts'

const SQRT_HALF_PI = Math.sqrt(Math.PI / 2)
const LN_HALF = Math.log(0.5)
/** Below this z, erfc(z/√2) is computed directly (Cody's first interval ends at 0.46875·√2). */
const DIRECT = 0.6
/** Beyond this z, Q(z) is below the smallest double. */
const UNDERFLOW = 39

/** exp(-z²/2) without the rounding error of z², which would cost z²/2 ulps (700 at z = 37). */
function expMinusHalfSquare(z: number): number {
  const z1 = Math.trunc(z * 16) / 16 // z1² is exact
  return Math.exp((-z1 * z1) / 2) * Math.exp((-(z - z1) * (z + z1)) / 2)
}

/** Q(z) = P(Z > z), the upper tail, to a few ulps (relative) for every z. */
export function upperTail(z: number): number {
  if (z < 0) return 1 - upperTail(-z)
  if (z < DIRECT) return 0.5 * erfc(z * Math.SQRT1_2)
  if (z > UNDERFLOW) return 0 // and Infinity, where the split of z² would give NaN
  return 0.5 * erfcx(z * Math.SQRT1_2) * expMinusHalfSquare(z)
}

/** Φ(z) = P(Z ≤ z), the lower tail. */
export function lowerTail(z: number): number {
  return upperTail(-z)
}

/** log Q(z), finite for every finite z (Q underflows beyond z = 38.5, its log does not). */
export function logUpperTail(z: number): number {
  if (z < 0) return Math.log1p(-upperTail(-z))
  if (z < DIRECT) return Math.log(0.5 * erfc(z * Math.SQRT1_2))
  return (-z * z) / 2 + LN_HALF + Math.log(erfcx(z * Math.SQRT1_2))
}

/** The Mills ratio Q(z)/φ(z), which is 1/(d log Q/dz) up to sign: Newton steps in log space. */
export function millsRatio(z: number): number {
  return SQRT_HALF_PI * erfcx(z * Math.SQRT1_2)
}

/** Φ(z) - 1/2, the mass between 0 and z (negative for z < 0), with full relative accuracy near 0. */
export function centralMass(z: number): number {
  return 0.5 * erf(z * Math.SQRT1_2)
}

/**
 * log(Q(b)/Q(a)) for 0 <= a <= b <= Infinity: the mass beyond b as a fraction of the mass beyond a,
 * in log space and without Q itself, so it is exact when both underflow (a, b > 38).
 */
export function logTailRatio(a: number, b: number): number {
  if (b === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY
  return -((b - a) * (b + a)) / 2 + Math.log(erfcx(b * Math.SQRT1_2) / erfcx(a * Math.SQRT1_2))
}
