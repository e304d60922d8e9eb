// The MPI pool on rank 0: the scheduler of @parafit/parallel (dynamic dispatch of cost-sized
// chunks, two chunks per rank while plenty is queued, retries, timeouts) with worker ranks 1..N-1
// as its workers. Objectives are defined once per rank, so `init` crosses to each rank once.
// Closing releases the ranks: each finishes what it holds and confirms, and only then is this
// session over (and MPI_Finalize possible at exit).
//
// In-process objectives (a tree every rank built itself, for mpiCombined) are addressed by
// their place in the tree: `local` maps each to a reference that the ranks resolve to their
// own copy.

import { type Objective, type ObjectiveRef, PoolClosedError, ValidationError } from '@parafit/core'
import type { EvaluateOptions, LeafObjective, LeafOutcome, LeafTask, PrepareOptions } from '@parafit/parallel'
import { WorkerPool } from '@parafit/parallel/internal'
import { RankChannel } from './rank-channel.ts'
import type { MpiRuntime } from './runtime.ts'
import type { LostRank, MpiOptions, MpiPool } from './types.ts'

const DEFAULT_CLOSE_TIMEOUT_MS = 60_000

export class MpiCoordinator implements MpiPool {
  readonly kind = 'mpi' as const
  readonly size: number
  readonly rank = 0
  readonly #runtime: MpiRuntime
  readonly #combinedSignals = new WeakMap<AbortSignal, AbortSignal>()
  readonly #session: number
  readonly #channels: RankChannel[] = []
  readonly #scheduler: WorkerPool
  readonly #local: ReadonlyMap<Objective, ObjectiveRef>
  readonly #stopDied: () => void
  readonly #stopCoordinating: () => void
  readonly #closeTimeoutMs: number
  /** Called when a rank confirms its release or dies, while close() waits for them. */
  #onRankSettled: () => void = () => {}
  #inFlight = 0
  #closing: Promise<void> | undefined

  constructor(
    runtime: MpiRuntime,
    session: number,
    local: ReadonlyMap<Objective, ObjectiveRef>,
    hosts: readonly string[],
    options: MpiOptions = {},
  ) {
    this.#runtime = runtime
    this.#session = session
    this.#local = local
    this.size = runtime.size - 1
    this.#closeTimeoutMs = options.closeTimeoutMs ?? options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS
    for (let rank = 1; rank < runtime.size; rank++)
      this.#channels.push(new RankChannel(rank, hosts[rank] ?? '?', session, runtime.transport))
    this.#scheduler = new WorkerPool('mpi', (id, events) => this.#channels[id]!.attach(events), {
      numWorkers: this.size,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      // Re-running a chunk's tasks one by one to find a culprit would lose a rank per attempt.
      isolateCulprits: false,
    })
    runtime.transport.open(session, (envelope, source) => {
      const channel = this.#channels[source - 1]
      if (channel === undefined) return false
      if (envelope.t === 'pool' && 'type' in envelope.message && isFromWorker(envelope.message))
        channel.receive(envelope.message)
      else if (envelope.t === 'released') {
        channel.released = true
        this.#onRankSettled()
      } else return false
      return true
    })
    this.#stopCoordinating = runtime.coordinating()
    this.#stopDied = runtime.onDied((rank, reason) => {
      this.#channels[rank - 1]?.died(reason)
      this.#onRankSettled()
    })
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  get lostRanks(): LostRank[] {
    return this.#channels.flatMap((c) => (c.lost === undefined ? [] : [{ rank: c.rank, reason: c.lost }]))
  }

  /** Worker ranks to release at exit, or undefined while work is in flight (for the runtime). */
  releasable(): readonly number[] | undefined {
    if (this.#inFlight > 0 || this.#channels.some((c) => c.lost === undefined && !c.idle)) return undefined
    return this.#channels.filter((c) => c.lost === undefined && !c.released).map((c) => c.rank)
  }

  /** Why the job cannot finalize, if a rank was lost. */
  lost(): string | undefined {
    return this.#channels.find((c) => c.lost !== undefined)?.lost
  }

  prepare(objectives: readonly LeafObjective[], options?: PrepareOptions): Promise<void> {
    return this.#track(() =>
      this.#scheduler.prepare(
        objectives.map((o) => this.#reference(o)),
        { ...options, signal: this.#untilTheJobEnds(options?.signal) },
      ),
    )
  }

  evaluate(tasks: readonly LeafTask[], options?: EvaluateOptions): Promise<LeafOutcome[]> {
    return this.#track(() => {
      const mapped = tasks.map((task) => {
        const objective = this.#reference(task.objective)
        return objective === task.objective ? task : { ...task, objective }
      })
      return this.#scheduler.evaluate(mapped, { ...options, signal: this.#untilTheJobEnds(options?.signal) })
    })
  }

  /**
   * The batch stops when the caller aborts it or when the launcher ends the job (SIGTERM). One
   * combined signal per caller's signal: batches with the same signal may share chunks.
   */
  #untilTheJobEnds(signal: AbortSignal | undefined): AbortSignal {
    const ending = this.#runtime.ending
    if (signal === undefined) return ending
    let combined = this.#combinedSignals.get(signal)
    if (combined === undefined) {
      combined = AbortSignal.any([signal, ending])
      this.#combinedSignals.set(signal, combined)
    }
    return combined
  }

  evaluateOnEachWorker(task: LeafTask, options?: EvaluateOptions): Promise<LeafOutcome[]> {
    return this.#track(() =>
      this.#scheduler.evaluateOnEachWorker(
        { ...task, objective: this.#reference(task.objective) },
        { ...options, signal: this.#untilTheJobEnds(options?.signal) },
      ),
    )
  }

  close(): Promise<void> {
    this.#closing ??= this.#release()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** Keeps the process alive while a call waits on other ranks. */
  async #track<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw new PoolClosedError('MPI pool')
    const release = this.#runtime.transport.hold()
    this.#inFlight++
    try {
      return await call()
    } finally {
      this.#inFlight--
      release()
    }
  }

  #reference(objective: LeafObjective): LeafObjective {
    if (!('evaluate' in objective)) return objective
    const ref = this.#local.get(objective)
    if (ref !== undefined) return ref
    throw new ValidationError(
      'an MPI pool can only run objectives from modules (objectiveModule(...)), or the in-process ' +
        'terms of a tree given to mpiCombined(), which every rank builds itself',
    )
  }

  /** Stops scheduling, then waits until every live rank has finished and confirmed. */
  async #release(): Promise<void> {
    const hold = this.#runtime.transport.hold()
    try {
      await this.#scheduler.close()
      const live = this.#channels.filter((c) => c.lost === undefined)
      for (const channel of live)
        this.#runtime.transport.send(channel.rank, { t: 'release', session: this.#session })
      await new Promise<void>((resolve) => {
        // A rank stuck in an evaluation never confirms (fault probe F4): bounded, it is lost.
        const timer = setTimeout(() => {
          for (const channel of live) {
            if (channel.released || channel.lost !== undefined) continue
            const reason =
              `rank ${channel.rank} (${channel.host}) did not finish its work and confirm the pool's ` +
              `close within closeTimeoutMs=${this.#closeTimeoutMs}, so it is stuck in a long or endless ` +
              'evaluation (give timeoutMs to stop such evaluations); the MPI job cannot finish cleanly ' +
              'and ends with a non-zero status'
            this.#runtime.say(reason)
            channel.died(reason)
          }
          resolve()
        }, this.#closeTimeoutMs)
        this.#onRankSettled = () => {
          if (live.every((c) => c.released || c.lost !== undefined)) {
            clearTimeout(timer)
            resolve()
          }
        }
        this.#onRankSettled()
      })
      await this.#runtime.transport.flush()
    } finally {
      this.#stopDied()
      this.#stopCoordinating()
      hold()
    }
    if (this.lost() === undefined) this.#runtime.endSession(this.#session)
  }
}

function isFromWorker(message: { type: string }): message is Parameters<RankChannel['receive']>[0] {
  return message.type === 'ready' || message.type === 'defined' || message.type === 'done'
}
