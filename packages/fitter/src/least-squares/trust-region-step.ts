// The Levenberg-Marquardt step for a scaled trust region, as in MINPACK (Moré 1978), solved
// through one SVD of the scaled Jacobian A = J D^-1 instead of MINPACK's QR and lmpar. With
// A = U S V^T and z = U^T r, the step for a damping λ is q(λ) = -V diag(s / (s² + λ)) z in the
// scaled variables (p = D^-1 q), so finding the λ whose step reaches the trust radius is a
// one-dimensional root search that costs O(n) per trial, and a rejected step (smaller radius)
// costs no new factorisation. Working on A itself, never on AᵀA, keeps the conditioning of the
// problem rather than its square: Lanczos, Thurber and Hahn1 need that.
//
// Everything inside is measured relative to ‖r‖ (z/‖r‖ has norm at most 1, and D makes A's
// columns about unit length), so residuals of 1e200 or 1e-200 neither overflow nor underflow.

import { Matrix, SingularValueDecomposition } from 'ml-matrix'
import { norm2 } from './norms.ts'

const EPS = 2.220446049250313e-16

export interface Step {
  /** The step in the problem's variables. */
  readonly p: Float64Array
  /** Its scaled length ‖D p‖. */
  readonly scaledNorm: number
  /** The damping λ that produced it (0 for the Gauss-Newton step). */
  readonly lambda: number
  /** MINPACK's predicted relative reduction of the sum of squares, (‖J p‖² + 2λ‖D p‖²) / ‖r‖². */
  readonly predicted: number
  /** MINPACK's directional derivative, -(‖J p‖² + λ‖D p‖²) / ‖r‖², for the radius update. */
  readonly directional: number
}

export class TrustRegionSubproblem {
  readonly #n: number
  readonly #s: Float64Array
  /** Uᵀr / ‖r‖. */
  readonly #z: Float64Array
  readonly #rnorm: number
  readonly #u: Matrix
  readonly #v: Matrix
  readonly #d: Float64Array
  /** Singular values at or below this are treated as zero in the Gauss-Newton step. */
  readonly #cutoff: number
  /** False when the scaled Jacobian or its SVD is not finite: then there is no step to take. */
  readonly finite: boolean

  /** `columns[j]` is column j of the Jacobian (length m); `d` the scaling; `r` the residuals. */
  constructor(columns: readonly Float64Array[], d: Float64Array, r: Float64Array) {
    const n = columns.length
    const m = r.length
    const a = new Matrix(m, n)
    let finite = true
    for (let j = 0; j < n; j++) {
      const column = columns[j]!
      for (let i = 0; i < m; i++) {
        const value = column[i]! / d[j]!
        if (!Number.isFinite(value)) finite = false
        a.set(i, j, value)
      }
    }
    const svd = new SingularValueDecomposition(a, {
      computeLeftSingularVectors: true,
      computeRightSingularVectors: true,
      autoTranspose: true,
    })
    const k = Math.min(m, n)
    this.#n = n
    this.#s = Float64Array.from(svd.diagonal.slice(0, k))
    this.#u = svd.leftSingularVectors
    this.#v = svd.rightSingularVectors
    this.#d = d
    this.#rnorm = norm2(r) || 1
    this.#z = this.#project(r, this.#rnorm)
    this.#cutoff = (this.#s[0] ?? 0) * Math.max(m, n) * EPS
    this.finite = finite && this.#s.every(Number.isFinite) && this.#z.every(Number.isFinite)
  }

  /** Uᵀw / divisor (divided entry by entry: 1 / a subnormal divisor would overflow). */
  #project(w: ArrayLike<number>, divisor: number): Float64Array {
    const k = this.#s.length
    const out = new Float64Array(k)
    for (let i = 0; i < k; i++) {
      let sum = 0
      for (let row = 0; row < w.length; row++) sum += this.#u.get(row, i) * (w[row]! / divisor)
      out[i] = sum
    }
    return out
  }

  /** diag(s / (s² + λ)) y, with the singular values below the cutoff dropped when λ = 0. */
  #damped(y: Float64Array, lambda: number): Float64Array {
    const c = new Float64Array(y.length)
    for (let i = 0; i < y.length; i++) {
      const s = this.#s[i]!
      if (lambda === 0 && s <= this.#cutoff) continue
      c[i] = (s * y[i]!) / (s * s + lambda)
    }
    return c
  }

  /** p = -D⁻¹ V c · scale. */
  #toStep(c: Float64Array, scale: number): Float64Array {
    const p = new Float64Array(this.#n)
    for (let j = 0; j < this.#n; j++) {
      let q = 0
      for (let i = 0; i < c.length; i++) q -= this.#v.get(j, i) * c[i]!
      p[j] = (q * scale) / this.#d[j]!
    }
    return p
  }

  /** ‖q(λ)‖ / ‖r‖ and its derivative in λ, for the root search. */
  #normAndSlope(lambda: number): { norm: number; slope: number } {
    const c = this.#damped(this.#z, lambda)
    const norm = norm2(c)
    if (norm === 0) return { norm, slope: 0 }
    // d‖c‖/dλ = -Σ c_i² / (s_i² + λ) / ‖c‖.
    const weighted = c.map((ci, i) => ci / Math.sqrt(this.#s[i]! ** 2 + lambda))
    const a = norm2(weighted)
    return { norm, slope: -a * (a / norm) }
  }

  #step(lambda: number): Step {
    const c = this.#damped(this.#z, lambda)
    const cnorm = norm2(c)
    const jp = norm2(c.map((ci, i) => this.#s[i]! * ci)) // ‖J p‖ / ‖r‖
    const damping = lambda * cnorm * cnorm // λ‖D p‖² / ‖r‖²
    return {
      p: this.#toStep(c, this.#rnorm),
      scaledNorm: cnorm * this.#rnorm,
      lambda,
      predicted: jp * jp + 2 * damping,
      directional: -(jp * jp + damping),
    }
  }

  /**
   * The damped least-squares solution of J a = -w with the same λ as a step:
   * a = -D⁻¹ V diag(s / (s² + λ)) Uᵀ w. Geodesic acceleration solves for its correction so.
   */
  dampedSolve(w: ArrayLike<number>, lambda: number): Float64Array {
    const scale = norm2(w)
    if (scale === 0 || !Number.isFinite(scale)) return new Float64Array(this.#n)
    return this.#toStep(this.#damped(this.#project(w, scale), lambda), scale)
  }

  /**
   * The step of scaled length at most `radius` that best reduces the linearised residuals:
   * Gauss-Newton when it fits (within 10%), else the damped step with ‖D p‖ within 10% of the
   * radius, found by Newton's method on 1/‖q(λ)‖ - 1/radius inside a bisection bracket.
   */
  solve(radius: number): Step {
    const target = radius / this.#rnorm
    const gaussNewton = this.#normAndSlope(0)
    if (gaussNewton.norm <= 1.1 * target) return this.#step(0)
    let lower = 0
    // ‖q(λ)‖ ≤ ‖Aᵀr‖ / λ, so at this λ the step is inside the radius.
    let upper = norm2(this.#z.map((zi, i) => this.#s[i]! * zi)) / target
    let lambda = upper / 2
    for (let iteration = 0; iteration < 60; iteration++) {
      const { norm, slope } = this.#normAndSlope(lambda)
      if (Math.abs(norm - target) <= 0.1 * target) break
      if (norm > target) lower = lambda
      else upper = lambda
      // Newton on ψ(λ) = 1/radius - 1/‖q‖, nearly linear in λ; fall back to bisection outside the bracket.
      const next = slope === 0 ? Number.NaN : lambda - ((norm - target) / target) * (norm / slope)
      lambda = next > lower && next < upper ? next : lower === 0 ? upper / 10 : (lower + upper) / 2
      if (upper - lower <= EPS * upper) break
    }
    return this.#step(lambda)
  }
}
