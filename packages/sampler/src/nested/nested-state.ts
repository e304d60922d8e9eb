// The nested sampler's algorithm without I/O: shells, bounds, the transfer pool, exploration and
// sampling phases, planning batches and merging their results. Everything random comes from
// streams keyed by (seed, purpose, index), and every decision is taken at a fixed point in the
// sequence of batches (batch k+1 is planned after batch k−1 is merged, or after batch k when a
// bound is expected then), so a seed gives the same run whatever runs the likelihood and however
// long each batch takes.

import { Random } from '@parafit/core'
import type { Blob } from '../batch-results.ts'
import type { BatchPlan, EvaluatedBatch, TransferredPoint } from './batch-plan.ts'
import { CubeBound, type SamplingBound, STREAM } from './bound.ts'
import type { BoundBuilder } from './nautilus-bound.ts'
import {
  asymptoticEfficiency,
  emptyShell,
  liveFraction,
  liveLogVolume,
  pointWeights,
  type ShellRecord,
  type ShellStats,
  shellStats,
} from './shells.ts'

export interface AlgorithmSettings {
  readonly dimensions: number
  readonly nLive: number
  readonly nBatch: number
  readonly nUpdate: number
  readonly nLikeNewBound: number
  readonly seed: number
}

export interface Targets {
  readonly fLive: number
  readonly nShell: number
  readonly nEff: number
}

/** A point of an older shell inside the newest bound, waiting to stand in for a draw there. */
interface PooledPoint extends TransferredPoint {
  readonly shell: number
}

export class NestedState {
  readonly settings: AlgorithmSettings
  shells: ShellRecord[] = []
  bounds: SamplingBound[] = []
  transferPool: PooledPoint[] = []
  pending: BatchPlan[] = []
  nextBatch = 0
  nLike = 0
  explored = false
  /** Points above the newest threshold and calls since the last bound (nautilus's counters). */
  nUpdateIter = 0
  nLikeIter = 0
  boundAttempts = 0
  discard = false

  constructor(settings: AlgorithmSettings) {
    this.settings = settings
    this.bounds.push(new CubeBound(settings.dimensions, settings.seed))
    this.shells.push(emptyShell(Number.NEGATIVE_INFINITY))
    // The first bound comes after about 2·nLive draws from the cube.
    this.nUpdateIter = -settings.nLive
  }

  // Each shell's statistics are recomputed only when its points, draws or bound volume changed.
  #statsCache = new WeakMap<ShellRecord, { key: string; stats: ShellStats }>()

  stats(): ShellStats[] {
    const discard = this.discard && this.explored
    return this.shells.map((s, i) => {
      const logV = this.bounds[i]!.logVolume()
      const key = `${s.logL.length} ${s.nSample} ${logV} ${discard}`
      const cached = this.#statsCache.get(s)
      if (cached?.key === key) return cached.stats
      const stats = shellStats(s, logV, discard)
      this.#statsCache.set(s, { key, stats })
      return stats
    })
  }

  /** Calls planned but not yet merged. */
  pendingCalls(): number {
    let n = 0
    for (const p of this.pending) n += p.points.length
    return n
  }

  /** The next batch, or undefined when the targets are met as far as merged results tell. */
  plan(targets: Targets, nEff: number): BatchPlan | undefined {
    if (!this.explored) return this.#draw(this.shells.length - 1, true)
    const stats = this.stats()
    const pendingIn = new Float64Array(this.shells.length)
    for (const p of this.pending) pendingIn[p.shell]! += p.points.length + p.transferred.length
    const short = this.shells.findIndex((s, i) => s.logL.length + pendingIn[i]! < targets.nShell)
    if (short >= 0) return this.#draw(short, false)
    // The batch in flight will add about η effective samples per point (η the asymptotic
    // efficiency): when that reaches the target, drawing another would only overshoot it.
    const pendingPoints = pendingIn.reduce((a, b) => a + b, 0)
    if (nEff + asymptoticEfficiency(stats) * pendingPoints >= targets.nEff) return undefined
    // The shell with the largest evidence share for its precision (pending points counted).
    let best = 0
    let bestScore = Number.NEGATIVE_INFINITY
    for (let i = 0; i < stats.length; i++) {
      const s = stats[i]!
      const n = s.n + pendingIn[i]!
      const score =
        s.n > 0 ? s.logLMean + s.logV - 0.5 * Math.log(n) - 0.5 * Math.log(s.nEff) : Number.POSITIVE_INFINITY
      if (score > bestScore) {
        bestScore = score
        best = i
      }
    }
    return this.#draw(best, false)
  }

  /** Uniform draws in shell `shell`; the newest shell takes pooled points where draws land in their old shells. */
  #draw(shell: number, exploring: boolean): BatchPlan {
    const index = this.nextBatch++
    const rng = Random.fromSeed(this.settings.seed, STREAM.batch, index)
    const bound = this.bounds[shell]!
    const newest = shell === this.bounds.length - 1
    const points: Float64Array[] = []
    const transferred: TransferredPoint[] = []
    let nBound = 0
    const nBatch = this.settings.nBatch
    // The pool's points of each old shell, in pool order; taken ones are dropped at the end.
    const byShell = new Map<number, number[]>()
    if (newest) {
      this.transferPool.forEach((p, i) => {
        const list = byShell.get(p.shell)
        if (list === undefined) byShell.set(p.shell, [i])
        else list.push(i)
      })
    }
    const taken = new Set<number>()
    while (points.length + transferred.length < nBatch) {
      const need = nBatch - points.length - transferred.length
      nBound += need
      for (const x of bound.take(need)) {
        if (this.#inLaterBound(x, shell)) continue
        const candidates = byShell.size > 0 ? byShell.get(this.#oldShell(x, shell)) : undefined
        if (candidates !== undefined && candidates.length > 0) {
          const pick = candidates.splice(rng.int(candidates.length), 1)[0]!
          const p = this.transferPool[pick]!
          transferred.push({ point: p.point, logL: p.logL, blob: p.blob })
          taken.add(pick)
          continue
        }
        points.push(x)
      }
    }
    if (taken.size > 0) this.transferPool = this.transferPool.filter((_, i) => !taken.has(i))
    const plan: BatchPlan = {
      index,
      shell,
      boundCount: this.bounds.length,
      points,
      transferred,
      nBound,
      exploring,
    }
    this.pending.push(plan)
    return plan
  }

  #inLaterBound(x: Float64Array, shell: number): boolean {
    for (let j = shell + 1; j < this.bounds.length; j++) if (this.bounds[j]!.contains(x)) return true
    return false
  }

  /** The shell a point of bound `shell` belonged to before that bound existed. */
  #oldShell(x: Float64Array, shell: number): number {
    for (let j = shell - 1; j > 0; j--) if (this.bounds[j]!.contains(x)) return j
    return 0
  }

  /** Adds an evaluated batch (the oldest pending one) to its shell. */
  merge(batch: EvaluatedBatch): void {
    const { plan } = batch
    const head = this.pending[0]
    // An internal invariant (the sampler merges batches in plan order), never the user's doing.
    if (head?.index !== plan.index) throw new Error(`internal: batch ${plan.index} merged out of order`)
    this.pending.shift()
    const shell = this.shells[plan.shell]!
    shell.nSample += plan.nBound
    let above = 0
    const add = (point: Float64Array, logL: number, blob: Blob | undefined) => {
      // Bounds added after the batch was drawn: points in the newest go to its transfer pool,
      // points in one since superseded are dropped (as nautilus drops a stale pool).
      if (this.bounds.length > plan.boundCount && this.#inLaterBound(point, plan.shell)) {
        const last = this.bounds.length - 1
        if (plan.shell < last && this.bounds[last]!.contains(point))
          this.transferPool.push({ point, logL, blob, shell: plan.shell })
        return
      }
      shell.points.push(point)
      shell.logL.push(logL)
      shell.blobs.push(blob)
    }
    for (const t of plan.transferred) add(t.point, t.logL, t.blob)
    for (let i = 0; i < plan.points.length; i++) {
      if (batch.logL[i]! >= shell.logLMin) above++
      add(plan.points[i]!, batch.logL[i]!, batch.blobs[i])
    }
    this.nLike += plan.points.length
    if (plan.exploring && !this.explored) {
      this.nUpdateIter += above
      this.nLikeIter += plan.points.length + plan.transferred.length
    }
  }

  /** After a merge while exploring: whether the live set's share of the evidence is small enough. */
  liveFraction(): number {
    const weights = pointWeights(this.shells, this.stats(), false)
    return liveFraction(weights, this.settings.nLive)
  }

  /** Ends exploration: empty shells (with nothing pending) go, and the phase's end is marked. */
  endExploration(discard: boolean): void {
    for (let i = this.shells.length - 1; i > 0; i--) {
      if (this.shells[i]!.logL.length > 0 || this.pending.some((p) => p.shell >= i)) continue
      this.shells.splice(i, 1)
      this.bounds.splice(i, 1)
    }
    for (const s of this.shells) {
      s.endExploration = s.logL.length
      s.nSampleExploration = s.nSample
    }
    this.explored = true
    this.discard = discard
    this.transferPool = []
  }

  /**
   * Whether every point so far has ln L = -Infinity, after as many prior draws as the first bound
   * would take: exploration could then never end, so the run stops with an error instead.
   */
  nothingPossible(): boolean {
    if (this.nLike < 2 * this.settings.nLive || this.bounds.length > 1) return false
    return this.shells.every((s) => s.logL.every((l) => l === Number.NEGATIVE_INFINITY))
  }

  /** Whether nautilus's counters call for a new bound now. */
  wantsBound(): boolean {
    let total = 0
    for (const s of this.shells) total += s.logL.length
    return (
      !this.explored &&
      (this.nUpdateIter >= this.settings.nUpdate || this.nLikeIter >= this.settings.nLikeNewBound) &&
      total > this.settings.nLive
    )
  }

  /**
   * Whether a new bound will probably be due once the exploring batches in flight are merged.
   * A batch drawn now would then come from a bound about to be superseded (nautilus, drawing one
   * batch at a time, never draws one): better to let the pool finish what it has. Points above
   * the threshold are expected at the rate seen since the last bound (the call count is exact).
   */
  boundExpectedAfterPending(): boolean {
    if (this.explored) return false
    let pendingCalls = 0
    let total = 0
    for (const p of this.pending) if (p.exploring) pendingCalls += p.points.length + p.transferred.length
    if (pendingCalls === 0) return false
    for (const s of this.shells) total += s.logL.length
    if (total + pendingCalls <= this.settings.nLive) return false
    if (this.nLikeIter + pendingCalls >= this.settings.nLikeNewBound) return true
    // Until the first bound attempt the counter starts at -nLive (the cube's 2·nLive draws).
    const aboveSinceBound = this.nUpdateIter + (this.boundAttempts === 0 ? this.settings.nLive : 0)
    const rate = this.nLikeIter > 0 ? aboveSinceBound / this.nLikeIter : 1
    return this.nUpdateIter + rate * pendingCalls >= this.settings.nUpdate
  }

  /**
   * Tries a new bound on the nLive-th best likelihood; keeps it only if it is smaller than the
   * newest one. On success, points of older shells inside it move to the transfer pool.
   */
  async addBound(build: BoundBuilder): Promise<boolean> {
    this.nUpdateIter = 0
    this.nLikeIter = 0
    const attempt = this.boundAttempts++
    const weights = pointWeights(this.shells, this.stats(), false)
    const all: Float64Array[] = []
    for (const s of this.shells) for (const x of s.points) all.push(x)
    const sorted = Float64Array.from(weights.logL).sort()
    const nLive = this.settings.nLive
    let logLMin = sorted[sorted.length - nLive]!
    const nPointsMin = build.nPointsMin
    let above = 0
    let ties = 0
    for (const l of sorted) {
      if (l > logLMin) above++
      else if (l === logLMin) ties++
    }
    // A plateau: move the threshold up to the next distinct value when enough points lie above.
    if (ties > 1 && above >= nPointsMin) {
      let next = Number.POSITIVE_INFINITY
      for (const l of sorted) if (l > logLMin && l < next) next = l
      logLMin = next
    }
    const newest = this.shells.length - 1
    if (sorted[0]! >= logLMin) {
      this.shells[newest]!.logLMin = logLMin
      return false
    }
    const bound = await build.build({
      points: all,
      logL: weights.logL,
      logLMin,
      logVLive: liveLogVolume(weights, nLive),
      boundIndex: this.bounds.length,
      attempt,
    })
    if (bound === undefined || !(bound.logVolume() < this.bounds[newest]!.logVolume())) {
      this.shells[newest]!.logLMin = logLMin
      return false
    }
    this.bounds.push(bound)
    this.shells.push(emptyShell(logLMin))
    this.transferPool = []
    for (let i = 0; i < this.shells.length - 1; i++) {
      const s = this.shells[i]!
      let keep = 0
      for (let j = 0; j < s.points.length; j++) {
        if (bound.contains(s.points[j]!)) {
          this.transferPool.push({ point: s.points[j]!, logL: s.logL[j]!, blob: s.blobs[j], shell: i })
        } else {
          s.points[keep] = s.points[j]!
          s.logL[keep] = s.logL[j]!
          s.blobs[keep] = s.blobs[j]
          keep++
        }
      }
      s.points.length = keep
      s.logL.length = keep
      s.blobs.length = keep
    }
    return true
  }
}
