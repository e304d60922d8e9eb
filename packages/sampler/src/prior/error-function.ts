// The complementary error function erfc and its scaled form erfcx(x) = exp(x²)·erfc(x), which
// the normal tails are computed from. erfcx is what keeps the far tails exact: it varies slowly
// (about 1/(x√π)), so exp(-x²) can be taken apart and handled in log space where erfc itself
// underflows (x > 26.5, a normal beyond 37.5σ).
//
// Written here rather than taken from npm: W. J. Cody's rational Chebyshev approximations
// ("Rational Chebyshev approximations for the error function", Math. Comp. 23, 1969, 631-638),
// with the coefficients and argument limits of his CALERF (netlib specfun, 1990) for IEEE
// doubles. They approximate to at least 18 digits; in doubles, erfc and erfcx come within
// 3.1 ulps of mpmath on [-6, 40]. @stdlib has the same algorithm (erfcx within 15 ulps) but its
// three packages erfc, erfcx, erfcinv bring 151 packages (11 MB), and its erfcinv, which the
// quantile needs, is off by hundreds of ulps below 1e-200 (normal-quantile.ts).

// The coefficients are the doubles nearest Cody's published 18-digit values.
// erf on |x| <= 0.46875: x·P(x²)/Q(x²).
const A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315]
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171]
// erfcx on 0.46875 < x <= 4: P(x)/Q(x).
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
]
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
]
// erfcx on x > 4: (1/√π - R(1/x²)/x²)/x.
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 0.0006587491615298378,
  0.016315387137302097,
]
const Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918,
]

const ONE_OVER_SQRT_PI = 0.5641895835477563
const THRESHOLD = 0.46875
/** Below this, x² is negligible next to 1 in erf's series. */
const X_SMALL = 1.11e-16
/** Above this, erfc(x) underflows to 0. */
const X_BIG = 26.543
/** Above this, erfcx(x) is 1/(x√π) to double precision. */
const X_HUGE = 6.71e7
/** Above this, erfcx(x) underflows to 0. */
const X_MAX = 2.53e307
/** Below this, erfcx(x) = 2·exp(x²) - erfcx(-x) overflows. */
const X_NEG = -26.628

/** erf(x) for |x| <= 0.46875. */
function erfSmall(x: number): number {
  const y = Math.abs(x)
  const ysq = y > X_SMALL ? y * y : 0
  let num = A[4]! * ysq
  let den = ysq
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]!) * ysq
    den = (den + B[i]!) * ysq
  }
  return (x * (num + A[3]!)) / (den + B[3]!)
}

/** erfcx(y) for y > 0.46875. */
function erfcxPositive(y: number): number {
  if (y <= 4) {
    let num = C[8]! * y
    let den = y
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * y
      den = (den + D[i]!) * y
    }
    return (num + C[7]!) / (den + D[7]!)
  }
  if (y >= X_MAX) return 0
  if (y >= X_HUGE) return ONE_OVER_SQRT_PI / y
  const ysq = 1 / (y * y)
  let num = P[5]! * ysq
  let den = ysq
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]!) * ysq
    den = (den + Q[i]!) * ysq
  }
  const r = (ysq * (num + P[4]!)) / (den + Q[4]!)
  return (ONE_OVER_SQRT_PI - r) / y
}

/**
 * exp(-s·y²) for s = ±1, without the rounding error of y²: y is split into y₁ (a multiple of
 * 1/16, so y₁² is exact) and the rest, and y² = y₁² + (y - y₁)(y + y₁). A rounded y² would cost
 * y²·2⁻⁵³ of relative accuracy: 700 ulps at y = 26.
 */
function expSquare(y: number, sign: 1 | -1): number {
  const y1 = Math.trunc(y * 16) / 16
  const rest = (y - y1) * (y + y1)
  return Math.exp(sign * y1 * y1) * Math.exp(sign * rest)
}

/** The error function, to a few ulps (relative) for every x, small ones included. */
export function erf(x: number): number {
  if (Math.abs(x) <= THRESHOLD) return erfSmall(x)
  const e = 1 - erfc(Math.abs(x))
  return x < 0 ? -e : e
}

/** The complementary error function, erfc(x) = 1 - erf(x), to a few ulps for every x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  const y = Math.abs(x)
  let result: number
  if (y <= THRESHOLD) {
    return 1 - erfSmall(x)
  } else if (y >= X_BIG) {
    result = 0
  } else {
    result = expSquare(y, -1) * erfcxPositive(y)
  }
  return x < 0 ? 2 - result : result
}

/** The scaled complementary error function exp(x²)·erfc(x), to a few ulps for every x. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  const y = Math.abs(x)
  if (y <= THRESHOLD) return Math.exp(x * x) * (1 - erfSmall(x))
  const scaled = erfcxPositive(y)
  if (x > 0) return scaled
  if (x < X_NEG) return Number.POSITIVE_INFINITY
  const e = expSquare(y, 1)
  return e + e - scaled
}
