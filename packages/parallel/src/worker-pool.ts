// The scheduler behind threadPool and processPool: a fixed set of workers, a queue of tasks,
// chunks sized from measured cost, and supervision. A worker that dies or overruns timeoutMs is
// replaced; the tasks it held go back to the queue one by one (so the culprit is identified
// exactly and innocent tasks are not charged), and the culprit fails or is retried. Objective
// modules are defined once per worker: init travels to each worker once, tasks carry parameters.

import {
  type AbortError,
  ContextTransportError,
  deserializeError,
  EvaluationTimeoutError,
  findUncloneable,
  isObjectiveRef,
  moduleDisplayName,
  ObjectiveLoadError,
  type ObjectiveRef,
  PoolClosedError,
  ValidationError,
  WorkerCrashedError,
} from '@parafit/core'
import { abortError } from './abort.ts'
import { CostModel } from './chunking.ts'
import { loadTimeoutError } from './load-timeout.ts'
import type {
  EvaluateOptions,
  LeafObjective,
  LeafOutcome,
  LeafTask,
  Pool,
  PoolKind,
  PrepareOptions,
} from './pool.ts'
import { classInstanceInInput, type FromWorker, resultState, type TaskInput, taskInput } from './protocol.ts'
import { refIdentity } from './ref-registry.ts'
import { packParams, unpackResults } from './task-codec.ts'
import type { KillReason, SpawnOptions, SpawnWorker, WorkerExit, WorkerHandle } from './worker-handle.ts'

interface Batch {
  readonly tasks: readonly LeafTask[]
  readonly refIds: readonly number[]
  readonly outcomes: (LeafOutcome | undefined)[]
  readonly attempts: Uint16Array
  readonly options: EvaluateOptions
  done: number
  queued: number
  settled: boolean
  resolve(outcomes: LeafOutcome[]): void
  reject(error: Error): void
}

interface QueueItem {
  readonly batch: Batch
  readonly index: number
  /** Sent alone: after its chunk was lost, so a failure is pinned on exactly this task. */
  readonly single: boolean
}

interface Chunk {
  readonly id: number
  readonly refId: number
  readonly items: readonly QueueItem[]
  timer: NodeJS.Timeout | undefined
  /** It was waiting at the worker when the chunk before it finished, so it started at once. */
  startedAtOnce: boolean
}

/** An objective a worker was asked to load and has not yet said it did. */
interface Loading {
  /** The module, as messages name it. */
  readonly module: string
  /** Its load time (prepare's timeoutMs), counted from when the worker is up. */
  readonly timeoutMs: number | undefined
  /** Stops the worker when it overruns its load time. */
  timer: NodeJS.Timeout | undefined
}

interface Slot {
  readonly id: number
  handle: WorkerHandle
  ready: boolean
  defined: Set<number>
  /** Objectives defined but not yet acknowledged: a death now happened while loading them. */
  loading: Map<number, Loading>
  /** The load that overran its time, when the worker is being stopped for that. */
  overran: { readonly refId: number; readonly timeoutMs: number } | undefined
  /** Chunks sent, in the order the worker runs them; the first is running. At most two. */
  chunks: Chunk[]
  /** Why we are killing it (timeout, abort, close), so its exit is not taken for a crash. */
  killReason: KillReason | undefined
  /** No worker can be had for this slot any more (a lost MPI rank): it gets no work. */
  retired: boolean
  /** When the caller last received a chunk's results from it (performance.now()). */
  lastDoneAt: number
}

const MAX_STARTUP_FAILURES = 3
/**
 * How many objectives no batch is using a worker keeps loaded, at most; the least recently used
 * go first. Each holds its `init` and whatever its factory built, and a long-lived pool fed a new
 * ref per call kept them all (fault probe F9: 3,000 refs of 100 kB, 300 MB).
 */
export const MAX_IDLE_OBJECTIVES = 32

export interface WorkerPoolOptions extends SpawnOptions {
  readonly numWorkers: number
  readonly timeoutMs?: number
  readonly retries?: number
  /**
   * Whether the tasks of a chunk lost with its worker are run again one by one to find the
   * culprit (default). An MPI pool says no: each run of a culprit would cost a rank for good.
   */
  readonly isolateCulprits?: boolean
}

export class WorkerPool implements Pool {
  readonly kind: PoolKind
  readonly size: number
  readonly #spawn: SpawnWorker
  readonly #spawnOptions: SpawnOptions
  readonly #defaults: EvaluateOptions
  readonly #isolateCulprits: boolean
  readonly #slots: Slot[] = []
  readonly #queue: QueueItem[] = []
  #queueHead = 0
  readonly #cost = new CostModel()
  /**
   * The objectives seen, least recently used first. Held weakly: a ref the caller dropped is
   * released here and, through #released, in the workers; batches hold the refs they run.
   */
  readonly #refs = new Map<number, WeakRef<ObjectiveRef>>()
  readonly #released = new FinalizationRegistry<number>((refId) => {
    if (this.#closing === undefined) this.#forget([refId])
  })
  readonly #loadErrors = new Map<number, Error>()
  readonly #loadDeaths = new Map<number, number>()
  readonly #defineWaiters = new Map<string, { resolve(): void; reject(error: Error): void }>()
  readonly #batches = new Set<Batch>()
  #nextChunkId = 1
  #startupFailures = 0
  #broken: Error | undefined
  #closing: Promise<void> | undefined

  constructor(kind: PoolKind, spawn: SpawnWorker, options: WorkerPoolOptions) {
    this.kind = kind
    this.size = options.numWorkers
    this.#spawn = spawn
    this.#spawnOptions = options
    this.#defaults = { timeoutMs: options.timeoutMs, retries: options.retries }
    this.#isolateCulprits = options.isolateCulprits ?? true
    try {
      for (let id = 0; id < options.numWorkers; id++) {
        const slot = this.#startSlot(id)
        if (slot === undefined) throw new Error(`internal: no worker could be started for slot ${id}`)
        this.#slots.push(slot)
      }
    } catch (error) {
      // The system refused a thread or process (EAGAIN: too many, or a stack it cannot map):
      // the workers already started must not keep this process alive.
      for (const slot of this.#slots) void slot.handle.kill('close')
      throw new WorkerCrashedError(
        `${this.#slots.length} of the ${this.#label}`,
        `it could not be started: ${(error as Error).message}; the pool cannot run`,
        { cause: error },
      )
    }
  }

  get #label(): string {
    return this.kind === 'threads' ? 'thread pool' : this.kind === 'mpi' ? 'MPI pool' : 'process pool'
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  #startSlot(id: number): Slot | undefined {
    const slot: Slot = {
      id,
      handle: undefined as unknown as WorkerHandle,
      ready: false,
      defined: new Set(),
      loading: new Map(),
      overran: undefined,
      chunks: [],
      killReason: undefined,
      retired: false,
      lastDoneAt: 0,
    }
    const handle = this.#spawn(
      id,
      { message: (m) => this.#onMessage(slot, m), exit: (e) => this.#onExit(slot, e) },
      this.#spawnOptions,
    )
    if (handle === undefined) return undefined
    slot.handle = handle
    return slot
  }

  // ------------------------------------------------------------------ public API

  async prepare(objectives: readonly LeafObjective[], options: PrepareOptions = {}): Promise<void> {
    this.#assertOpen()
    const { signal } = options
    if (signal?.aborted) throw abortError(signal)
    // Loading counts against timeoutMs: a module that never finishes loading hung every backend
    // (fault probe F8).
    const timeoutMs = options.timeoutMs ?? this.#defaults.timeoutMs
    const refIds = objectives.map((o) => this.#refId(o))
    this.#evictIdle(new Set(refIds))
    const waits: Promise<void>[] = []
    const loads: [Slot, number][] = []
    for (const refId of new Set(refIds)) {
      const known = this.#loadErrors.get(refId)
      if (known !== undefined) throw known
      for (const slot of this.#slots) {
        // A lost worker (a retired MPI rank) never answers, and one being stopped (after a
        // timeout or an abort) may not for a long time: their replacements load the objective
        // with their first task. Waiting on them hung every new module (fault probe F5).
        if (slot.defined.has(refId) || slot.retired || slot.killReason !== undefined) continue
        waits.push(
          new Promise<void>((resolve, reject) => {
            this.#defineWaiters.set(`${slot.id}:${refId}`, { resolve, reject })
          }),
        )
        this.#define(slot, refId, timeoutMs)
        loads.push([slot, refId])
      }
    }
    if (signal === undefined) {
      await Promise.all(waits)
      return
    }
    let onAbort = () => {}
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        // A worker still loading may be stuck there: stop it, as an aborted batch's workers are.
        for (const [slot, refId] of loads) {
          if (!slot.loading.has(refId) || slot.killReason !== undefined) continue
          slot.killReason = 'abort'
          void slot.handle.kill('abort')
        }
        reject(abortError(signal))
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      await Promise.race([Promise.all(waits), aborted])
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  evaluate(tasks: readonly LeafTask[], options: EvaluateOptions = {}): Promise<LeafOutcome[]> {
    return this.#newBatch(tasks, options, (batch) => {
      const clean = new WeakSet<object>()
      for (let i = 0; i < tasks.length; i++) {
        // An input a worker would get flattened fails its task here, as an uncloneable one does.
        const input = taskInput(tasks[i]!.input)
        const refused = input === null ? undefined : classInstanceInInput(input, clean)
        if (refused === undefined) {
          this.#queue.push({ batch, index: i, single: false })
          continue
        }
        batch.queued--
        this.#complete({ batch, index: i, single: true }, { ok: false, error: refused, state: undefined })
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
      refIds = tasks.map((t) => this.#refId(t.objective))
    } catch (error) {
      return Promise.reject(error)
    }
    this.#evictIdle(new Set(refIds))
    return new Promise<LeafOutcome[]>((resolve, reject) => {
      const batch: Batch = {
        tasks,
        refIds,
        outcomes: new Array(tasks.length),
        attempts: new Uint16Array(tasks.length),
        options: merged,
        done: 0,
        queued: tasks.length,
        settled: false,
        resolve,
        reject,
      }
      this.#batches.add(batch)
      const signal = merged.signal
      if (signal !== undefined) {
        const onAbort = () => this.#abortBatch(batch, abortError(signal))
        signal.addEventListener('abort', onAbort, { once: true })
        const cleanup = () => signal.removeEventListener('abort', onAbort)
        batch.resolve = (o) => {
          cleanup()
          resolve(o)
        }
        batch.reject = (e) => {
          cleanup()
          reject(e)
        }
      }
      start(batch)
    })
  }

  /**
   * Evaluates `task` once on every worker, outcome i from worker i, for checks that workers
   * agree (a model that makes its data at random on load gets different data on each). A worker
   * lost during the check gives its outcome from whichever worker reruns the task.
   */
  evaluateOnEachWorker(task: LeafTask, options: EvaluateOptions = {}): Promise<LeafOutcome[]> {
    const slots = this.#slots.filter((slot) => !slot.retired)
    const tasks = slots.map(() => task)
    return this.#newBatch(tasks, options, (batch) => {
      slots.forEach((slot, index) => {
        batch.queued--
        this.#sendItems(slot, batch.refIds[index]!, [{ batch, index, single: true }])
      })
    })
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const error = new PoolClosedError(this.#label)
      for (const batch of [...this.#batches]) this.#fail(batch, error)
      for (const waiter of this.#defineWaiters.values()) waiter.reject(error)
      this.#defineWaiters.clear()
      await Promise.all(
        this.#slots.map((slot) => {
          slot.killReason = 'close'
          return slot.handle.kill('close')
        }),
      )
      // A closed pool the caller keeps holds nothing of what it ran (fault probe F9).
      for (const slot of this.#slots) slot.chunks = []
      this.#queue.length = 0
      this.#queueHead = 0
      this.#refs.clear()
      this.#loadErrors.clear()
      this.#loadDeaths.clear()
    })()
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  // ------------------------------------------------------------------ objectives

  #refId(objective: LeafObjective): number {
    if (!isObjectiveRef(objective)) {
      throw new ValidationError(
        'a worker pool can only run objectives from modules: export your objective from a file with ' +
          "defineObjective((init) => (params, ctx) => loss) and pass objectiveModule(new URL('./file.ts', import.meta.url), { init }) " +
          '(in-process objectives run on serialPool())',
      )
    }
    const id = refIdentity(objective)
    const known = this.#refs.get(id)
    if (known === undefined) this.#released.register(objective, id, objective)
    else this.#refs.delete(id)
    this.#refs.set(id, known ?? new WeakRef(objective))
    return id
  }

  /**
   * Unloads, in every worker, the least recently used objectives beyond MAX_IDLE_OBJECTIVES that
   * no batch uses; `current` are the ones the call at hand is about to use.
   */
  #evictIdle(current: ReadonlySet<number>): void {
    if (this.#refs.size <= MAX_IDLE_OBJECTIVES + current.size) return
    const inUse = new Set(current)
    for (const batch of this.#batches) for (const refId of batch.refIds) inUse.add(refId)
    const idle = [...this.#refs.keys()].filter((refId) => !inUse.has(refId))
    const evicted = idle.slice(0, Math.max(0, idle.length - MAX_IDLE_OBJECTIVES))
    for (const refId of evicted) {
      const ref = this.#refs.get(refId)?.deref()
      if (ref !== undefined) this.#released.unregister(ref)
    }
    this.#forget(evicted)
  }

  /** Forgets objectives here and in every worker that loaded them; a later use loads them again. */
  #forget(refIds: readonly number[]): void {
    if (refIds.length === 0) return
    for (const refId of refIds) {
      this.#refs.delete(refId)
      this.#loadErrors.delete(refId)
      this.#loadDeaths.delete(refId)
    }
    for (const slot of this.#slots) {
      const loaded = refIds.filter((refId) => slot.defined.delete(refId))
      if (loaded.length > 0 && !slot.retired) slot.handle.send({ type: 'forget', refIds: loaded })
    }
  }

  /**
   * Asks `slot`'s worker to load objective `refId`. With `timeoutMs`, a worker that has not
   * loaded it that long after it is up is stopped, and its exit fails the load (#failLoads).
   */
  #define(slot: Slot, refId: number, timeoutMs?: number): void {
    // Whoever asks (a batch, a prepare) holds the ref.
    const ref = this.#refs.get(refId)!.deref()!
    slot.defined.add(refId)
    const loading: Loading = { module: moduleDisplayName(ref.module), timeoutMs, timer: undefined }
    slot.loading.set(refId, loading)
    slot.handle.send({ type: 'define', refId, ref })
    if (slot.ready) this.#startLoadClock(slot, refId, loading)
  }

  /** A worker's start (a process takes a few hundred ms) is not its module's load time. */
  #startLoadClock(slot: Slot, refId: number, loading: Loading): void {
    const { timeoutMs } = loading
    if (timeoutMs === undefined || loading.timer !== undefined) return
    loading.timer = setTimeout(() => {
      if (slot.loading.get(refId) !== loading || slot.killReason !== undefined) return
      slot.overran = { refId, timeoutMs }
      slot.killReason = 'timeout'
      void slot.handle.kill('timeout')
    }, timeoutMs)
  }

  /** The objective cannot be loaded: remember why, and fail every batch and prepare() that uses it. */
  #setLoadError(refId: number, error: Error): void {
    this.#loadErrors.set(refId, error)
    for (const [key, waiter] of this.#defineWaiters) {
      if (!key.endsWith(`:${refId}`)) continue
      this.#defineWaiters.delete(key)
      waiter.reject(error)
    }
    for (const batch of [...this.#batches]) if (batch.refIds.includes(refId)) this.#fail(batch, error)
  }

  // ------------------------------------------------------------------ scheduling

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new PoolClosedError(this.#label)
    if (this.#broken !== undefined) throw this.#broken
  }

  #nextItem(): QueueItem | undefined {
    while (this.#queueHead < this.#queue.length) {
      const item = this.#queue[this.#queueHead]!
      if (!item.batch.settled) return item
      this.#queueHead++
    }
    this.#queue.length = 0
    this.#queueHead = 0
    return undefined
  }

  /**
   * Gives every idle worker a chunk; then, while plenty is queued, a second chunk to each busy
   * worker, so it starts the next one without waiting for a message round trip. Near the end of
   * a batch work goes one chunk at a time to whichever worker is free, for balance.
   */
  #dispatch(): void {
    for (const depth of [0, 1]) {
      for (const slot of this.#slots) {
        if (slot.chunks.length !== depth || slot.killReason !== undefined || slot.retired) continue
        const first = this.#nextItem()
        if (first === undefined) return
        if (depth === 1 && (first.single || first.batch.queued <= this.size)) return
        this.#sendChunk(slot, first)
      }
    }
  }

  #sendChunk(slot: Slot, first: QueueItem): void {
    const { batch } = first
    const refId = batch.refIds[first.index]!
    const loadError = this.#loadErrors.get(refId)
    if (loadError !== undefined) {
      this.#fail(batch, loadError)
      this.#dispatch()
      return
    }
    const size = first.single
      ? 1
      : this.#cost.chunkSize(refId, batch.queued, this.size, batch.options.timeoutMs)
    const items: QueueItem[] = []
    while (items.length < size) {
      const item = this.#queue[this.#queueHead]
      if (
        item === undefined ||
        item.batch !== batch ||
        batch.refIds[item.index] !== refId ||
        (item.single && items.length > 0)
      )
        break
      items.push(item)
      this.#queueHead++
      if (item.single) break
    }
    batch.queued -= items.length
    this.#sendItems(slot, refId, items)
  }

  /** Sends `items` (of one batch and one objective) to `slot` as one chunk. */
  #sendItems(slot: Slot, refId: number, items: readonly QueueItem[]): void {
    const { batch } = items[0]!
    if (!slot.defined.has(refId)) this.#define(slot, refId)
    const chunk: Chunk = { id: this.#nextChunkId++, refId, items, timer: undefined, startedAtOnce: false }
    slot.chunks.push(chunk)
    const params = items.map((item) => batch.tasks[item.index]!.params)
    let inputs: (TaskInput | null)[] | null = null
    items.forEach((item, i) => {
      const input = taskInput(batch.tasks[item.index]!.input)
      if (input === null) return
      inputs ??= new Array(items.length).fill(null)
      inputs[i] = input
    })
    try {
      slot.handle.send({ type: 'run', chunkId: chunk.id, refId, params: packParams(params), inputs })
    } catch (error) {
      slot.chunks.pop()
      this.#unsendable(items, error)
      this.#dispatch()
      return
    }
    if (slot.chunks.length === 1) this.#startTimer(slot, chunk)
  }

  /**
   * The timeout clock of a chunk runs from when the worker starts it, and not before the worker
   * is up: a replacement process takes a few hundred ms to start, which is no evaluation's time.
   */
  #startTimer(slot: Slot, chunk: Chunk): void {
    const timeoutMs = chunk.items[0]!.batch.options.timeoutMs
    if (timeoutMs === undefined || !slot.ready) return
    chunk.timer = setTimeout(() => {
      if (slot.chunks[0] !== chunk) return
      slot.killReason = 'timeout'
      void slot.handle.kill('timeout')
    }, timeoutMs)
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
        this.#complete(item, {
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
      for (const item of items) this.#complete(item, { ok: false, error: failure, state: undefined })
      return
    }
    for (const item of requeue) item.batch.queued++
    this.#queue.splice(this.#queueHead, 0, ...requeue)
  }

  #complete(item: QueueItem, outcome: LeafOutcome): void {
    const { batch } = item
    if (batch.settled) return
    batch.outcomes[item.index] = outcome
    batch.done++
    batch.options.onProgress?.(batch.done, batch.tasks.length)
    if (batch.done === batch.tasks.length) {
      batch.settled = true
      this.#batches.delete(batch)
      batch.resolve(batch.outcomes as LeafOutcome[])
    }
  }

  #fail(batch: Batch, error: Error): void {
    if (batch.settled) return
    batch.settled = true
    this.#batches.delete(batch)
    batch.reject(error)
  }

  #abortBatch(batch: Batch, error: AbortError): void {
    this.#fail(batch, error)
    for (const slot of this.#slots) {
      if (slot.chunks.some((c) => c.items[0]?.batch === batch) && slot.killReason === undefined) {
        slot.killReason = 'abort'
        void slot.handle.kill('abort')
      }
    }
  }

  // ------------------------------------------------------------------ worker events

  #onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        slot.ready = true
        this.#startupFailures = 0
        for (const [refId, loading] of slot.loading) this.#startLoadClock(slot, refId, loading)
        if (slot.chunks[0] !== undefined) this.#startTimer(slot, slot.chunks[0])
        return
      case 'defined': {
        clearTimeout(slot.loading.get(message.refId)?.timer)
        slot.loading.delete(message.refId)
        if (message.error !== undefined) {
          this.#setLoadError(message.refId, deserializeError(message.error))
          return
        }
        const key = `${slot.id}:${message.refId}`
        this.#defineWaiters.get(key)?.resolve()
        this.#defineWaiters.delete(key)
        return
      }
      case 'done': {
        const chunk = slot.chunks[0]
        if (chunk === undefined || chunk.id !== message.chunkId) return
        clearTimeout(chunk.timer)
        slot.chunks.shift()
        const next = slot.chunks[0]
        if (next !== undefined) {
          this.#startTimer(slot, next)
          next.startedAtOnce = true
        }
        const now = performance.now()
        if (chunk.startedAtOnce) this.#cost.recordMessage((now - slot.lastDoneAt) / 1000 - message.seconds)
        slot.lastDoneAt = now
        this.#cost.record(chunk.refId, message.seconds, chunk.items.length)
        const results = unpackResults(message.results)
        chunk.items.forEach((item, i) => {
          const result = results[i]!
          const state = resultState(result, item.batch.tasks[item.index]!.params)
          this.#complete(
            item,
            result.ok
              ? { ok: true, value: result.value, state: state! }
              : { ok: false, error: deserializeError(result.error), state },
          )
        })
        this.#dispatch()
      }
    }
  }

  #onExit(slot: Slot, exit: WorkerExit): void {
    const { chunks, killReason } = slot
    for (const chunk of chunks) clearTimeout(chunk.timer)
    for (const loading of slot.loading.values()) clearTimeout(loading.timer)
    if (killReason === 'close' || this.#closing !== undefined) {
      this.#releaseDefineWaiters(slot)
      return
    }
    const brokenAtStartup =
      !slot.ready && killReason === undefined && ++this.#startupFailures >= MAX_STARTUP_FAILURES
    // Replace the worker in the same slot; objectives are defined again on demand.
    const fresh = brokenAtStartup ? undefined : this.#startSlot(slot.id)
    this.#failLoads(slot, exit, fresh !== undefined)
    this.#releaseDefineWaiters(slot)
    if (brokenAtStartup) {
      this.#broken = new WorkerCrashedError(
        slot.handle.label,
        `workers die while starting (${exit.reason}); the pool cannot run`,
      )
      for (const batch of [...this.#batches]) this.#fail(batch, this.#broken)
      return
    }
    if (chunks.length > 0) this.#recover(chunks, slot, exit, fresh !== undefined)
    if (fresh === undefined) {
      this.#retire(slot, exit)
    } else {
      this.#slots[this.#slots.indexOf(slot)] = fresh
    }
    this.#dispatch()
  }

  /** The objectives a worker was loading when it exited: a timeout fails one, deaths may. */
  #failLoads(slot: Slot, exit: WorkerExit, replaced: boolean): void {
    // A chunk's timer may stop a worker that waits for a load too: that is the chunk's timeout.
    const overran = slot.killReason === 'timeout' ? slot.overran : undefined
    for (const [refId, { module }] of slot.loading) {
      if (refId === overran?.refId) {
        // Only the call that gave this time fails: another may give more, and a batch already
        // running has its module loaded elsewhere.
        const what = replaced ? 'the worker was stopped and replaced' : exit.reason
        const key = `${slot.id}:${refId}`
        this.#defineWaiters.get(key)?.reject(loadTimeoutError(module, overran.timeoutMs, what))
        this.#defineWaiters.delete(key)
      } else if (slot.killReason === undefined) {
        // A module that kills its worker while loading would otherwise cost a respawn per task;
        // one that kills a worker that cannot be replaced (an MPI rank) fails at once, named.
        const deaths = (this.#loadDeaths.get(refId) ?? 0) + 1
        this.#loadDeaths.set(refId, deaths)
        if (deaths < MAX_STARTUP_FAILURES && replaced) continue
        const who = replaced ? 'workers' : slot.handle.label
        this.#setLoadError(
          refId,
          new ObjectiveLoadError(module, `${who} died while loading it (${exit.reason})`),
        )
      }
    }
  }

  /** Loads the dead worker of `slot` was waited for: its replacement loads again on demand. */
  #releaseDefineWaiters(slot: Slot): void {
    for (const [key, waiter] of this.#defineWaiters) {
      if (!key.startsWith(`${slot.id}:`)) continue
      this.#defineWaiters.delete(key)
      waiter.resolve()
    }
  }

  /** The slot's worker is gone for good; when no slot is left, the pool cannot go on. */
  #retire(slot: Slot, exit: WorkerExit): void {
    slot.retired = true
    slot.chunks = []
    if (this.#slots.some((s) => !s.retired)) return
    this.#broken = new WorkerCrashedError(
      slot.handle.label,
      `every worker of the ${this.#label} has been lost (the last: ${exit.reason})`,
    )
    for (const batch of [...this.#batches]) this.#fail(batch, this.#broken)
  }

  /**
   * The tasks a dead worker held. Its running chunk: split into singles when it had several; a
   * single fails or is retried. A chunk it had not started goes back as it was.
   */
  #recover(chunks: readonly Chunk[], slot: Slot, exit: WorkerExit, replaced: boolean): void {
    // A worker stopped for a load it overran ran none of its chunks: none is to blame.
    const innocent = slot.overran !== undefined
    const running = innocent ? undefined : chunks[0]
    const waiting = innocent ? chunks : chunks.slice(1)
    const live = running?.items.filter((item) => !item.batch.settled) ?? []
    const requeue: QueueItem[] = []
    if (live.length > 1 && this.#isolateCulprits) {
      for (const item of live) requeue.push({ batch: item.batch, index: item.index, single: true })
    }
    for (const item of live.length === 1 || !this.#isolateCulprits ? live : []) {
      const { batch } = item
      if (batch.attempts[item.index]! < (batch.options.retries ?? 0)) {
        batch.attempts[item.index]!++
        requeue.push({ batch, index: item.index, single: true })
      } else {
        // An MPI rank is not stopped: its handle says what became of it.
        const error =
          slot.killReason === 'timeout'
            ? new EvaluationTimeoutError(batch.options.timeoutMs!, replaced ? undefined : exit.reason)
            : new WorkerCrashedError(slot.handle.label, exit.reason)
        this.#complete(item, { ok: false, error, state: undefined })
      }
    }
    for (const chunk of waiting) requeue.push(...chunk.items.filter((item) => !item.batch.settled))
    for (const item of requeue) item.batch.queued++
    // Back to the front of the queue, in their original order.
    this.#queue.splice(this.#queueHead, 0, ...requeue)
  }
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>
}
