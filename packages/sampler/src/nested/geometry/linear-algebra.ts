// Small dense linear algebra on row-major Float64Array matrices (n ≤ ~61), hand-written because
// the geometry code calls it in loops where ml-matrix's object overhead would dominate. Symmetric
// eigendecompositions, needed rarely, come from ml-matrix.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix'

/**
 * The lower Cholesky factor L of a symmetric positive definite n×n matrix (L·Lᵀ = m), or
 * undefined when a pivot is not positive (the matrix is singular or indefinite).
 */
export function cholesky(m: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    const ri = i * n
    for (let j = 0; j <= i; j++) {
      const rj = j * n
      let sum = m[ri + j]!
      for (let k = 0; k < j; k++) sum -= l[ri + k]! * l[rj + k]!
      if (i === j) {
        if (!(sum > 0)) return undefined
        l[ri + i] = Math.sqrt(sum)
      } else {
        l[ri + j] = sum / l[rj + j]!
      }
    }
  }
  return l
}

/** The inverse of a lower triangular n×n matrix (itself lower triangular). */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / l[j * n + j]!
    for (let i = j + 1; i < n; i++) {
      let sum = 0
      for (let k = j; k < i; k++) sum += l[i * n + k]! * inv[k * n + j]!
      inv[i * n + j] = -sum / l[i * n + i]!
    }
  }
  return inv
}

/** Lᵀ·L for a lower triangular L: the inverse of (L⁻¹)(L⁻¹)ᵀ when L is an inverse Cholesky factor. */
export function lowerTransposeTimesLower(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0
      // (LᵀL)_ij = Σ_k L_ki L_kj, non-zero only for k ≥ max(i, j) = i.
      for (let k = i; k < n; k++) sum += l[k * n + i]! * l[k * n + j]!
      out[i * n + j] = sum
      out[j * n + i] = sum
    }
  }
  return out
}

/** L·Lᵀ for a lower triangular L. */
export function lowerTimesTranspose(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0
      for (let k = 0; k <= j; k++) sum += l[i * n + k]! * l[j * n + k]!
      out[i * n + j] = sum
      out[j * n + i] = sum
    }
  }
  return out
}

/** The product of two lower triangular n×n matrices (lower triangular). */
export function lowerTimesLower(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0
      for (let k = j; k <= i; k++) sum += a[i * n + k]! * b[k * n + j]!
      out[i * n + j] = sum
    }
  }
  return out
}

/**
 * The inverse of a symmetric positive definite matrix through its Cholesky factor, or undefined
 * when the factorisation fails.
 */
export function invertSymmetric(m: Float64Array, n: number): Float64Array | undefined {
  const l = cholesky(m, n)
  if (l === undefined) return undefined
  const li = invertLower(l, n)
  return lowerTransposeTimesLower(li, n)
}

/** Eigenvalues (ascending order not guaranteed) and row-major eigenvectors (columns) of a symmetric matrix. */
export function symmetricEigen(m: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const rows: number[][] = []
  for (let i = 0; i < n; i++) {
    const row: number[] = []
    // Symmetrise explicitly: accumulated rounding must not make the solver take the general path.
    for (let j = 0; j < n; j++) row.push(0.5 * (m[i * n + j]! + m[j * n + i]!))
    rows.push(row)
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true })
  const values = Float64Array.from(evd.realEigenvalues)
  const v = evd.eigenvectorMatrix
  const vectors = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vectors[i * n + j] = v.get(i, j)
  return { values, vectors }
}

/**
 * A symmetric matrix with its eigenvalues raised to at least `floor`: Q·max(Λ, floor)·Qᵀ. Turns a
 * singular (degenerate) covariance into a usable, very thin one instead of failing.
 */
export function clampEigenvalues(m: Float64Array, n: number, floor: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, n)
  const out = new Float64Array(n * n)
  for (let k = 0; k < n; k++) {
    const lambda = Math.max(values[k]!, floor)
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k]! * lambda
      for (let j = 0; j < n; j++) out[i * n + j]! += vik * vectors[j * n + k]!
    }
  }
  return out
}

/** ln Γ(d/2 + 1) for a positive integer d, by the exact recurrence (d is small). */
function logGammaHalfPlusOne(d: number): number {
  // Γ(1) = 1, Γ(3/2) = √π/2, and Γ(x + 1) = x·Γ(x).
  let sum = d % 2 === 0 ? 0 : Math.log(Math.sqrt(Math.PI) / 2)
  for (let x = d % 2 === 0 ? 1 : 1.5; x <= d / 2; x += 1) sum += Math.log(x)
  return sum
}

/** The natural log of the volume of the unit ball in d dimensions, π^(d/2) / Γ(d/2 + 1). */
export function logUnitBallVolume(d: number): number {
  return (d / 2) * Math.log(Math.PI) - logGammaHalfPlusOne(d)
}
