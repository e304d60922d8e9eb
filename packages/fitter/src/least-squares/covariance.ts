// Parameter uncertainties of a least-squares fit: covariance = s² (JᵀJ)⁻¹ with s² = RSS / (m - n),
// the residual variance (scipy's curve_fit with absolute_sigma=False, and NIST's certified
// standard deviations). (JᵀJ)⁻¹ comes from the SVD of the column-scaled Jacobian A = J D⁻¹
// (D the column norms), D⁻¹ V diag(1/σ²) Vᵀ D⁻¹, never from inverting JᵀJ, so a badly conditioned
// Jacobian (Thurber, Hahn1) keeps its accuracy, parameters of very different sizes are judged
// alike, and residuals or derivatives near 1e200 or 1e-200 neither overflow nor underflow. A
// parameter the data cannot determine (a singular value at rounding level) gets an infinite
// standard error, not a meaningless finite one.

import { Matrix, SingularValueDecomposition } from 'ml-matrix'
import { norm2 } from './norms.ts'

const EPS = 2.220446049250313e-16

export interface Uncertainties {
  /** n×n, in parameter order. */
  readonly covariance: number[][]
  readonly stderr: Float64Array
  /** Whether the Jacobian had full rank; if not, the undetermined parameters have infinite stderr. */
  readonly fullRank: boolean
}

/**
 * `columns[j]` is ∂r/∂p_j at the solution; `fit` the residuals there, or their sum of squares
 * (the residuals themselves are better: their norm is exact even where the sum of squares is
 * beyond the range of a double). With `absoluteSigma` the residuals are taken as divided by
 * known σ, and the covariance is (JᵀJ)⁻¹ itself (scipy's `absolute_sigma=True`, lmfit's
 * `scale_covar=False`), not scaled by s².
 */
export function leastSquaresUncertainties(
  columns: readonly Float64Array[],
  fit: number | ArrayLike<number>,
  options: { absoluteSigma?: boolean } = {},
): Uncertainties {
  const n = columns.length
  const m = columns[0]?.length ?? 0
  if (m < n) {
    // Fewer residuals than parameters: no parameter is determined.
    const covariance = Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN))
    return { covariance, stderr: new Float64Array(n).fill(Number.POSITIVE_INFINITY), fullRank: false }
  }
  const d = columns.map((column) => norm2(column) || 1)
  const a = new Matrix(m, n)
  for (let c = 0; c < n; c++) for (let i = 0; i < m; i++) a.set(i, c, columns[c]![i]! / d[c]!)
  const svd = new SingularValueDecomposition(a, { autoTranspose: true })
  const s = svd.diagonal
  const v = svd.rightSingularVectors
  const cutoff = (s[0] ?? 0) * Math.max(m, n) * EPS
  const fullRank = s.every((sk) => sk > cutoff)
  const absolute = options.absoluteSigma === true
  if (m === n && !absolute) {
    // No degrees of freedom to estimate the residual variance from (scipy's curve_fit: inf).
    const covariance = Array.from({ length: n }, () => new Array<number>(n).fill(Number.POSITIVE_INFINITY))
    return { covariance, stderr: new Float64Array(n).fill(Number.POSITIVE_INFINITY), fullRank }
  }
  // s, the residual standard deviation (1 when σ is known).
  const scale = absolute ? 1 : (typeof fit === 'number' ? Math.sqrt(fit) : norm2(fit)) / Math.sqrt(m - n)
  // w[p][k] = V_pk s / (σ_k d_p): covariance = W Wᵀ, each factor of moderate size.
  const w = Array.from({ length: n }, (_, p) =>
    Float64Array.from(s, (sk, k) => (sk > cutoff ? (v.get(p, k) * (scale / sk)) / d[p]! : 0)),
  )
  const covariance = w.map((wp) =>
    w.map((wq) => {
      let sum = 0
      for (let k = 0; k < s.length; k++) sum += wp[k]! * wq[k]!
      return sum
    }),
  )
  const undetermined = (p: number) => s.some((sk, k) => sk <= cutoff && Math.abs(v.get(p, k)) > 1e-8)
  const stderr = Float64Array.from(w, (wp, p) => (undetermined(p) ? Number.POSITIVE_INFINITY : norm2(wp)))
  return { covariance, stderr, fullRank }
}
