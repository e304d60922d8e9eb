// Euclidean norms that neither overflow nor underflow where the norm itself is a double, as
// MINPACK's enorm and BLAS's dnrm2 compute them. The plain Σx² overflows as soon as one entry
// passes 1.3e154 (a residual of 1e200 gives Infinity) and loses every entry below 1.5e-154 to
// underflow (residuals of 1e-200 give 0), although the norms, 1e200 and 1e-200, are ordinary
// doubles. Least squares divides and compares norms, so it works with norms, and squares one
// only to report a sum of squares.

/**
 * Below this, the plain sum of squares may have lost underflowed entries: each loses at most
 * 2.5e-324, so even 1e9 of them change a sum above 1e-280 by less than 1e-34 of itself.
 */
const SMALLEST_PLAIN_SUM = 1e-280

/** ‖v‖₂ = √Σ v_i², computed without overflow or underflow. NaN if any entry is NaN. */
export function norm2(v: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!
  // The common case: every square and the sum are ordinary doubles, so the plain sum is exact enough.
  if (sum < Number.POSITIVE_INFINITY && sum >= SMALLEST_PLAIN_SUM) return Math.sqrt(sum)
  let largest = 0
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!)
    if (Number.isNaN(a)) return Number.NaN
    if (a > largest) largest = a
  }
  if (largest === 0 || !Number.isFinite(largest)) return largest
  // Scaled by the largest entry: every term is at most 1, and the largest is exactly 1.
  let scaled = 0
  for (let i = 0; i < v.length; i++) {
    const t = v[i]! / largest
    scaled += t * t
  }
  return largest * Math.sqrt(scaled)
}

/** ‖D v‖₂ for a diagonal scaling D = diag(d). */
export function scaledNorm(d: ArrayLike<number>, v: ArrayLike<number>): number {
  const dv = new Float64Array(v.length)
  for (let j = 0; j < v.length; j++) dv[j] = d[j]! * v[j]!
  return norm2(dv)
}

/**
 * Σ v_i², from the norm: exact where the sum is a double, Infinity only when the sum itself is
 * beyond the largest double (then keep working with norm2).
 */
export function sumOfSquares(v: ArrayLike<number>): number {
  const norm = norm2(v)
  return norm * norm
}

/**
 * The cosine of the angle between a and b, aᵀb / (‖a‖ ‖b‖), computed on the normalised vectors
 * so that the dot product of two large vectors cannot overflow. 0 when either is zero.
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm2(a)
  const nb = norm2(b)
  if (na === 0 || nb === 0) return 0
  let dot = 0
  for (let i = 0; i < a.length; i++) dot += (a[i]! / na) * (b[i]! / nb)
  return dot
}
