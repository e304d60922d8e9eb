// The pool's places for workers. A WorkerSlot is one place and the worker in it now: what that
// worker has loaded or is loading, the chunks it holds (the first is running; at most two),
// their timeout clocks, and why it is being stopped, so that its exit is not taken for a crash.
// WorkerSlots starts them all, puts a new worker in the place of one that died (a new WorkerSlot
// with the same id), and retires a place no worker can be had for again (a lost MPI rank).

import { moduleDisplayName, type ObjectiveRef, WorkerCrashedError } from '@parafit/core'
import type { ChunkObjectives, FromWorker, ParamsOnTheWire, TaskInput } from '../protocol.ts'
import type { KillReason, SpawnOptions, SpawnWorker, WorkerExit, WorkerHandle } from '../worker-handle.ts'
import type { QueueItem } from './batch.ts'

/** Tasks sent to a worker in one message: of one batch, or of batches that can share a chunk. */
export interface Chunk {
  readonly id: number
  /** The objective of every task, or each task's when the chunk mixes objectives. */
  readonly refIds: ChunkObjectives
  readonly items: readonly QueueItem[]
  timer: NodeJS.Timeout | undefined
  /** It was waiting at the worker when the chunk before it finished, so it started at once. */
  startedAtOnce: boolean
}

/** An objective a worker was asked to load and has not yet said it did. */
export interface Loading {
  /** The module, as messages name it. */
  readonly module: string
  /**
   * Its load time (prepare's timeoutMs), counted from when the worker is up and has finished the
   * chunks sent before the define (it reads the define only then).
   */
  readonly timeoutMs: number | undefined
  /** The last chunk sent before the define, while the worker has it still to finish. */
  after: number | undefined
  /** Stops the worker when it overruns its load time. */
  timer: NodeJS.Timeout | undefined
}

/** What a slot's worker says, and its exit, for the pool. */
export interface SlotEvents {
  message(slot: WorkerSlot, message: FromWorker): void
  exit(slot: WorkerSlot, exit: WorkerExit): void
}

export class WorkerSlot {
  readonly id: number
  #handle: WorkerHandle | undefined
  /** The worker has said it is up: timeout clocks may run. */
  ready = false
  /** The objectives sent to the worker (loaded, or being loaded). */
  readonly defined = new Set<number>()
  /** Objectives defined but not yet acknowledged: a death now happened while loading them. */
  readonly loading = new Map<number, Loading>()
  /** The load that overran its time, when the worker is being stopped for that. */
  overran: { readonly refId: number; readonly timeoutMs: number } | undefined
  /** Chunks sent, in the order the worker runs them; the first is running. At most two. */
  chunks: Chunk[] = []
  /** Why we are killing it (timeout, abort, close), so its exit is not taken for a crash. */
  killReason: KillReason | undefined
  /** No worker can be had for this slot any more (a lost MPI rank): it gets no work. */
  retired = false
  /** When the caller last received a chunk's results from it (performance.now()). */
  lastDoneAt = 0

  /** Starts a worker for slot `id`; undefined when none can be had (the slot is retired). */
  static start(
    id: number,
    spawn: SpawnWorker,
    options: SpawnOptions,
    on: SlotEvents,
  ): WorkerSlot | undefined {
    const slot = new WorkerSlot(id)
    const handle = spawn(id, { message: (m) => on.message(slot, m), exit: (e) => on.exit(slot, e) }, options)
    if (handle === undefined) return undefined
    slot.#handle = handle
    return slot
  }

  private constructor(id: number) {
    this.id = id
  }

  get handle(): WorkerHandle {
    if (this.#handle === undefined) throw new Error(`internal: slot ${this.id} has no worker yet`)
    return this.#handle
  }

  /** It may be given work: it is neither being stopped nor retired. */
  get available(): boolean {
    return this.killReason === undefined && !this.retired
  }

  /** Stops the worker; its exit then reports `reason`, not a crash. */
  kill(reason: KillReason): Promise<void> {
    this.killReason = reason
    return this.handle.kill(reason)
  }

  /** The worker is up: the clocks that waited for it start now. */
  up(): void {
    this.ready = true
    for (const [refId, loading] of this.loading) this.#startLoadClock(refId, loading)
    const running = this.chunks[0]
    if (running !== undefined) this.#startChunkClock(running)
  }

  /**
   * Asks the worker to load `ref` as objective `refId`. With `timeoutMs`, a worker that has not
   * loaded it that long after it is up is stopped (`overran` says why), and its exit fails the load.
   */
  define(refId: number, ref: ObjectiveRef, timeoutMs?: number): void {
    this.defined.add(refId)
    const after = this.chunks.at(-1)?.id
    const loading: Loading = { module: moduleDisplayName(ref.module), timeoutMs, timer: undefined, after }
    this.loading.set(refId, loading)
    this.handle.send({ type: 'define', refId, ref })
    if (this.ready) this.#startLoadClock(refId, loading)
  }

  /** The worker answered the define of `refId` (loaded, or failed to). */
  loaded(refId: number): void {
    clearTimeout(this.loading.get(refId)?.timer)
    this.loading.delete(refId)
  }

  /** The worker unloads those of `refIds` it has; a later use defines them again. */
  forget(refIds: readonly number[]): void {
    const loaded = refIds.filter((refId) => this.defined.delete(refId))
    if (loaded.length > 0 && !this.retired) this.handle.send({ type: 'forget', refIds: loaded })
  }

  /** Sends `chunk` to the worker; throws, holding nothing of it, when it cannot be sent. */
  run(chunk: Chunk, params: ParamsOnTheWire, inputs: readonly (TaskInput | null)[] | null): void {
    this.chunks.push(chunk)
    try {
      this.handle.send({ type: 'run', chunkId: chunk.id, refIds: chunk.refIds, params, inputs })
    } catch (error) {
      this.chunks.pop()
      throw error
    }
    if (this.chunks.length === 1) this.#startChunkClock(chunk)
  }

  /** The running chunk `chunkId` is done: the next, already at the worker, starts at once. */
  finish(chunkId: number): Chunk | undefined {
    const chunk = this.chunks[0]
    if (chunk === undefined || chunk.id !== chunkId) return undefined
    clearTimeout(chunk.timer)
    this.chunks.shift()
    // Defines sent behind this chunk reach the worker now: their load time starts.
    for (const [refId, loading] of this.loading) {
      if (loading.after !== chunkId) continue
      loading.after = undefined
      this.#startLoadClock(refId, loading)
    }
    const next = this.chunks[0]
    if (next !== undefined) {
      this.#startChunkClock(next)
      next.startedAtOnce = true
    }
    return chunk
  }

  /** The worker is gone: none of its clocks may fire. */
  stopClocks(): void {
    for (const chunk of this.chunks) clearTimeout(chunk.timer)
    for (const loading of this.loading.values()) clearTimeout(loading.timer)
  }

  /** No worker can be had for this slot again: it holds and gets nothing. */
  retire(): void {
    this.retired = true
    this.chunks = []
  }

  /** A worker's start (a process takes a few hundred ms) is not its module's load time. */
  #startLoadClock(refId: number, loading: Loading): void {
    const { timeoutMs } = loading
    if (timeoutMs === undefined || loading.timer !== undefined || loading.after !== undefined) return
    loading.timer = setTimeout(() => {
      if (this.loading.get(refId) !== loading || this.killReason !== undefined) return
      this.overran = { refId, timeoutMs }
      void this.kill('timeout')
    }, timeoutMs)
  }

  /**
   * The timeout clock of a chunk runs from when the worker starts it, and not before the worker
   * is up: a replacement process takes a few hundred ms to start, which is no evaluation's time.
   */
  #startChunkClock(chunk: Chunk): void {
    const timeoutMs = chunk.items[0]!.batch.options.timeoutMs
    if (timeoutMs === undefined || !this.ready) return
    chunk.timer = setTimeout(() => {
      if (this.chunks[0] !== chunk) return
      void this.kill('timeout')
    }, timeoutMs)
  }
}

/** Workers that die while starting this many times in a row break the pool, rather than respawn forever. */
const MAX_STARTUP_FAILURES = 3

export class WorkerSlots {
  readonly #slots: WorkerSlot[] = []
  readonly #start: (id: number) => WorkerSlot | undefined
  #startupFailures = 0

  /** Starts `count` workers. When the system refuses one, those started are stopped, and it throws. */
  constructor(count: number, spawn: SpawnWorker, options: SpawnOptions, on: SlotEvents, label: string) {
    this.#start = (id) => WorkerSlot.start(id, spawn, options, on)
    try {
      for (let id = 0; id < count; id++) {
        const slot = this.#start(id)
        if (slot === undefined) throw new Error(`internal: no worker could be started for slot ${id}`)
        this.#slots.push(slot)
      }
    } catch (error) {
      // The system refused a thread or process (EAGAIN: too many, or a stack it cannot map):
      // the workers already started must not keep this process alive. Stopped as at close(),
      // so that their exits are not taken for deaths to replace them after.
      for (const slot of this.#slots) void slot.kill('close')
      throw new WorkerCrashedError(
        `${this.#slots.length} of the ${label}`,
        `it could not be started: ${(error as Error).message}; the pool cannot run`,
        { cause: error },
      )
    }
  }

  /** Every slot, retired ones included, in order of id. */
  get all(): readonly WorkerSlot[] {
    return this.#slots
  }

  /** `slot`'s worker says it is up. */
  up(slot: WorkerSlot): void {
    this.#startupFailures = 0
    slot.up()
  }

  /**
   * Whether the death of `slot`'s worker breaks the pool: it died while starting (not stopped by
   * us), as the last MAX_STARTUP_FAILURES - 1 did.
   */
  breaksPool(slot: WorkerSlot): boolean {
    return !slot.ready && slot.killReason === undefined && ++this.#startupFailures >= MAX_STARTUP_FAILURES
  }

  /**
   * A new worker for `slot`, whose worker died; undefined when none can be had. It takes the
   * slot's place (`replace`) once what the dead one held has been dealt with.
   */
  restart(slot: WorkerSlot): WorkerSlot | undefined {
    return this.#start(slot.id)
  }

  replace(slot: WorkerSlot, fresh: WorkerSlot): void {
    this.#slots[this.#slots.indexOf(slot)] = fresh
  }

  /** No worker can be had for `slot` again; returns whether any slot is left that can have one. */
  retire(slot: WorkerSlot): boolean {
    slot.retire()
    return this.#slots.some((s) => !s.retired)
  }
}
