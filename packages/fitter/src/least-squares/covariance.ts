// Parameter uncertainties of a least-squares fit: covariance = s² (JᵀJ)⁻¹ with s² = RSS / (m - n),
// the residual variance (scipy's curve_fit with absolute_sigma=False, and NIST's certified
// standard deviations). (JᵀJ)⁻¹ comes from the SVD of J, V diag(1/σ²) Vᵀ, never from inverting
// JᵀJ, so a badly conditioned Jacobian (Thurber, Hahn1) keeps its accuracy. A parameter the data
// cannot determine (a singular value at rounding level) gets an infinite standard error, not a
// meaningless finite one.

import { Matrix, SingularValueDecomposition } from 'ml-matrix'

const EPS = 2.220446049250313e-16

export interface Uncertainties {
  /** n×n, in parameter order. */
  readonly covariance: number[][]
  readonly stderr: Float64Array
  /** Whether the Jacobian had full rank; if not, the undetermined parameters have infinite stderr. */
  readonly fullRank: boolean
}

/**
 * `columns[j]` is ∂r/∂p_j at the solution; `rss` the residual sum of squares there. With
 * `absoluteSigma` the residuals are taken as divided by known σ, and the covariance is (JᵀJ)⁻¹
 * itself (scipy's `absolute_sigma=True`, lmfit's `scale_covar=False`), not scaled by s².
 */
export function leastSquaresUncertainties(
  columns: readonly Float64Array[],
  rss: number,
  options: { absoluteSigma?: boolean } = {},
): Uncertainties {
  const n = columns.length
  const m = columns[0]?.length ?? 0
  if (m < n) {
    // Fewer residuals than parameters: no parameter is determined.
    const covariance = Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN))
    return { covariance, stderr: new Float64Array(n).fill(Number.POSITIVE_INFINITY), fullRank: false }
  }
  const j = new Matrix(m, n)
  for (let c = 0; c < n; c++) for (let i = 0; i < m; i++) j.set(i, c, columns[c]![i]!)
  const svd = new SingularValueDecomposition(j, { autoTranspose: true })
  const s = svd.diagonal
  const v = svd.rightSingularVectors
  const cutoff = (s[0] ?? 0) * Math.max(m, n) * EPS
  const variance = options.absoluteSigma === true ? 1 : m > n ? rss / (m - n) : Number.POSITIVE_INFINITY
  const covariance: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  let fullRank = true
  for (let k = 0; k < s.length; k++) {
    if (s[k]! <= cutoff) {
      fullRank = false
      continue
    }
    const inv = 1 / (s[k]! * s[k]!)
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) covariance[a]![b]! += v.get(a, k) * v.get(b, k) * inv
    }
  }
  const stderr = new Float64Array(n)
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) covariance[a]![b]! *= variance
    // A direction the Jacobian cannot see: infinite uncertainty for every parameter it involves.
    let undetermined = false
    for (let k = 0; k < s.length; k++)
      if (s[k]! <= cutoff && Math.abs(v.get(a, k)) > 1e-8) undetermined = true
    stderr[a] = undetermined ? Number.POSITIVE_INFINITY : Math.sqrt(covariance[a]![a]!)
  }
  return { covariance, stderr, fullRank }
}
