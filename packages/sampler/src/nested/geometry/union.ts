// A union of ellipsoids or cube/ellipsoid mixtures, clipped to the unit cube (nautilus's Union):
// split by Gaussian-mixture clustering, trimmed of sparse members, sampled exactly uniformly, and
// with a Monte Carlo volume that sharpens as draws accumulate.
// Its errors are internal checks: only the nested sampler calls it, and a checkpoint whose
// data fails them is refused as a NestedCheckpointError.

import type { Random } from '@parafit/core'
import { logAddExp } from '../log-sum-exp.ts'
import { CubeMixture, type CubeMixtureData } from './cube-mixture.ts'
import { Ellipsoid, type EllipsoidData } from './ellipsoid.ts'
import { componentLogDensities, fitGaussianMixture2, labelsByDensity } from './gaussian-mixture.ts'
import { anyOverlap } from './overlap.ts'

/** A member of a union. */
export type UnionMember = Ellipsoid | CubeMixture
/** A member as plain data. */
export type UnionMemberData = EllipsoidData | CubeMixtureData

/** How a union is built and split. */
export interface UnionOptions {
  /** Every member is its points' MVEE enlarged by this factor per axis (default 1.1). */
  readonly enlargePerDim?: number
  /** The fewest points a member may be fitted to; members with fewer than twice this are not split (default d + 1, at least d + 1). */
  readonly nPointsMin?: number
  /** Members are cube/ellipsoid mixtures instead of ellipsoids (default false). */
  readonly cubeMixture?: boolean
}

/** A union as plain, JSON-safe data; `Union.fromData` continues exactly where it stopped. */
export interface UnionData {
  readonly dim: number
  readonly enlargePerDim: number
  readonly nPointsMin: number
  readonly cubeMixture: boolean
  readonly members: UnionMemberData[]
  readonly blocked: boolean[]
  /** Points fitted by each member, flattened (d numbers a point); null if left out. */
  readonly memberPoints: number[][] | null
  readonly memberPointCounts: number[]
  readonly nSample: number
  readonly nReject: number
  /** Accepted draws not yet handed out by `sample`, flattened. */
  readonly pending: number[]
}

/** Candidate draws per batch, as nautilus. */
const BATCH = 1000
/** `logVolume` without any draws yet makes batches until this many are accepted, as nautilus. */
const PRIME_ACCEPTED = 100
/** Batches in a row without one acceptance before sampling gives up. */
const MAX_EMPTY_BATCHES = 1000

/** A union of members, intersected with the unit cube [0, 1)^d. */
export class Union {
  readonly dim: number
  readonly enlargePerDim: number
  readonly nPointsMin: number
  readonly cubeMixture: boolean
  #members: UnionMember[]
  #points: (readonly Float64Array[])[] | null
  #pointCounts: number[]
  #blocked: boolean[]
  // Cumulative selection probabilities ∝ member volume.
  #cumulative = new Float64Array(0)
  #logVolumeSum = 0
  #nSample = 0
  #nReject = 0
  #pending: Float64Array[] = []
  readonly #candidate: Float64Array

  private constructor(
    dim: number,
    options: Required<UnionOptions>,
    members: UnionMember[],
    points: (readonly Float64Array[])[] | null,
    pointCounts: number[],
    blocked: boolean[],
  ) {
    this.dim = dim
    this.enlargePerDim = options.enlargePerDim
    this.nPointsMin = options.nPointsMin
    this.cubeMixture = options.cubeMixture
    this.#members = members
    this.#points = points
    this.#pointCounts = pointCounts
    this.#blocked = blocked
    this.#candidate = new Float64Array(dim)
    this.#refreshVolumes()
  }

  /** A union of one member fitted to all the points (nautilus's Union.compute). */
  static compute(points: readonly Float64Array[], options: UnionOptions = {}): Union {
    if (points.length === 0) throw new RangeError('Union.compute: no points')
    const d = points[0]!.length
    const resolved = resolveOptions(d, options)
    const member = fitMember(points, resolved)
    return new Union(
      d,
      resolved,
      [member],
      [points.slice()],
      [points.length],
      [points.length < 2 * resolved.nPointsMin],
    )
  }

  /** A union of given members (no points: it can be sampled and trimmed by count, not split). */
  static fromMembers(members: readonly UnionMember[], options: UnionOptions = {}): Union {
    if (members.length === 0) throw new RangeError('Union.fromMembers: no members')
    const d = members[0]!.dim
    if (members.some((m) => m.dim !== d))
      throw new RangeError('Union.fromMembers: members differ in dimension')
    const resolved = resolveOptions(d, { ...options, cubeMixture: members[0] instanceof CubeMixture })
    return new Union(
      d,
      resolved,
      members.slice(),
      null,
      members.map(() => 0),
      members.map(() => true),
    )
  }

  /** Rebuilds a union from `toData()`, with its counters and pending draws. */
  static fromData(data: UnionData): Union {
    const d = data.dim
    const members = data.members.map((m) =>
      m.kind === 'ellipsoid' ? Ellipsoid.fromData(m) : CubeMixture.fromData(m),
    )
    const points = data.memberPoints?.map((flat) => unflatten(flat, d)) ?? null
    const union = new Union(
      d,
      { enlargePerDim: data.enlargePerDim, nPointsMin: data.nPointsMin, cubeMixture: data.cubeMixture },
      members,
      points,
      data.memberPointCounts.slice(),
      data.blocked.slice(),
    )
    union.#nSample = data.nSample
    union.#nReject = data.nReject
    union.#pending = unflatten(data.pending, d)
    return union
  }

  /** Plain, JSON-safe data; `points: false` leaves out the member points (the result cannot split). */
  toData(options: { readonly points?: boolean } = {}): UnionData {
    const points = (options.points ?? true) ? this.#points : null
    return {
      dim: this.dim,
      enlargePerDim: this.enlargePerDim,
      nPointsMin: this.nPointsMin,
      cubeMixture: this.cubeMixture,
      members: this.#members.map((m) => m.toData()),
      blocked: this.#blocked.slice(),
      memberPoints: points === null ? null : points.map(flatten),
      memberPointCounts: this.#pointCounts.slice(),
      nSample: this.#nSample,
      nReject: this.#nReject,
      pending: flatten(this.#pending),
    }
  }

  /** The same as `dim`, under the name the sampler's bounds use. */
  get dimensions(): number {
    return this.dim
  }

  /** The members, in order. */
  get members(): readonly UnionMember[] {
    return this.#members
  }

  /** Whether each member is barred from splitting (too few points, or splitting did not shrink it). */
  get blocked(): readonly boolean[] {
    return this.#blocked
  }

  /** How many points each member was fitted to. */
  get memberPointCounts(): readonly number[] {
    return this.#pointCounts
  }

  /** Candidate draws made since the members last changed (the volume estimate's denominator). */
  get nSample(): number {
    return this.#nSample
  }

  /** Of those, the draws rejected: outside the cube, or thinned for lying in several members. */
  get nReject(): number {
    return this.#nReject
  }

  /** Accepted draws waiting to be returned by `sample`. */
  get pendingCount(): number {
    return this.#pending.length
  }

  /** ln Σ member volumes: an upper bound on the union's volume. */
  logVolumeUpperBound(): number {
    return this.#logVolumeSum
  }

  /**
   * The Monte Carlo estimate of ln volume(union ∩ cube): ln Σ V_k + ln(1 − nReject/nSample). It
   * sharpens as draws accumulate. With no draws yet it first makes batches (kept for `sample`)
   * until 100 are accepted, which needs `rng`.
   */
  logVolume(rng?: Random): number {
    if (this.#nSample === 0) {
      if (rng === undefined) throw new Error('Union.logVolume: no draws yet; pass a Random to make some')
      for (let b = 0; b < MAX_EMPTY_BATCHES && this.#pending.length < PRIME_ACCEPTED; b++)
        this.draw(BATCH, rng)
    }
    return this.#logVolumeSum + Math.log1p(-this.#nReject / this.#nSample)
  }

  /**
   * The relative variance of the volume estimate, from the binomial accepted share p̂ = 1 −
   * nReject/nSample: Var(p̂)/p̂² = nReject/((nSample − nReject)·nSample). Zero with no draws or none
   * accepted.
   */
  volumeRelativeVariance(): number {
    const n = this.#nSample
    const r = this.#nReject
    return n > 0 && r < n ? r / ((n - r) * n) : 0
  }

  /** Whether x is in the unit cube [0, 1)^d and in at least one member. */
  contains(x: ArrayLike<number>): boolean {
    if (!inUnitCube(x, this.dim)) return false
    for (const m of this.#members) if (m.contains(x)) return true
    return false
  }

  /** How many members contain x (the cube is not checked). */
  count(x: ArrayLike<number>): number {
    let n = 0
    for (const m of this.#members) if (m.contains(x)) n++
    return n
  }

  /**
   * n points drawn exactly uniformly in union ∩ cube (fresh arrays). Pending draws go first; then
   * batches of 1000 candidates: a member chosen ∝ volume, a uniform draw in it, rejected outside the
   * cube, kept with probability 1/(members containing it).
   */
  sample(n: number, rng: Random): Float64Array[] {
    let empty = 0
    while (this.#pending.length < n) {
      const before = this.#pending.length
      this.draw(BATCH, rng)
      empty = this.#pending.length === before ? empty + 1 : 0
      if (empty >= MAX_EMPTY_BATCHES) throw new Error('Union.sample: no draw lands in the unit cube')
    }
    return this.#pending.splice(0, n)
  }

  /**
   * Makes `nDraws` candidate draws and keeps the accepted ones for `sample`; the counters grow.
   * Per draw: one uniform to choose the member (none if there is only one), the member's draw,
   * and one uniform for the thinning when more than one member contains the point.
   */
  draw(nDraws: number, rng: Random): void {
    const members = this.#members
    const cumulative = this.#cumulative
    const last = members.length - 1
    const x = this.#candidate
    const d = this.dim
    let rejected = 0
    for (let t = 0; t < nDraws; t++) {
      let k = 0
      if (last > 0) {
        const u = rng.uniform()
        while (k < last && u >= cumulative[k]!) k++
      }
      members[k]!.sampleInto(rng, x)
      if (!inUnitCube(x, d)) {
        rejected++
        continue
      }
      // The source member contains the draw by construction; count the others.
      let covering = 1
      for (let j = 0; j <= last; j++) if (j !== k && members[j]!.contains(x)) covering++
      if (covering > 1 && rng.uniform() * covering >= 1) {
        rejected++
        continue
      }
      this.#pending.push(x.slice())
    }
    this.#nSample += nDraws
    this.#nReject += rejected
  }

  /** Forgets the draws: counters to zero, pending draws dropped (after the members change). */
  reset(): void {
    this.#nSample = 0
    this.#nReject = 0
    this.#pending = []
  }

  /**
   * Splits the largest unblocked member in two (nautilus's Union.split): its points in its own
   * frame are clustered by a two-component Gaussian mixture, the smaller cluster is topped up to
   * nPointsMin with the other's points most probable under it, and both clusters are fitted. If
   * `allowOverlap` is false (ellipsoid members only) and any two members would then overlap,
   * nothing changes and the result is false. If the children together are not smaller than the
   * parent, the parent is blocked and the next largest is tried. Returns whether a member was
   * split; a split resets the draws.
   */
  split(allowOverlap: boolean, rng: Random): boolean {
    if (!allowOverlap && this.cubeMixture) {
      throw new RangeError('Union.split: overlap can only be forbidden for ellipsoid members')
    }
    for (;;) {
      let index = -1
      for (let i = 0; i < this.#members.length; i++) {
        if (this.#blocked[i]) continue
        if (index < 0 || this.#members[i]!.logVolume > this.#members[index]!.logVolume) index = i
      }
      if (index < 0) return false
      if (this.#points === null) throw new Error('Union.split: the member points were not kept')
      const parent = this.#members[index]!
      const points = this.#points[index]!
      const frame = points.map((p) => parent.toFrame(p))
      const model = fitGaussianMixture2(frame, rng)
      const logDensities = componentLogDensities(model, frame)
      const labels = labelsByDensity(logDensities)
      topUpSmallerCluster(labels, logDensities, this.nPointsMin)
      const clusters: Float64Array[][] = [[], []]
      for (let i = 0; i < points.length; i++) clusters[labels[i]!]!.push(points[i]!)
      const resolved = {
        enlargePerDim: this.enlargePerDim,
        nPointsMin: this.nPointsMin,
        cubeMixture: this.cubeMixture,
      }
      const children = clusters.map((c) => fitMember(c, resolved))
      if (!allowOverlap) {
        const after = [...this.#members.filter((_, i) => i !== index), ...children] as Ellipsoid[]
        if (anyOverlap(after)) return false
      }
      if (logAddExp(children[0]!.logVolume, children[1]!.logVolume) > parent.logVolume) {
        this.#blocked[index] = true
        continue
      }
      const keep = (_: unknown, i: number) => i !== index
      this.#members = [...this.#members.filter(keep), ...children]
      this.#points = [...this.#points.filter(keep), ...clusters]
      this.#pointCounts = [...this.#pointCounts.filter(keep), ...clusters.map((c) => c.length)]
      this.#blocked = [...this.#blocked.filter(keep), ...clusters.map((c) => c.length < 2 * this.nPointsMin)]
      this.#refreshVolumes()
      this.reset()
      return true
    }
  }

  /**
   * Drops the member with the lowest density (points per volume) if it is more than `threshold`
   * times below the median of the others (nautilus's Union.trim). Returns whether one was dropped;
   * a drop resets the draws. A union of one member is never trimmed.
   */
  trim(threshold = 1e3): boolean {
    const m = this.#members.length
    if (m === 1) return false
    const logDensity = this.#members.map((member, i) => Math.log(this.#pointCounts[i]!) - member.logVolume)
    let index = 0
    for (let i = 1; i < m; i++) if (logDensity[i]! < logDensity[index]!) index = i
    const others = logDensity.filter((_, i) => i !== index).sort((a, b) => a - b)
    const half = others.length >> 1
    const median = others.length % 2 === 1 ? others[half]! : 0.5 * (others[half - 1]! + others[half]!)
    if (!(logDensity[index]! - median < -Math.log(threshold))) return false
    const keep = (_: unknown, i: number) => i !== index
    this.#members = this.#members.filter(keep)
    if (this.#points !== null) this.#points = this.#points.filter(keep)
    this.#pointCounts = this.#pointCounts.filter(keep)
    this.#blocked = this.#blocked.filter(keep)
    this.#refreshVolumes()
    this.reset()
    return true
  }

  #refreshVolumes(): void {
    const logs = this.#members.map((m) => m.logVolume)
    const max = Math.max(...logs)
    let total = 0
    for (const l of logs) total += Math.exp(l - max)
    this.#logVolumeSum = max + Math.log(total)
    const cumulative = new Float64Array(logs.length)
    let running = 0
    for (let i = 0; i < logs.length; i++) {
      running += Math.exp(logs[i]! - max) / total
      cumulative[i] = running
    }
    this.#cumulative = cumulative
  }
}

function resolveOptions(d: number, options: UnionOptions): Required<UnionOptions> {
  const enlargePerDim = options.enlargePerDim ?? 1.1
  const nPointsMin = options.nPointsMin ?? d + 1
  if (!(enlargePerDim >= 1)) throw new RangeError('Union: enlargePerDim must be at least 1')
  if (!(nPointsMin >= d + 1)) throw new RangeError('Union: nPointsMin must be at least d + 1')
  return { enlargePerDim, nPointsMin, cubeMixture: options.cubeMixture ?? false }
}

function fitMember(points: readonly Float64Array[], options: Required<UnionOptions>): UnionMember {
  return options.cubeMixture
    ? CubeMixture.fit(points, options.enlargePerDim)
    : Ellipsoid.fit(points, options.enlargePerDim)
}

// If a cluster has fewer than nPointsMin points, moves into it the other cluster's points with the
// highest log density under it, just enough to reach nPointsMin (the other keeps at least as many
// when the member has 2·nPointsMin points).
function topUpSmallerCluster(labels: Uint8Array, logDensities: Float64Array, nPointsMin: number): void {
  const n = labels.length
  let ones = 0
  for (let i = 0; i < n; i++) ones += labels[i]!
  const small = ones < n - ones ? 1 : 0
  const missing = nPointsMin - (small === 1 ? ones : n - ones)
  if (missing <= 0) return
  const candidates: number[] = []
  for (let i = 0; i < n; i++) if (labels[i] !== small) candidates.push(i)
  candidates.sort((a, b) => logDensities[2 * b + small]! - logDensities[2 * a + small]! || a - b)
  for (let t = 0; t < Math.min(missing, candidates.length); t++) labels[candidates[t]!] = small
}

function inUnitCube(x: ArrayLike<number>, d: number): boolean {
  for (let i = 0; i < d; i++) {
    const v = x[i]!
    if (!(v >= 0 && v < 1)) return false
  }
  return true
}

function flatten(points: readonly Float64Array[]): number[] {
  const out: number[] = []
  for (const p of points) for (let i = 0; i < p.length; i++) out.push(p[i]!)
  return out
}

function unflatten(flat: readonly number[], d: number): Float64Array[] {
  const out: Float64Array[] = []
  for (let i = 0; i + d <= flat.length; i += d) out.push(Float64Array.from(flat.slice(i, i + d)))
  return out
}
