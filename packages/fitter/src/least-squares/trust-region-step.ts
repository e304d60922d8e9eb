// The Levenberg-Marquardt step for a scaled trust region, as in MINPACK (Moré 1978), solved
// through one SVD of the scaled Jacobian A = J D^-1 instead of MINPACK's QR and lmpar. With
// A = U S V^T and z = U^T r, the step for a damping λ is q(λ) = -V diag(s / (s² + λ)) z in the
// scaled variables (p = D^-1 q), so finding the λ whose step reaches the trust radius is a
// one-dimensional root search that costs O(n) per trial, and a rejected step (smaller radius)
// costs no new factorisation. Working on A itself, never on AᵀA, keeps the conditioning of the
// problem rather than its square: Lanczos, Thurber and Hahn1 need that.

import { Matrix, SingularValueDecomposition } from 'ml-matrix'

const EPS = 2.220446049250313e-16

export interface Step {
  /** The step in the problem's variables. */
  readonly p: Float64Array
  /** Its scaled length ‖D p‖. */
  readonly scaledNorm: number
  /** The damping λ that produced it (0 for the Gauss-Newton step). */
  readonly lambda: number
  /** ‖J p‖² and λ‖D p‖², for MINPACK's predicted reduction. */
  readonly jpSquared: number
  readonly dampingSquared: number
}

export class TrustRegionSubproblem {
  readonly #n: number
  readonly #s: Float64Array
  readonly #z: Float64Array
  readonly #v: Matrix
  readonly #d: Float64Array
  /** Singular values at or below this are treated as zero in the Gauss-Newton step. */
  readonly #cutoff: number

  /** `columns[j]` is column j of the Jacobian (length m); `d` the scaling; `r` the residuals. */
  constructor(columns: readonly Float64Array[], d: Float64Array, r: Float64Array) {
    const n = columns.length
    const m = r.length
    const a = new Matrix(m, n)
    for (let j = 0; j < n; j++) {
      const column = columns[j]!
      for (let i = 0; i < m; i++) a.set(i, j, column[i]! / d[j]!)
    }
    const svd = new SingularValueDecomposition(a, {
      computeLeftSingularVectors: true,
      computeRightSingularVectors: true,
      autoTranspose: true,
    })
    const u = svd.leftSingularVectors
    const k = Math.min(m, n)
    this.#n = n
    this.#s = Float64Array.from(svd.diagonal.slice(0, k))
    this.#z = new Float64Array(k)
    for (let i = 0; i < k; i++) {
      let sum = 0
      for (let row = 0; row < m; row++) sum += u.get(row, i) * r[row]!
      this.#z[i] = sum
    }
    this.#v = svd.rightSingularVectors
    this.#d = d
    this.#cutoff = (this.#s[0] ?? 0) * Math.max(m, n) * EPS
  }

  /** ‖q(λ)‖ and its derivative in λ, for the root search. */
  #normAndSlope(lambda: number): { norm: number; slope: number } {
    let sumSquares = 0
    let dSum = 0
    for (let i = 0; i < this.#s.length; i++) {
      const s = this.#s[i]!
      if (lambda === 0 && s <= this.#cutoff) continue
      const denominator = s * s + lambda
      const c = (s * this.#z[i]!) / denominator
      sumSquares += c * c
      dSum += (c * c) / denominator
    }
    const norm = Math.sqrt(sumSquares)
    return { norm, slope: norm === 0 ? 0 : -dSum / norm }
  }

  #step(lambda: number): Step {
    const n = this.#n
    const coefficients = new Float64Array(this.#s.length)
    let dampingSquared = 0
    let jpSquared = 0
    for (let i = 0; i < this.#s.length; i++) {
      const s = this.#s[i]!
      if (lambda === 0 && s <= this.#cutoff) continue
      const c = (s * this.#z[i]!) / (s * s + lambda)
      coefficients[i] = c
      jpSquared += (s * c) ** 2
      dampingSquared += lambda * c * c
    }
    const p = new Float64Array(n)
    let scaledSquares = 0
    for (let j = 0; j < n; j++) {
      let q = 0
      for (let i = 0; i < this.#s.length; i++) q -= this.#v.get(j, i) * coefficients[i]!
      scaledSquares += q * q
      p[j] = q / this.#d[j]!
    }
    return { p, scaledNorm: Math.sqrt(scaledSquares), lambda, jpSquared, dampingSquared }
  }

  /**
   * The step of scaled length at most `radius` that best reduces the linearised residuals:
   * Gauss-Newton when it fits (within 10%), else the damped step with ‖D p‖ within 10% of the
   * radius, found by Newton's method on 1/‖q(λ)‖ - 1/radius inside a bisection bracket.
   */
  solve(radius: number): Step {
    const gaussNewton = this.#normAndSlope(0)
    if (gaussNewton.norm <= 1.1 * radius) return this.#step(0)
    let lower = 0
    // ‖q(λ)‖ ≤ ‖Aᵀr‖ / λ, so at this λ the step is inside the radius.
    let gradientNorm = 0
    for (let i = 0; i < this.#s.length; i++) gradientNorm += (this.#s[i]! * this.#z[i]!) ** 2
    let upper = Math.sqrt(gradientNorm) / radius
    let lambda = upper / 2
    for (let iteration = 0; iteration < 60; iteration++) {
      const { norm, slope } = this.#normAndSlope(lambda)
      if (Math.abs(norm - radius) <= 0.1 * radius) break
      if (norm > radius) lower = lambda
      else upper = lambda
      // Newton on ψ(λ) = 1/radius - 1/‖q‖, nearly linear in λ; fall back to bisection outside the bracket.
      const next = slope === 0 ? Number.NaN : lambda - ((norm - radius) / radius) * (norm / slope)
      lambda = next > lower && next < upper ? next : lower === 0 ? upper / 10 : (lower + upper) / 2
      if (upper - lower <= EPS * upper) break
    }
    return this.#step(lambda)
  }
}
