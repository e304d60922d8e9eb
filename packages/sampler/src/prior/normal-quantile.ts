// The standard normal quantile Φ⁻¹(p), accurate to about an ulp on all of (0, 1), the far
// tails included (p = 1e-300 and the smallest subnormal, 1 - 2⁻⁵³).
//
// Written here, not taken from npm: @stdlib's quantile (erfinv(2p - 1)) loses the lower tail to
// the rounding of 2p - 1, and its erfcinv is off by hundreds of ulps below p = 1e-200 (measured
// against mpmath). This is Wichura's AS 241 (PPND16, Applied Statistics 37, 1988, 477-484):
// within 2.5 ulps of mpmath on (0.075, 0.925). In the tails (AS 241 alone: 3.4 ulps) one Newton
// step on log Q, with Cody's erfcx, brings every p within 1.4 ulps, the subnormal p included.

import { logUpperTail, millsRatio } from './standard-normal.ts'

// AS 241's rational approximations, as the doubles nearest the published 20-digit coefficients:
// A/B for |p - 1/2| <= 0.425, then with r = √(-log min(p, 1 - p)), C/D for r <= 5 and E/F beyond.
const A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
]
const B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
]
const C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
]
const D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
]
const E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
]
const F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
]

/** c₀ + c₁x + ... + c₇x⁷ by Horner's rule. */
function poly(c: readonly number[], x: number): number {
  let sum = c[7]!
  for (let i = 6; i >= 0; i--) sum = sum * x + c[i]!
  return sum
}

/**
 * Φ⁻¹(1/2 + q) for |q| <= 0.425, from q itself: AS 241's central approximation, which keeps the
 * relative accuracy of a small q that 1/2 + q would round away.
 */
export function centralQuantile(q: number): number {
  const r = 0.180625 - q * q
  return (q * poly(A, r)) / poly(B, r)
}

/** AS 241 alone: Φ⁻¹(p) to about 1e-16 for 1e-300 < p < 1; ±Infinity at 0 and 1. */
function as241(p: number): number {
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) return centralQuantile(q)
  const tail = q < 0 ? p : 1 - p
  if (tail <= 0) return q < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  let r = Math.sqrt(-Math.log(tail))
  let z: number
  if (r <= 5) {
    r -= 1.6
    z = poly(C, r) / poly(D, r)
  } else {
    r -= 5
    z = poly(E, r) / poly(F, r)
  }
  return q < 0 ? -z : z
}

/**
 * Φ⁻¹(p): the z with P(Z ≤ z) = p for a standard normal Z. -Infinity at 0, +Infinity at 1, NaN
 * outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY
    if (p === 1) return Number.POSITIVE_INFINITY
    return Number.NaN
  }
  const z = as241(p)
  // In the middle AS 241 is as good as it gets: a Newton step there would take the difference
  // of two logs near log 0.5, whose rounding is large next to a small z.
  if (Math.abs(p - 0.5) <= 0.425) return z
  // Work on the small tail, y = |z| >= 0 with Q(y) = tail: 1 - p is exact for p >= 0.5.
  const lower = p < 0.5
  const tail = lower ? p : 1 - p
  let y = Math.abs(z)
  // Newton on log Q(y) = log tail, whose slope is -1/millsRatio(y). In log space the step is
  // exact however small the tail, and the error of log Q (about y²/2 ulps) is divided by y.
  y += (logUpperTail(y) - Math.log(tail)) * millsRatio(y)
  return lower ? -y : y
}

/**
 * The y >= 0 with log Q(y) = logTail (logTail <= log 1/2): the upper-tail quantile from the log
 * of the tail mass, for masses below the doubles (a tail beyond 38σ, or the product of a tiny u
 * and a small mass). Where the mass is a normal double this is Φ⁻¹; beyond, Newton's method on
 * log Q from the asymptotic y² ≈ -2 log Q - log(-4π log Q) (from Q ≈ φ(y)/y).
 */
export function upperTailQuantileFromLog(logTail: number): number {
  if (logTail > -700) return -normalQuantile(Math.exp(logTail))
  if (logTail === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY
  let y = Math.sqrt(-2 * logTail - Math.log(-4 * Math.PI * logTail))
  for (let i = 0; i < 50; i++) {
    const next = y + (logUpperTail(y) - logTail) * millsRatio(y)
    const converged = Math.abs(next - y) <= 2 * Number.EPSILON * y
    y = next
    if (converged) break
  }
  return y
}
