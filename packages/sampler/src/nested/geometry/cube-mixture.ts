// nautilus's UnitCubeEllipsoidMixture: some axes bounded by the unit cube, the rest by an
// ellipsoid over those axes. Early in a run the points still fill the cube along some axes, and
// there an ellipsoid (enlarged, and round where the cube is square) is far larger than [0, 1).
// Its errors are internal checks: only the nested sampler calls it, and a checkpoint whose
// data fails them is refused as a NestedCheckpointError.

import type { Random } from '@parafit/core'
import { Ellipsoid, type EllipsoidData } from './ellipsoid.ts'

/** A cube/ellipsoid mixture as plain, JSON-safe data. */
export interface CubeMixtureData {
  readonly kind: 'cube-mixture'
  readonly dim: number
  /** The axes bounded by [0, 1), ascending. */
  readonly cubeAxes: number[]
  /** The ellipsoid over the other axes (ascending order), or null when every axis is a cube axis. */
  readonly ellipsoid: EllipsoidData | null
}

/**
 * The product of the unit cube [0, 1) along `cubeAxes` and an ellipsoid along `ellipsoidAxes`.
 * Its volume is the ellipsoid's (the cube factor is 1).
 */
export class CubeMixture {
  readonly dim: number
  readonly cubeAxes: Int32Array
  readonly ellipsoidAxes: Int32Array
  readonly ellipsoid: Ellipsoid | null
  readonly logVolume: number
  // The ellipsoid axes' coordinates of the point being checked or drawn.
  readonly #sub: Float64Array

  /** Builds the mixture from its parts; `ellipsoid` must be over the axes not in `cubeAxes`. */
  constructor(dim: number, cubeAxes: ArrayLike<number>, ellipsoid: Ellipsoid | null) {
    this.dim = dim
    const isCube = new Uint8Array(dim)
    for (let i = 0; i < cubeAxes.length; i++) isCube[cubeAxes[i]!] = 1
    const cube: number[] = []
    const other: number[] = []
    for (let a = 0; a < dim; a++) (isCube[a] ? cube : other).push(a)
    this.cubeAxes = Int32Array.from(cube)
    this.ellipsoidAxes = Int32Array.from(other)
    if ((ellipsoid?.dim ?? 0) !== other.length) {
      throw new RangeError('CubeMixture: the ellipsoid does not span the non-cube axes')
    }
    this.ellipsoid = other.length === 0 ? null : ellipsoid
    this.logVolume = this.ellipsoid?.logVolume ?? 0
    this.#sub = new Float64Array(other.length)
  }

  /**
   * Fits a mixture to the points (nautilus's greedy choice): start with an ellipsoid over every
   * axis and move the axis whose removal shrinks the projected ellipsoid most to the cube side,
   * refitting, while the volume drops. If the ellipsoid still exceeds the cube's volume, start
   * instead from the cube and move axes to the ellipsoid side while the volume drops. Every
   * ellipsoid is the MVEE enlarged by `enlargePerDim` per axis.
   */
  static fit(points: readonly Float64Array[], enlargePerDim = 1.1): CubeMixture {
    if (points.length === 0) throw new RangeError('CubeMixture.fit: no points')
    const d = points[0]!.length
    let axes = Array.from({ length: d }, (_, a) => a)
    let ellipsoid = Ellipsoid.fit(points, enlargePerDim)

    while (axes.length > 1) {
      const drop = axisCheapestToDrop(points, axes, ellipsoid)
      const candidateAxes = axes.filter((_, i) => i !== drop)
      const candidate = Ellipsoid.fit(project(points, candidateAxes), enlargePerDim)
      if (!(candidate.logVolume < ellipsoid.logVolume)) break
      axes = candidateAxes
      ellipsoid = candidate
    }

    if (ellipsoid.logVolume > 0) {
      // Greedy from the other end: the cube alone has volume 1 (log 0).
      let best: Ellipsoid | null = null
      let bestLogVolume = 0
      axes = []
      const tested = new Uint8Array(d)
      while (tested.includes(0)) {
        const untested: number[] = []
        for (let a = 0; a < d; a++) if (!tested[a]) untested.push(a)
        for (const a of untested) {
          tested[a] = 1
          const trialAxes = [...axes, a].sort((x, y) => x - y)
          const trial = Ellipsoid.fit(project(points, trialAxes), enlargePerDim)
          if (trial.logVolume < bestLogVolume) {
            best = trial
            bestLogVolume = trial.logVolume
            axes = trialAxes
            // The cube axes may pay off now that the ellipsoid has changed: test them again.
            for (let b = 0; b < d; b++) if (!axes.includes(b)) tested[b] = 0
          }
        }
      }
      const axisSet = new Set(axes)
      const cubeAxes = Array.from({ length: d }, (_, a) => a).filter((a) => !axisSet.has(a))
      return new CubeMixture(d, cubeAxes, best)
    }

    const axisSet = new Set(axes)
    const cubeAxes = Array.from({ length: d }, (_, a) => a).filter((a) => !axisSet.has(a))
    return new CubeMixture(d, cubeAxes, ellipsoid)
  }

  /** Rebuilds a mixture from `toData()`, bit for bit. */
  static fromData(data: CubeMixtureData): CubeMixture {
    return new CubeMixture(
      data.dim,
      data.cubeAxes,
      data.ellipsoid === null ? null : Ellipsoid.fromData(data.ellipsoid),
    )
  }

  /** Plain, JSON-safe data. */
  toData(): CubeMixtureData {
    return {
      kind: 'cube-mixture',
      dim: this.dim,
      cubeAxes: Array.from(this.cubeAxes),
      ellipsoid: this.ellipsoid?.toData() ?? null,
    }
  }

  /** Whether x is in [0, 1) along the cube axes and in the ellipsoid along the others. Allocation-free. */
  contains(x: ArrayLike<number>): boolean {
    const cube = this.cubeAxes
    for (let i = 0; i < cube.length; i++) {
      const v = x[cube[i]!]!
      if (!(v >= 0 && v < 1)) return false
    }
    if (this.ellipsoid === null) return true
    const axes = this.ellipsoidAxes
    const sub = this.#sub
    for (let i = 0; i < axes.length; i++) sub[i] = x[axes[i]!]!
    return this.ellipsoid.contains(sub)
  }

  /**
   * The mixture's own frame (used for splitting): cube axes mapped to [−1, 1), ellipsoid axes to
   * the ellipsoid's unit-ball frame. `out` may be `x`.
   */
  toFrame(x: ArrayLike<number>, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    const axes = this.ellipsoidAxes
    const sub = this.#sub
    for (let i = 0; i < axes.length; i++) sub[i] = x[axes[i]!]!
    const cube = this.cubeAxes
    for (let i = 0; i < cube.length; i++) out[cube[i]!] = 2 * x[cube[i]!]! - 1
    if (this.ellipsoid !== null) {
      this.ellipsoid.toUnitBall(sub, sub)
      for (let i = 0; i < axes.length; i++) out[axes[i]!] = sub[i]!
    }
    return out
  }

  /** A uniform draw in the mixture (a fresh array). */
  sample(rng: Random): Float64Array {
    return this.sampleInto(rng, new Float64Array(this.dim))
  }

  /**
   * Writes a uniform draw into `out` and returns it: one uniform per cube axis (ascending), then
   * the ellipsoid's draw.
   */
  sampleInto(rng: Random, out: Float64Array): Float64Array {
    const cube = this.cubeAxes
    for (let i = 0; i < cube.length; i++) out[cube[i]!] = rng.uniform()
    if (this.ellipsoid !== null) {
      const axes = this.ellipsoidAxes
      const sub = this.#sub
      this.ellipsoid.sampleInto(rng, sub)
      for (let i = 0; i < axes.length; i++) out[axes[i]!] = sub[i]!
    }
    return out
  }
}

// The points restricted to the given axes.
function project(points: readonly Float64Array[], axes: readonly number[]): Float64Array[] {
  const m = axes.length
  return points.map((p) => {
    const out = new Float64Array(m)
    for (let i = 0; i < m; i++) out[i] = p[axes[i]!]!
    return out
  })
}

/**
 * The index (into `axes`) whose removal gives the smallest projected ellipsoid, as nautilus
 * estimates it: the current ellipsoid's projection onto the other axes, rescaled so the farthest
 * point is on its surface. Without refitting: the projection's quadratic form is the full one
 * minus w_i²/A_ii (w = A(x − c)), and det Σ_proj = det Σ · A_ii, so each axis costs O(n).
 */
function axisCheapestToDrop(
  points: readonly Float64Array[],
  axes: readonly number[],
  ellipsoid: Ellipsoid,
): number {
  const m = axes.length
  const a = ellipsoid.shape
  const c = ellipsoid.centre
  const maxScale = new Float64Array(m)
  const diff = new Float64Array(m)
  const w = new Float64Array(m)
  for (const p of points) {
    for (let i = 0; i < m; i++) diff[i] = p[axes[i]!]! - c[i]!
    let full = 0
    for (let i = 0; i < m; i++) {
      let s = 0
      for (let k = 0; k < m; k++) s += a[i * m + k]! * diff[k]!
      w[i] = s
      full += s * diff[i]!
    }
    for (let i = 0; i < m; i++) {
      const projected = full - (w[i]! * w[i]!) / a[i * m + i]!
      if (projected > maxScale[i]!) maxScale[i] = projected
    }
  }
  let best = 0
  let bestLog = Number.POSITIVE_INFINITY
  for (let i = 0; i < m; i++) {
    // Identical log det Σ for every axis is left out; a zero scale (a degenerate set) gives -∞.
    const logV = Math.log(a[i * m + i]!) + (m - 1) * Math.log(maxScale[i]!)
    if (logV < bestLog) {
      bestLog = logV
      best = i
    }
  }
  return best
}
