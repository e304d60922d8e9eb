// The steps of a run as a dependency graph, so the pool need not wait at every half-step.
//
// Each step's random numbers (the move, the split into halves, every proposal's plan and
// acceptance draw) are drawn up front, in step order, from the one random stream. A proposal of
// walker k at step s then needs only k's position before step s and its partners' positions for
// that half-step: before step s for the first half, after step s for the second. It can start as
// soon as those are decided, while other walkers' evaluations are still running. Every decision
// is the one the two-barrier algorithm makes with the same numbers, so the chain does not depend
// on the order in which evaluations finish, nor on the pool.

import type { Random } from '@parafit/core'
import type { Blob } from '../batch-results.ts'
import type { Move, MovePlan } from './moves.ts'

export interface WalkerState {
  readonly coords: Float64Array[]
  readonly logProb: Float64Array
  readonly blobs: (Blob | undefined)[]
}

/** One step: drawn up front, filled in walker by walker as proposals are decided. */
export interface Step extends WalkerState {
  /** The random stream's state before this step's draws: a run stopped here resumes from it. */
  readonly randomState: number[]
  readonly move: Move
  /** 0 or 1 per walker: which half it moves in. */
  readonly half: Uint8Array
  /** Per walker: its plan, with partners as walker indices. */
  readonly plans: MovePlan[]
  readonly uniforms: Float64Array
  readonly accepted: Uint8Array
  nBadValues: number
  decided: number
}

export interface Task {
  readonly step: number
  readonly walker: number
  readonly point: Float64Array
  readonly logFactor: number
}

const LOOKAHEAD = 3

export class StepSchedule {
  readonly #base: WalkerState
  readonly #nSteps: number
  readonly #random: Random
  readonly #pickMove: (u: number) => Move
  /** Steps drawn; those before the last committed one are dropped, as nothing reads them again. */
  readonly #steps: (Step | undefined)[] = []
  /** Per walker: the steps of this run decided for it. */
  readonly #version: Int32Array
  readonly #inFlight: Uint8Array
  #committed = 0

  constructor(base: WalkerState, nSteps: number, random: Random, pickMove: (u: number) => Move) {
    this.#base = base
    this.#nSteps = nSteps
    this.#random = random
    this.#pickMove = pickMove
    this.#version = new Int32Array(base.coords.length)
    this.#inFlight = new Uint8Array(base.coords.length)
  }

  get committed(): number {
    return this.#committed
  }

  /** The random state a resumed run must start from: that of the first step not committed. */
  resumeRandomState(): number[] {
    return this.#steps[this.#committed]?.randomState ?? this.#random.state()
  }

  /** Draws step `s` (and any before it not yet drawn), in step order. */
  #stepAt(s: number): Step {
    while (this.#steps.length <= s) this.#steps.push(this.#draw())
    return this.#steps[s]!
  }

  #draw(): Step {
    const random = this.#random
    const randomState = random.state()
    const n = this.#base.coords.length
    const nDim = this.#base.coords[0]!.length
    const move = this.#pickMove(random.uniform())
    // A fresh random split each step: walker k goes to half (k mod 2) after a shuffle.
    const half = Uint8Array.from({ length: n }, (_, k) => k % 2)
    for (let i = n - 1; i > 0; i--) {
      const j = random.int(i + 1)
      ;[half[i], half[j]] = [half[j]!, half[i]!]
    }
    const plans: MovePlan[] = new Array(n)
    const uniforms = new Float64Array(n)
    for (const h of [0, 1]) {
      const moving: number[] = []
      const others: number[] = []
      for (let k = 0; k < n; k++) (half[k] === h ? moving : others).push(k)
      const drawn = move.plan(moving.length, others.length, nDim, random)
      moving.forEach((k, i) => {
        plans[k] = { partners: drawn[i]!.partners.map((p) => others[p]!), draws: drawn[i]!.draws }
        uniforms[k] = random.uniform()
      })
    }
    return {
      randomState,
      move,
      half,
      plans,
      uniforms,
      coords: new Array(n),
      logProb: new Float64Array(n),
      blobs: new Array(n),
      accepted: new Uint8Array(n),
      nBadValues: 0,
      decided: 0,
    }
  }

  /** The state of walker k after `v` steps of this run. */
  #state(k: number, v: number): { x: Float64Array; logProb: number; blob: Blob | undefined } {
    const from = v === 0 ? this.#base : this.#steps[v - 1]!
    return { x: from.coords[k]!, logProb: from.logProb[k]!, blob: from.blobs[k] }
  }

  /**
   * The proposals of steps before `before` whose inputs are all decided and that have not
   * started; marks them started. At most LOOKAHEAD steps past the last committed one, so a
   * walker nobody needs cannot leave the others far behind.
   */
  ready(before = Number.POSITIVE_INFINITY): Task[] {
    const tasks: Task[] = []
    const limit = Math.min(before, this.#nSteps, this.#committed + LOOKAHEAD)
    for (let k = 0; k < this.#version.length; k++) {
      const s = this.#version[k]!
      if (s >= limit || this.#inFlight[k] === 1) continue
      const step = this.#stepAt(s)
      // First half: the partners before this step; second half: after it.
      const partnersAt = step.half[k] === 0 ? s : s + 1
      const { partners } = step.plans[k]!
      if (!partners.every((j) => this.#version[j]! >= partnersAt)) continue
      const { point, logFactor } = step.move.propose(
        this.#state(k, s).x,
        partners.map((j) => this.#state(j, partnersAt).x),
        step.plans[k]!,
      )
      this.#inFlight[k] = 1
      tasks.push({ step: s, walker: k, point, logFactor })
    }
    return tasks
  }

  /** A task that failed: its walker can be started again. */
  release(task: Task): void {
    this.#inFlight[task.walker] = 0
  }

  /** Accepts or rejects a proposal, given its log-probability (bad: a NaN turned into -Infinity). */
  decide(task: Task, logProb: number, blob: Blob | undefined, bad: boolean): void {
    const { step: s, walker: k } = task
    const step = this.#steps[s]!
    const current = this.#state(k, s)
    const accept = task.logFactor + logProb - current.logProb > Math.log(step.uniforms[k]!)
    step.coords[k] = accept ? task.point : current.x
    step.logProb[k] = accept ? logProb : current.logProb
    step.blobs[k] = accept ? blob : current.blob
    step.accepted[k] = accept ? 1 : 0
    if (bad) step.nBadValues++
    step.decided++
    this.#version[k] = s + 1
    this.#inFlight[k] = 0
  }

  /** Steps now decided for every walker, in order, each returned once. */
  *commit(): Generator<Step> {
    while (
      this.#committed < this.#steps.length &&
      this.#steps[this.#committed]!.decided === this.#version.length
    ) {
      const step = this.#steps[this.#committed++]!
      // Every walker is now at version ≥ committed, so reads start at step committed - 1.
      if (this.#committed >= 2) this.#steps[this.#committed - 2] = undefined
      yield step
    }
  }
}
