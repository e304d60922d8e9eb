// Ellipsoids {x : (x − c)ᵀA(x − c) ≤ 1} and the minimum volume enclosing ellipsoid of a point set
// (nautilus's modified Khachiyan algorithm). An ellipsoid keeps the lower triangular factor B with
// A⁻¹ = B·Bᵀ and its inverse, so x = c + B·y maps the unit ball onto it and every transform,
// containment check and draw is a triangular product on Float64Arrays.
// Its errors are internal checks: only the nested sampler calls it, and a checkpoint whose
// data fails them is refused as a NestedCheckpointError.

import type { Random } from '@parafit/core'
import {
  cholesky,
  clampEigenvalues,
  invertLower,
  invertSymmetric,
  logUnitBallVolume,
  lowerTimesTranspose,
  lowerTransposeTimesLower,
} from './linear-algebra.ts'

/** An ellipsoid as plain data (JSON-safe; matrices row-major), exact enough to continue identically. */
export interface EllipsoidData {
  readonly kind: 'ellipsoid'
  readonly dim: number
  readonly centre: number[]
  /** A, with (x − c)ᵀA(x − c) ≤ 1 inside. */
  readonly shape: number[]
  /** B, lower triangular, A⁻¹ = B·Bᵀ. */
  readonly factor: number[]
  /** B⁻¹, lower triangular. */
  readonly factorInverse: number[]
}

/** An ellipsoid (x − c)ᵀA(x − c) ≤ 1 in d dimensions. */
export class Ellipsoid {
  readonly dim: number
  readonly centre: Float64Array
  /** A, row-major d×d. */
  readonly shape: Float64Array
  /** B, lower triangular row-major, with A⁻¹ = B·Bᵀ: x = c + B·y for y in the unit ball. */
  readonly factor: Float64Array
  /** B⁻¹, lower triangular row-major: y = B⁻¹(x − c). */
  readonly factorInverse: Float64Array
  /** ln of the volume: ln|det B| + ln(unit ball volume). */
  readonly logVolume: number
  // Reused by every transform, so the hot loops allocate nothing.
  readonly #scratch: Float64Array

  /** Prefer the static constructors; this one trusts that the four arrays agree. */
  constructor(centre: Float64Array, shape: Float64Array, factor: Float64Array, factorInverse: Float64Array) {
    const d = centre.length
    this.dim = d
    this.centre = centre
    this.shape = shape
    this.factor = factor
    this.factorInverse = factorInverse
    let logDet = 0
    for (let i = 0; i < d; i++) logDet += Math.log(factor[i * d + i]!)
    this.logVolume = logDet + logUnitBallVolume(d)
    this.#scratch = new Float64Array(d)
  }

  /** The ellipsoid with centre c and A⁻¹ = `covariance` (symmetric positive definite, row-major). */
  static fromCovariance(centre: Float64Array, covariance: Float64Array): Ellipsoid {
    const d = centre.length
    const b = cholesky(covariance, d)
    if (b === undefined) throw new RangeError('Ellipsoid: the covariance is not positive definite')
    const bInv = invertLower(b, d)
    // A from B⁻¹ rather than by a separate inversion, so A and the factors describe the same set.
    return new Ellipsoid(Float64Array.from(centre), lowerTransposeTimesLower(bInv, d), b, bInv)
  }

  /** The ellipsoid (x − c)ᵀA(x − c) ≤ 1 for a symmetric positive definite A. */
  static fromShape(centre: Float64Array, shape: Float64Array): Ellipsoid {
    const covariance = invertSymmetric(shape, centre.length)
    if (covariance === undefined) throw new RangeError('Ellipsoid: the shape is not positive definite')
    return Ellipsoid.fromCovariance(centre, covariance)
  }

  /**
   * The minimum volume enclosing ellipsoid of the points, enlarged by `enlargePerDim` along every
   * axis (volume × enlargePerDim^d), as nautilus's Ellipsoid.compute.
   */
  static fit(points: readonly Float64Array[], enlargePerDim = 1.1): Ellipsoid {
    if (!(enlargePerDim >= 1)) throw new RangeError('Ellipsoid.fit: enlargePerDim must be at least 1')
    const mvee = minimumVolumeEnclosingEllipsoid(points)
    return enlargePerDim === 1 ? mvee : mvee.enlarged(enlargePerDim)
  }

  /** Rebuilds an ellipsoid from `toData()`, bit for bit. */
  static fromData(data: EllipsoidData): Ellipsoid {
    const d = data.dim
    if (data.centre.length !== d || data.shape.length !== d * d) {
      throw new RangeError('Ellipsoid.fromData: the arrays do not match dim')
    }
    return new Ellipsoid(
      Float64Array.from(data.centre),
      Float64Array.from(data.shape),
      Float64Array.from(data.factor),
      Float64Array.from(data.factorInverse),
    )
  }

  /** Plain, JSON-safe data (for checkpoints and for sending to workers). */
  toData(): EllipsoidData {
    return {
      kind: 'ellipsoid',
      dim: this.dim,
      centre: Array.from(this.centre),
      shape: Array.from(this.shape),
      factor: Array.from(this.factor),
      factorInverse: Array.from(this.factorInverse),
    }
  }

  /** The same ellipsoid scaled by `factor` along every axis about its centre. */
  enlarged(factor: number): Ellipsoid {
    const f2 = factor * factor
    return new Ellipsoid(
      Float64Array.from(this.centre),
      this.shape.map((v) => v / f2),
      this.factor.map((v) => v * factor),
      this.factorInverse.map((v) => v / factor),
    )
  }

  /** A⁻¹ = B·Bᵀ, row-major (a fresh array). */
  covariance(): Float64Array {
    return lowerTimesTranspose(this.factor, this.dim)
  }

  /** (x − c)ᵀA(x − c), computed as |B⁻¹(x − c)|². */
  mahalanobis(x: ArrayLike<number>): number {
    return this.#squaredRadius(x, Number.POSITIVE_INFINITY)
  }

  /** Whether (x − c)ᵀA(x − c) ≤ 1. Allocation-free. */
  contains(x: ArrayLike<number>): boolean {
    return this.#squaredRadius(x, 1) <= 1
  }

  // |B⁻¹(x − c)|², stopping early once the partial sum passes `stop` (the sum only grows).
  #squaredRadius(x: ArrayLike<number>, stop: number): number {
    const d = this.dim
    const c = this.centre
    const l = this.factorInverse
    const diff = this.#scratch
    for (let i = 0; i < d; i++) diff[i] = x[i]! - c[i]!
    let sum = 0
    for (let i = 0; i < d; i++) {
      const row = i * d
      let yi = 0
      for (let j = 0; j <= i; j++) yi += l[row + j]! * diff[j]!
      sum += yi * yi
      if (sum > stop) return sum
    }
    return sum
  }

  /** y = B⁻¹(x − c): the point in the frame where the ellipsoid is the unit ball. `out` may be `x`. */
  toUnitBall(x: ArrayLike<number>, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    const d = this.dim
    const c = this.centre
    const l = this.factorInverse
    const diff = this.#scratch
    for (let i = 0; i < d; i++) diff[i] = x[i]! - c[i]!
    for (let i = 0; i < d; i++) {
      const row = i * d
      let yi = 0
      for (let j = 0; j <= i; j++) yi += l[row + j]! * diff[j]!
      out[i] = yi
    }
    return out
  }

  /** The frame used for splitting a union member: the unit-ball frame. */
  toFrame(x: ArrayLike<number>, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    return this.toUnitBall(x, out)
  }

  /** x = c + B·y, the inverse of `toUnitBall`. `out` may be `y`. */
  fromUnitBall(y: ArrayLike<number>, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    const d = this.dim
    const c = this.centre
    const b = this.factor
    // Rows from the last down: row i reads y_0..y_i only, so writing out_i in place is safe.
    for (let i = d - 1; i >= 0; i--) {
      const row = i * d
      let xi = c[i]!
      for (let j = 0; j <= i; j++) xi += b[row + j]! * y[j]!
      out[i] = xi
    }
    return out
  }

  /** A point drawn uniformly inside the ellipsoid (a fresh array). */
  sample(rng: Random): Float64Array {
    return this.sampleInto(rng, new Float64Array(this.dim))
  }

  /**
   * Writes a uniform draw inside the ellipsoid into `out` and returns it: a normal vector's
   * direction times U^(1/d) is uniform in the unit ball, then x = c + B·y. Uses d normals and one
   * uniform from `rng`, in that order.
   */
  sampleInto(rng: Random, out: Float64Array): Float64Array {
    const d = this.dim
    const y = this.#scratch
    let norm2 = 0
    for (let i = 0; i < d; i++) {
      const z = rng.normal()
      y[i] = z
      norm2 += z * z
    }
    const scale = rng.uniform() ** (1 / d) / Math.sqrt(norm2)
    for (let i = 0; i < d; i++) y[i]! *= scale
    return this.fromUnitBall(y, out)
  }
}

/** Options of `minimumVolumeEnclosingEllipsoid`; the defaults are nautilus's. */
export interface MveeOptions {
  /** Iterations at most (default 100). */
  readonly maxIterations?: number
  /** Points updated per iteration, those with the largest Mahalanobis values (default 20). */
  readonly batch?: number
  /** Stop once the largest lifted Mahalanobis value is within this relative distance of d + 1 (default 1e-6). */
  readonly tolerance?: number
}

// Relative floor on the eigenvalues of the weighted covariance: a degenerate point set (fewer
// than d + 1 points, or all in a subspace) gives a very thin ellipsoid instead of a singular one.
const RELATIVE_FLOOR = 1e-10
// Absolute floor, for a set of identical points: a ball of radius 1e-10.
const ABSOLUTE_FLOOR = 1e-20

/**
 * An approximation to the minimum volume enclosing ellipsoid of the points (modified Khachiyan,
 * as nautilus): the points are lifted to q = (x, 1) in d + 1 dimensions with weights u; each
 * iteration moves weight onto the `batch` points with the largest qᵀV⁻¹q (V = Σ u q qᵀ), updating
 * V⁻¹ by rank one. The centre is the weighted mean and the shape the inverse weighted covariance,
 * rescaled so the farthest point lies on the surface; every point is contained. Degenerate sets
 * give a thin (never NaN) ellipsoid. Throws on an empty set or non-finite coordinates.
 */
export function minimumVolumeEnclosingEllipsoid(
  points: readonly Float64Array[],
  options: MveeOptions = {},
): Ellipsoid {
  const n = points.length
  if (n === 0) throw new RangeError('minimumVolumeEnclosingEllipsoid: no points')
  const d = points[0]!.length
  const maxIterations = options.maxIterations ?? 100
  const batch = Math.min(options.batch ?? 20, n)
  const tolerance = options.tolerance ?? 1e-6
  const D = d + 1
  const q = new Float64Array(n * D)
  for (let i = 0; i < n; i++) {
    const p = points[i]!
    if (p.length !== d) throw new RangeError('minimumVolumeEnclosingEllipsoid: points differ in length')
    for (let k = 0; k < d; k++) {
      const v = p[k]!
      if (!Number.isFinite(v)) throw new RangeError('minimumVolumeEnclosingEllipsoid: non-finite coordinate')
      q[i * D + k] = v
    }
    q[i * D + d] = 1
  }
  // The same coordinates column by column: the pass over all points then runs long loops.
  const columns = new Float64Array(D * n)
  for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) columns[k * n + i] = q[i * D + k]!
  const u = new Float64Array(n).fill(1 / n)
  const g = new Float64Array(n)
  const w = new Float64Array(D)
  const top = new Int32Array(batch)
  let uScale = 1
  let vInv = liftedInverse(q, u, uScale, n, D)

  for (let iteration = 0; iteration < maxIterations && n > 1; iteration++) {
    // Rebuild V⁻¹ from the weights now and then, so the rank-one updates cannot drift.
    if (iteration > 0 && iteration % 10 === 0) vInv = liftedInverse(q, u, uScale, n, D)
    allQuadraticForms(vInv, columns, n, D, g)
    const count = largestIndices(g, top)
    if (g[top[0]!]! <= D * (1 + tolerance)) break
    for (let t = 0; t < count; t++) {
      const j = top[t]!
      // The first value is current; later ones must see the updates made in this batch.
      const gj = t === 0 ? g[j]! : quadraticForm(vInv, q, j * D, D)
      if (gj < D) continue
      const a = (gj - D) / (D * (gj - 1))
      // V ← (1 − a)V + a·q qᵀ; Sherman-Morrison for its inverse.
      const beta = a / (1 - a)
      for (let r = 0; r < D; r++) {
        let s = 0
        for (let k = 0; k < D; k++) s += vInv[r * D + k]! * q[j * D + k]!
        w[r] = s
      }
      const coef = beta / (1 + beta * gj)
      const inv1a = 1 / (1 - a)
      for (let r = 0; r < D; r++) {
        for (let k = 0; k < D; k++) vInv[r * D + k] = (vInv[r * D + k]! - coef * w[r]! * w[k]!) * inv1a
      }
      // u ← (1 − a)u + a·e_j, with the common factor kept aside (u = uScale·stored) so an update
      // is O(1) instead of O(n).
      uScale *= 1 - a
      u[j]! += a / uScale
      if (uScale < 1e-150) {
        for (let i = 0; i < n; i++) u[i]! *= uScale
        uScale = 1
      }
    }
  }
  for (let i = 0; i < n; i++) u[i]! *= uScale
  return ellipsoidFromWeights(points, u, d)
}

// V⁻¹ for V = Σ u_i q_i q_iᵀ; a ridge keeps it invertible when the points span less than d + 1.
function liftedInverse(q: Float64Array, u: Float64Array, uScale: number, n: number, D: number): Float64Array {
  const v = new Float64Array(D * D)
  for (let i = 0; i < n; i++) {
    const ui = u[i]! * uScale
    const o = i * D
    for (let r = 0; r < D; r++) {
      const f = ui * q[o + r]!
      for (let k = 0; k <= r; k++) v[r * D + k]! += f * q[o + k]!
    }
  }
  let trace = 0
  for (let r = 0; r < D; r++) {
    for (let k = 0; k < r; k++) v[k * D + r] = v[r * D + k]!
    trace += v[r * D + r]!
  }
  let ridge = 1e-12 * (trace / D)
  for (;;) {
    const inv = invertSymmetric(v, D)
    if (inv !== undefined) return inv
    for (let r = 0; r < D; r++) v[r * D + r]! += ridge
    ridge *= 10
  }
}

// qᵀMq for the lifted point starting at q[offset], using M's symmetry.
function quadraticForm(m: Float64Array, q: Float64Array, offset: number, D: number): number {
  let sum = 0
  for (let r = 0; r < D; r++) {
    const qr = q[offset + r]!
    let t = 0.5 * m[r * D + r]! * qr
    for (let k = 0; k < r; k++) t += m[r * D + k]! * q[offset + k]!
    sum += 2 * qr * t
  }
  return sum
}

// g_i = q_iᵀMq_i for every point, one matrix entry at a time over all points (M symmetric).
function allQuadraticForms(
  m: Float64Array,
  columns: Float64Array,
  n: number,
  D: number,
  g: Float64Array,
): void {
  g.fill(0)
  for (let r = 0; r < D; r++) {
    const rowStart = r * n
    for (let k = 0; k <= r; k++) {
      const coef = (k === r ? 1 : 2) * m[r * D + k]!
      const colStart = k * n
      for (let i = 0; i < n; i++) g[i]! += coef * columns[rowStart + i]! * columns[colStart + i]!
    }
  }
}

// Fills `out` with the indices of the largest values, largest first; returns how many.
function largestIndices(values: Float64Array, out: Int32Array): number {
  const k = out.length
  let count = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (count === k && v <= values[out[k - 1]!]!) continue
    let pos = count < k ? count++ : k - 1
    while (pos > 0 && values[out[pos - 1]!]! < v) {
      out[pos] = out[pos - 1]!
      pos--
    }
    out[pos] = i
  }
  return count
}

// Centre = weighted mean, A ∝ (weighted covariance)⁻¹, scaled so the farthest point is on the
// surface; then checked through the same arithmetic `contains` uses, and widened if rounding left a
// point just outside.
function ellipsoidFromWeights(points: readonly Float64Array[], u: Float64Array, d: number): Ellipsoid {
  const n = points.length
  let total = 0
  for (let i = 0; i < n; i++) total += u[i]!
  const c = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    const p = points[i]!
    const f = u[i]! / total
    for (let k = 0; k < d; k++) c[k]! += f * p[k]!
  }
  let s: Float64Array = new Float64Array(d * d)
  const diff = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    const p = points[i]!
    const f = u[i]! / total
    for (let k = 0; k < d; k++) diff[k] = p[k]! - c[k]!
    for (let r = 0; r < d; r++) {
      const fr = f * diff[r]!
      for (let k = 0; k <= r; k++) s[r * d + k]! += fr * diff[k]!
    }
  }
  let maxDiag = 0
  for (let r = 0; r < d; r++) {
    for (let k = 0; k < r; k++) s[k * d + r] = s[r * d + k]!
    maxDiag = Math.max(maxDiag, s[r * d + r]!)
  }
  const floor = Math.max(RELATIVE_FLOOR * maxDiag, ABSOLUTE_FLOOR)
  let l = cholesky(s, d)
  if (l === undefined || minPivotSquared(l, d) < floor) {
    s = clampEigenvalues(s, d, floor)
    l = cholesky(s, d)
    // Clamped eigenvalues are ≥ floor, so this only fails on pathological rounding: use a ball.
    if (l === undefined) {
      s = new Float64Array(d * d)
      for (let r = 0; r < d; r++) s[r * d + r] = maxDiag + floor
    }
  }
  let ellipsoid = Ellipsoid.fromCovariance(c, s)
  let farthest = 0
  for (let i = 0; i < n; i++) farthest = Math.max(farthest, ellipsoid.mahalanobis(points[i]!))
  // All points identical: keep the floor ball around them.
  if (farthest === 0) return ellipsoid
  ellipsoid = ellipsoid.enlarged(Math.sqrt(farthest))
  for (let attempt = 0; attempt < 5; attempt++) {
    farthest = 0
    for (let i = 0; i < n; i++) farthest = Math.max(farthest, ellipsoid.mahalanobis(points[i]!))
    if (farthest <= 1) break
    ellipsoid = ellipsoid.enlarged(Math.sqrt(farthest) * (1 + 1e-12))
  }
  return ellipsoid
}

function minPivotSquared(l: Float64Array, d: number): number {
  let min = Number.POSITIVE_INFINITY
  for (let i = 0; i < d; i++) min = Math.min(min, l[i * d + i]! ** 2)
  return min
}
