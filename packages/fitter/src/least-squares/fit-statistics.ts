// What lmfit's fit report gives a least-squares fit beyond the parameters: the goodness of fit
// (χ², reduced χ², AIC, BIC with lmfit's definitions), the correlation matrix, and which
// parameters ended on a bound (where a standard error means little).

import { norm2 } from './norms.ts'

/** Goodness of fit of a least-squares fit whose residuals are (data − model)/σ. */
export interface FitStatistics {
  /** Residuals (data points). */
  readonly nData: number
  /** Parameters varied. */
  readonly nVarys: number
  /** Degrees of freedom, nData − nVarys. */
  readonly nFree: number
  /** Σ residual²: χ² when the residuals are divided by their σ. */
  readonly chiSquare: number
  /** χ² / nFree; NaN without degrees of freedom. */
  readonly reducedChiSquare: number
  /** Akaike's criterion, nData·ln(χ²/nData) + 2·nVarys (lmfit's). */
  readonly aic: number
  /** Bayesian criterion, nData·ln(χ²/nData) + ln(nData)·nVarys (lmfit's). */
  readonly bic: number
}

/**
 * The statistics for `nData` residuals and `nVarys` parameters; `fit` is the residuals (best: the
 * criteria then come from their norm, exact even where χ² itself overflows or underflows) or χ².
 */
export function fitStatistics(nData: number, nVarys: number, fit: number | ArrayLike<number>): FitStatistics {
  const nFree = nData - nVarys
  const norm = typeof fit === 'number' ? Math.sqrt(fit) : norm2(fit)
  const chiSquare = typeof fit === 'number' ? fit : norm * norm
  // nData·ln(χ²/nData) = 2·nData·ln(‖r‖/√nData), with χ² floored at 1e-250 so that a perfect fit
  // gives a finite (very negative) criterion.
  const logLikeTerm = 2 * nData * Math.log(Math.max(norm, 1e-125) / Math.sqrt(nData))
  return {
    nData,
    nVarys,
    nFree,
    chiSquare,
    reducedChiSquare:
      nFree <= 0
        ? Number.NaN
        : chiSquare < Number.POSITIVE_INFINITY
          ? chiSquare / nFree
          : (norm / Math.sqrt(nFree)) ** 2,
    aic: logLikeTerm + 2 * nVarys,
    bic: logLikeTerm + Math.log(nData) * nVarys,
  }
}

/** C_ij / √(C_ii·C_jj); NaN where a variance is infinite, zero or undefined. */
export function correlationMatrix(covariance: readonly (readonly number[])[]): number[][] {
  const sd = covariance.map((row, i) => Math.sqrt(row[i]!))
  return covariance.map((row, i) =>
    row.map((c, j) => {
      if (i === j) return Number.isFinite(sd[i]!) && sd[i]! > 0 ? 1 : Number.NaN
      const denominator = sd[i]! * sd[j]!
      return Number.isFinite(denominator) && denominator > 0 ? c / denominator : Number.NaN
    }),
  )
}

/** The pairs of parameters with |correlation| ≥ `min`, strongest first (lmfit lists ≥ 0.1). */
export function strongCorrelations(
  keys: readonly string[],
  correlation: readonly (readonly number[])[],
  min = 0.1,
): { a: string; b: string; r: number }[] {
  const pairs: { a: string; b: string; r: number }[] = []
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      const r = correlation[i]![j]!
      if (Math.abs(r) >= min) pairs.push({ a: keys[i]!, b: keys[j]!, r })
    }
  }
  return pairs.sort((p, q) => Math.abs(q.r) - Math.abs(p.r))
}

/**
 * The keys whose value lies on its lower or upper bound, to within 1e-9 of the bound's range (or
 * of the value's size when the other side is open): an optimizer that stopped there was held by
 * the bound, and the curvature there says little about the uncertainty.
 */
export function keysAtBounds(
  keys: readonly string[],
  x: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): string[] {
  const at: string[] = []
  keys.forEach((key, i) => {
    const lo = lower[i]!
    const hi = upper[i]!
    const range = Number.isFinite(lo) && Number.isFinite(hi) ? hi - lo : Math.max(1, Math.abs(x[i]!))
    const tolerance = 1e-9 * range
    if (x[i]! - lo <= tolerance || hi - x[i]! <= tolerance) at.push(key)
  })
  return at
}
