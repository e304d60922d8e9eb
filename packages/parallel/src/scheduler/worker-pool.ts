// The scheduler behind threadPool and processPool (and, through ./internal, the MPI pool): it
// queues the tasks of each batch (batch.ts, task-queue.ts), sends them to the workers in chunks
// sized from measured cost (chunking.ts), and supervises. A worker that dies or overruns
// timeoutMs is replaced in its slot (slot.ts); the tasks it held go back to the queue one by one,
// so that the culprit is identified exactly and innocent tasks are not charged, and the culprit
// fails or is retried (recovery.ts). Objectives are defined once per worker, so `init` travels to
// each worker once; tasks carry parameters (objective-registry.ts numbers and keeps them).

import {
  type AbortError,
  ContextTransportError,
  deserializeError,
  findUncloneable,
  PoolClosedError,
  WorkerCrashedError,
} from '@parafit/core'
import { abortError } from '../abort.ts'
import type {
  EvaluateOptions,
  LeafObjective,
  LeafOutcome,
  LeafTask,
  Pool,
  PoolKind,
  PrepareOptions,
} from '../pool.ts'
import {
  type ChunkObjectives,
  classInstanceInInput,
  type FromWorker,
  type TaskInput,
  taskInput,
} from '../protocol.ts'
import { packParams } from '../task-codec.ts'
import type { SpawnOptions, SpawnWorker, WorkerExit } from '../worker-handle.ts'
import { type Batch, Batches, type QueueItem } from './batch.ts'
import { completeChunk, recordChunkCost } from './chunk-results.ts'
import { CostModel } from './chunking.ts'
import { ObjectiveRegistry } from './objective-registry.ts'
import { recoverTasks } from './recovery.ts'
import { type Chunk, type WorkerSlot, WorkerSlots } from './slot.ts'
import { TaskQueue } from './task-queue.ts'

export interface WorkerPoolOptions extends SpawnOptions {
  readonly numWorkers: number
  readonly timeoutMs?: number | undefined
  readonly retries?: number | undefined
  /**
   * Whether the tasks of a chunk lost with its worker are run again one by one to find the
   * culprit (default). An MPI pool says no: each run of a culprit would cost a rank for good.
   */
  readonly isolateCulprits?: boolean | undefined
}

export class WorkerPool implements Pool {
  readonly kind: PoolKind
  readonly size: number
  readonly #defaults: EvaluateOptions
  readonly #isolateCulprits: boolean
  readonly #slots: WorkerSlots
  readonly #queue = new TaskQueue()
  readonly #cost = new CostModel()
  readonly #batches = new Batches()
  readonly #objectives = new ObjectiveRegistry({
    inUse: () => this.#batches.refIds(),
    forgotten: (refIds) => {
      for (const slot of this.#slots.all) slot.forget(refIds)
      this.#cost.forget(refIds)
    },
    unloadable: (refId, error) => this.#batches.failAll(error, refId),
  })
  #nextChunkId = 1
  #broken: Error | undefined
  #closing: Promise<void> | undefined

  constructor(kind: PoolKind, spawn: SpawnWorker, options: WorkerPoolOptions) {
    this.kind = kind
    this.size = options.numWorkers
    this.#defaults = stripUndefined({ timeoutMs: options.timeoutMs, retries: options.retries })
    this.#isolateCulprits = options.isolateCulprits ?? true
    const events = {
      message: (slot: WorkerSlot, message: FromWorker) => this.#onMessage(slot, message),
      exit: (slot: WorkerSlot, exit: WorkerExit) => this.#onExit(slot, exit),
    }
    this.#slots = new WorkerSlots(options.numWorkers, spawn, options, events, this.#label)
  }

  get #label(): string {
    return this.kind === 'threads' ? 'thread pool' : this.kind === 'mpi' ? 'MPI pool' : 'process pool'
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  // ------------------------------------------------------------------ public API

  async prepare(objectives: readonly LeafObjective[], options: PrepareOptions = {}): Promise<void> {
    this.#assertOpen()
    const { signal } = options
    if (signal?.aborted) throw abortError(signal)
    const refIds = new Set(objectives.map((o) => this.#objectives.idOf(o)))
    this.#objectives.evictIdle(refIds)
    // Loading counts against timeoutMs: a module that never finishes loading hung every backend
    // (fault probe F8).
    const timeoutMs = options.timeoutMs ?? this.#defaults.timeoutMs
    await this.#objectives.loadEverywhere(refIds, this.#slots.all, timeoutMs, signal)
  }

  evaluate(tasks: readonly LeafTask[], options: EvaluateOptions = {}): Promise<LeafOutcome[]> {
    return this.#newBatch(tasks, options, (batch) => {
      const clean = new WeakSet<object>()
      for (let i = 0; i < tasks.length; i++) {
        // An input a worker would get flattened fails its task here, as an uncloneable one does.
        const input = taskInput(tasks[i]!.input)
        if (input !== null) {
          batch.inputs ??= new Array(tasks.length).fill(null)
          batch.inputs[i] = input
        }
        const refused = input === null ? undefined : classInstanceInInput(input, clean)
        if (refused === undefined) {
          this.#queue.push(batch, i)
          continue
        }
        batch.queued--
        this.#batches.complete(
          { batch, index: i, single: true },
          { ok: false, error: refused, state: undefined },
        )
      }
      this.#dispatch()
    })
  }

  /** A batch of `tasks` under `options`, started by `start` (queueing or sending its tasks). */
  #newBatch(
    tasks: readonly LeafTask[],
    options: EvaluateOptions,
    start: (batch: Batch) => void,
  ): Promise<LeafOutcome[]> {
    try {
      this.#assertOpen()
    } catch (error) {
      return Promise.reject(error)
    }
    const merged: EvaluateOptions = { ...this.#defaults, ...stripUndefined(options) }
    if (merged.signal?.aborted) return Promise.reject(abortError(merged.signal))
    if (tasks.length === 0) return Promise.resolve([])
    let refIds: number[]
    try {
      // Usually one objective for the whole batch: it is looked up (and marked used) once, not per task.
      let last: LeafObjective | undefined
      let lastId = -1
      refIds = tasks.map(({ objective }) => {
        if (objective !== last) {
          lastId = this.#objectives.idOf(objective)
          last = objective
        }
        return lastId
      })
    } catch (error) {
      return Promise.reject(error)
    }
    this.#objectives.evictIdle(new Set(refIds))
    return this.#batches.open(tasks, refIds, merged, start, (batch, error) => this.#abortBatch(batch, error))
  }

  /**
   * Evaluates `task` once on every worker, outcome i from worker i, for checks that workers
   * agree (a model that makes its data at random on load gets different data on each). A worker
   * lost during the check gives its outcome from whichever worker reruns the task.
   */
  evaluateOnEachWorker(task: LeafTask, options: EvaluateOptions = {}): Promise<LeafOutcome[]> {
    const slots = this.#slots.all.filter((slot) => !slot.retired)
    const tasks = slots.map(() => task)
    return this.#newBatch(tasks, options, (batch) => {
      slots.forEach((slot, index) => {
        batch.queued--
        this.#sendItems(slot, [{ batch, index, single: true }])
      })
    })
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const error = new PoolClosedError(this.#label)
      this.#batches.failAll(error)
      this.#objectives.close(error)
      await Promise.all(this.#slots.all.map((slot) => slot.kill('close')))
      // A closed pool the caller keeps holds nothing of what it ran (fault probe F9).
      for (const slot of this.#slots.all) slot.chunks = []
      this.#queue.clear()
      this.#objectives.clear()
      this.#cost.clear()
    })()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  // ------------------------------------------------------------------ scheduling

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new PoolClosedError(this.#label)
    if (this.#broken !== undefined) throw this.#broken
  }

  /**
   * Gives every idle worker a chunk; then, while more tasks wait than there are workers, a
   * second chunk to each busy worker, so it starts the next one without waiting for a message
   * round trip. What waits is counted over every batch: a sampler sends each proposal as a batch
   * of its own as soon as it can be built. Near the end work goes one chunk at a time to
   * whichever worker is free, for balance.
   */
  #dispatch(): void {
    for (const depth of [0, 1]) {
      for (const slot of this.#slots.all) {
        if (slot.chunks.length !== depth || !slot.available) continue
        const first = this.#queue.next()
        if (first === undefined) return
        if (depth === 1 && (first.single || this.#queue.waiting <= this.size)) return
        this.#sendChunk(slot, first)
      }
    }
  }

  #sendChunk(slot: WorkerSlot, first: QueueItem): void {
    const { batch } = first
    const refId = batch.refIds[first.index]!
    // What waits counts over every batch: one-task batches that can share a chunk fill it.
    const size = first.single
      ? 1
      : this.#cost.chunkSize(
          refId,
          Math.max(batch.queued, this.#queue.waiting),
          this.size,
          batch.options.timeoutMs,
          batch.round,
          this.#allIdle(),
        )
    const items = this.#queue.take(first, size, this.#cost.fitter(refId, size))
    const refIds = chunkObjectives(items)
    // Looked up once per objective of the chunk, not once per task.
    const objectives = typeof refIds === 'number' ? [refIds] : new Set(refIds)
    if ([...objectives].some((id) => this.#objectives.loadError(id) !== undefined)) {
      // Their batches fail whole; the other tasks go back to the front of the queue.
      for (const item of items) {
        const error = this.#objectives.loadError(item.batch.refIds[item.index]!)
        if (error !== undefined) this.#batches.fail(item.batch, error)
      }
      this.#queue.putBack(items.filter((item) => !item.batch.settled))
      this.#dispatch()
      return
    }
    this.#sendItems(slot, items, refIds)
  }

  /** Whether no worker that can take work holds any (a batch's chunks then start together). */
  #allIdle(): boolean {
    return this.#slots.all.every((slot) => !slot.available || slot.chunks.length === 0)
  }

  /** Sends `items`, whose objectives are `refIds`, to `slot` as one chunk. */
  #sendItems(slot: WorkerSlot, items: readonly QueueItem[], refIds = chunkObjectives(items)): void {
    for (const refId of typeof refIds === 'number' ? [refIds] : new Set(refIds))
      if (!slot.defined.has(refId)) this.#objectives.define(slot, refId)
    const chunk: Chunk = { id: this.#nextChunkId++, refIds, items, timer: undefined, startedAtOnce: false }
    const params = items.map((item) => item.batch.tasks[item.index]!.params)
    let inputs: (TaskInput | null)[] | null = null
    items.forEach((item, i) => {
      const input = item.batch.inputs?.[item.index] ?? null
      if (input === null) return
      inputs ??= new Array(items.length).fill(null)
      inputs[i] = input
    })
    try {
      slot.run(chunk, packParams(params), inputs)
    } catch (error) {
      this.#unsendable(items, error)
      this.#dispatch()
    }
  }

  /**
   * A chunk could not be sent: some task's context input or parameters cannot be cloned (a
   * caller-side mistake). Those tasks fail with the key path; the others go back to the queue.
   */
  #unsendable(items: readonly QueueItem[], error: unknown): void {
    const requeue: QueueItem[] = []
    for (const item of items) {
      const task = item.batch.tasks[item.index]!
      const found = findUncloneable(task.input, 'ctx') ?? findUncloneable(task.params, 'params')
      if (found !== undefined) {
        this.#batches.complete(item, {
          ok: false,
          error: new ContextTransportError(found.keyPath, found.reason),
          state: undefined,
        })
      } else {
        requeue.push(item)
      }
    }
    if (requeue.length === items.length) {
      // Nothing to blame on a task: report the transport's own error rather than retry forever.
      const failure = error instanceof Error ? error : new Error(String(error))
      for (const item of items) this.#batches.complete(item, { ok: false, error: failure, state: undefined })
      return
    }
    this.#queue.putBack(requeue)
  }

  #abortBatch(batch: Batch, error: AbortError): void {
    this.#batches.fail(batch, error)
    for (const slot of this.#slots.all) {
      if (
        slot.chunks.some((c) => c.items.some((item) => item.batch === batch)) &&
        slot.killReason === undefined
      ) {
        void slot.kill('abort')
      }
    }
  }

  // ------------------------------------------------------------------ worker events

  #onMessage(slot: WorkerSlot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.#slots.up(slot)
        return
      case 'defined': {
        slot.loaded(message.refId)
        if (message.error !== undefined)
          this.#objectives.setLoadError(message.refId, deserializeError(message.error))
        else this.#objectives.loaded(slot.id, message.refId)
        return
      }
      case 'done': {
        const chunk = slot.finish(message.chunkId)
        if (chunk === undefined) return
        const now = performance.now()
        if (chunk.startedAtOnce) this.#cost.recordMessage((now - slot.lastDoneAt) / 1000 - message.seconds)
        slot.lastDoneAt = now
        recordChunkCost(this.#cost, chunk, message.seconds, message.taskSeconds)
        completeChunk(chunk, message.results, (item, outcome) => this.#batches.complete(item, outcome))
        this.#dispatch()
      }
    }
  }

  #onExit(slot: WorkerSlot, exit: WorkerExit): void {
    const { chunks, killReason } = slot
    slot.stopClocks()
    if (killReason === 'close' || this.#closing !== undefined) {
      this.#objectives.releaseWaiters(slot.id)
      return
    }
    const brokenAtStartup = this.#slots.breaksPool(slot)
    // Replace the worker in the same slot; objectives are defined again on demand.
    const fresh = brokenAtStartup ? undefined : this.#slots.restart(slot)
    this.#objectives.workerLost(slot, exit, fresh !== undefined)
    this.#objectives.releaseWaiters(slot.id)
    if (brokenAtStartup) {
      this.#broken = new WorkerCrashedError(
        slot.handle.label,
        `workers die while starting (${exit.reason}); the pool cannot run`,
      )
      this.#batches.failAll(this.#broken)
      return
    }
    if (chunks.length > 0) {
      const requeue = recoverTasks(chunks, slot, exit, {
        replaced: fresh !== undefined,
        isolateCulprits: this.#isolateCulprits,
        fail: (item, error) => this.#batches.complete(item, { ok: false, error, state: undefined }),
      })
      // Back to the front of the queue, in their original order.
      this.#queue.putBack(requeue)
    }
    if (fresh === undefined) {
      this.#retire(slot, exit)
    } else {
      this.#slots.replace(slot, fresh)
    }
    this.#dispatch()
  }

  /** The slot's worker is gone for good; when no slot is left, the pool cannot go on. */
  #retire(slot: WorkerSlot, exit: WorkerExit): void {
    if (this.#slots.retire(slot)) return
    this.#broken = new WorkerCrashedError(
      slot.handle.label,
      `every worker of the ${this.#label} has been lost (the last: ${exit.reason})`,
    )
    this.#batches.failAll(this.#broken)
  }
}

/** The objectives of a chunk's tasks: one number when they share one (the usual case). */
function chunkObjectives(items: readonly QueueItem[]): ChunkObjectives {
  const refIdOf = (item: QueueItem) => item.batch.refIds[item.index]!
  const first = refIdOf(items[0]!)
  if (items.every((item) => refIdOf(item) === first)) return first
  return items.map(refIdOf)
}

/** The options without the keys given as undefined, so that they do not hide the defaults. */
function stripUndefined<T extends object>(options: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }
}
