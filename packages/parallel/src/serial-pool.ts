// The serial pool evaluates in the calling thread. By default it hands the objective the
// caller's parameters and context state as they are, and takes the result state back as it is:
// a structured clone per evaluation was most of its cost, and data that crosses to a worker
// intact is the same data without the crossing. `strict: true` moves state exactly as workers
// do (input and result through structured clone, so an uncloneable value fails with
// ContextTransportError as it would on a worker): the reference for the parity tests, and a
// check for users that their context survives transport. Errors round-trip through
// serializeError in both modes, so they arrive as they would from a worker.

import {
  assertNoClassInstance,
  ContextTransportError,
  classInstanceError,
  cloneState,
  deserializeError,
  EvaluateContext,
  EvaluationTimeoutError,
  findUncloneable,
  isObjectiveRef,
  loadObjectiveCached,
  moduleDisplayName,
  type Objective,
  PoolClosedError,
  serializeError,
} from '@parafit/core'
import { evaluateWithoutWaiting } from '@parafit/core/internal'
import { abortError } from './abort.ts'
import { loadTimeoutError } from './load-timeout.ts'
import { checkSerialPoolOptions, type SerialPoolOptions } from './options.ts'
import type { EvaluateOptions, LeafObjective, LeafOutcome, LeafTask, Pool, PrepareOptions } from './pool.ts'
import { classInstanceIn } from './protocol.ts'

const LOAD_LEFT_BEHIND =
  'the serial pool cannot stop a load in its own thread, so it was left behind (a worker pool ' +
  'stops it; a synchronous loop there would hold this thread for ever)'

/**
 * The objective, a module's loaded (imported, its factory run) within `timeoutMs` (fault probe
 * F8). A load still waiting then is left behind, and one waiting when `signal` aborts; one in a
 * synchronous loop holds this thread, and nothing here can end it.
 */
function resolve(objective: LeafObjective, options: PrepareOptions = {}): Promise<Objective> {
  if (!isObjectiveRef(objective)) return Promise.resolve(objective)
  const loading = loadObjectiveCached(objective)
  const { timeoutMs, signal } = options
  if (timeoutMs === undefined && signal === undefined) return loading
  return new Promise<Objective>((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            done()
            reject(loadTimeoutError(moduleDisplayName(objective.module), timeoutMs, LOAD_LEFT_BEHIND))
          }, timeoutMs)
    const onAbort = () => {
      done()
      reject(abortError(signal!)) // only the signal's 'abort' calls it
    }
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, { once: true })
    loading.then(
      (built) => {
        done()
        resolve(built)
      },
      (error: unknown) => {
        done()
        reject(error)
      },
    )
  })
}

/** An error as it arrives from a worker: the same class, message, fields, stack and causes. */
function asFromWorker(error: unknown): Error {
  return deserializeError(serializeError(error))
}

/**
 * One evaluation into a context of its own, as a worker would do it. Synchronous when the
 * objective is (no promise per evaluation); a Promise only for an asynchronous objective.
 */
function evaluateOne(
  objective: Objective,
  task: LeafTask,
  strict: boolean,
): LeafOutcome | Promise<LeafOutcome> {
  let ctx: EvaluateContext
  let params: typeof task.params
  try {
    // Strict, as a worker: an instance of a class would arrive flattened, so it is refused.
    if (strict) assertNoClassInstance(task.input, 'ctx')
    ctx = EvaluateContext.fromInputState(strict ? cloneState(task.input, 'ctx') : task.input)
    params = strict ? cloneState(task.params, 'params') : task.params
  } catch (error) {
    return { ok: false, error: asFromWorker(error), state: undefined }
  }
  let now: number | Promise<number>
  try {
    now = evaluateWithoutWaiting(objective, params, ctx)
  } catch (error) {
    return outcomeOf(ctx, strict, { ok: false, error })
  }
  if (typeof now === 'number') return outcomeOf(ctx, strict, { ok: true, value: now })
  return now.then(
    (value) => outcomeOf(ctx, strict, { ok: true, value }),
    (error: unknown) => outcomeOf(ctx, strict, { ok: false, error }),
  )
}

/** The outcome of an evaluation that returned a value or failed. */
function outcomeOf(
  ctx: EvaluateContext,
  strict: boolean,
  settled: { ok: true; value: number } | { ok: false; error: unknown },
): LeafOutcome {
  const state = ctx.toResultState()
  let copy = state
  const flattened = strict ? classInstanceIn(state) : undefined
  if (flattened !== undefined) {
    // As from a worker: a success fails, a failure keeps its error and leaves its context here.
    const error = settled.ok ? classInstanceError(flattened) : settled.error
    return { ok: false, error: asFromWorker(error), state: undefined }
  }
  if (strict) {
    try {
      copy = structuredClone(state)
    } catch (error) {
      // findUncloneable knows what structured clone refuses; should it miss a case, the clone's own message.
      const found = findUncloneable(state, 'ctx') ?? { keyPath: 'ctx', reason: (error as Error).message }
      return {
        ok: false,
        error: asFromWorker(new ContextTransportError(found.keyPath, found.reason)),
        state: undefined,
      }
    }
  }
  if (settled.ok) return { ok: true, value: settled.value, state: copy }
  return { ok: false, error: asFromWorker(settled.error), state: copy }
}

/** How long the serial pool may hold the event loop before it yields (for signals and timers). */
const YIELD_AFTER_MS = 10

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * What may end a batch early: abort, close(). Stopping rejects the batch's promise at once, even
 * while an evaluation is pending; the loop sees `stopped` when that evaluation returns, and ends.
 */
interface BatchStop {
  stopped: boolean
  stop(error: Error): void
}

const LEFT_BEHIND =
  'the serial pool cannot stop an evaluation in its own thread, so it was left behind ' +
  '(a worker pool, e.g. threadPool({ numWorkers: 1 }), stops it)'
const RETURNED_LATE = 'it returned later, and its result was discarded as on a worker pool'

/**
 * One evaluation under `timeoutMs`: an asynchronous one that has not settled by then is left
 * behind; a synchronous one cannot be interrupted (it holds this thread), so one that returns
 * late fails the same way, as on a worker pool, where its worker would have been stopped.
 */
function evaluateTimed(
  objective: Objective,
  task: LeafTask,
  strict: boolean,
  timeoutMs: number | undefined,
): LeafOutcome | Promise<LeafOutcome> {
  if (timeoutMs === undefined) return evaluateOne(objective, task, strict)
  return evaluateWithin(objective, task, strict, timeoutMs)
}

async function evaluateWithin(
  objective: Objective,
  task: LeafTask,
  strict: boolean,
  timeoutMs: number,
): Promise<LeafOutcome> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<LeafOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({ ok: false, error: new EvaluationTimeoutError(timeoutMs, LEFT_BEHIND), state: undefined }),
      timeoutMs,
    )
  })
  try {
    const outcome = await Promise.race([evaluateOne(objective, task, strict), late])
    if (outcome.ok && performance.now() - started > timeoutMs) {
      return { ok: false, error: new EvaluationTimeoutError(timeoutMs, RETURNED_LATE), state: undefined }
    }
    return outcome
  } finally {
    clearTimeout(timer)
  }
}

class SerialPool implements Pool {
  readonly kind = 'serial'
  readonly size = 1
  readonly #defaults: SerialPoolOptions
  readonly #running = new Set<BatchStop>()
  #lastYield = performance.now()
  #closed = false

  constructor(defaults: SerialPoolOptions) {
    this.#defaults = defaults
  }

  get closed(): boolean {
    return this.#closed
  }

  async prepare(objectives: readonly LeafObjective[], options: PrepareOptions = {}): Promise<void> {
    if (this.#closed) throw new PoolClosedError('serial pool')
    const within = { timeoutMs: options.timeoutMs ?? this.#defaults.timeoutMs, signal: options.signal }
    await Promise.all(objectives.map((objective) => resolve(objective, within)))
  }

  /**
   * Evaluates the tasks one after another. Between evaluations it yields to the event loop at
   * least every YIELD_AFTER_MS, so that an AbortSignal fired by a timer or a Ctrl-C handler is
   * seen; abort and close() end the batch at once, even while an evaluation is pending.
   */
  evaluate(tasks: readonly LeafTask[], options: EvaluateOptions = {}): Promise<LeafOutcome[]> {
    if (this.#closed) return Promise.reject(new PoolClosedError('serial pool'))
    const { signal } = options
    if (signal?.aborted) return Promise.reject(abortError(signal))
    return new Promise<LeafOutcome[]>((resolve, reject) => {
      const stop: BatchStop = {
        stopped: false,
        stop(error) {
          if (stop.stopped) return
          stop.stopped = true
          reject(error)
        },
      }
      const onAbort = () => stop.stop(abortError(signal!)) // only the signal's 'abort' calls it
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#running.add(stop)
      this.#run(tasks, options, stop)
        .then(
          (outcomes) => {
            if (!stop.stopped) resolve(outcomes)
          },
          (error: Error) => stop.stop(error),
        )
        .finally(() => {
          this.#running.delete(stop)
          signal?.removeEventListener('abort', onAbort)
        })
    })
  }

  async #run(tasks: readonly LeafTask[], options: EvaluateOptions, stop: BatchStop): Promise<LeafOutcome[]> {
    const timeoutMs = options.timeoutMs ?? this.#defaults.timeoutMs
    const retries = options.retries ?? this.#defaults.retries ?? 0
    const strict = this.#defaults.strict === true
    // Each objective of the batch is built (or found) once, not once per task.
    const built = new Map<LeafObjective, Objective>()
    for (const task of tasks) {
      if (!built.has(task.objective)) built.set(task.objective, await resolve(task.objective, { timeoutMs }))
    }
    const outcomes: LeafOutcome[] = []
    for (const task of tasks) {
      // Measured across batches: a fit of many small batches must yield too.
      if (performance.now() - this.#lastYield >= YIELD_AFTER_MS) {
        await yieldToEventLoop()
        this.#lastYield = performance.now()
      }
      if (stop.stopped) return outcomes
      const objective = built.get(task.objective)! // built for every task above
      const now = evaluateTimed(objective, task, strict, timeoutMs)
      // A synchronous evaluation's outcome is taken as it is: no microtask per evaluation.
      let outcome = now instanceof Promise ? await now : now
      for (let attempt = 0; attempt < retries && isTimeout(outcome) && !stop.stopped; attempt++) {
        outcome = await evaluateTimed(objective, task, strict, timeoutMs)
      }
      if (stop.stopped) return outcomes
      outcomes.push(outcome)
      options.onProgress?.(outcomes.length, tasks.length)
    }
    return outcomes
  }

  /** Pending batches reject with PoolClosedError at once; an evaluation in progress is left to finish. */
  async close(): Promise<void> {
    this.#closed = true
    for (const stop of this.#running) stop.stop(new PoolClosedError('serial pool'))
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

function isTimeout(outcome: LeafOutcome): boolean {
  return !outcome.ok && outcome.error instanceof EvaluationTimeoutError
}

/**
 * Evaluates in the calling thread: for debugging, cheap objectives and in-process objectives;
 * with `strict: true`, the parity reference for the worker pools. Abort, close() and timeoutMs
 * are honoured between evaluations and while an asynchronous evaluation is pending; a
 * synchronous evaluation that never returns holds the thread, and nothing in it can stop it
 * (use a worker pool, e.g. threadPool({ numWorkers: 1 }), for that).
 *
 * @example
 * ```ts
 * import { objective } from '@parafit/core'
 * import { mapWithContext, serialPool } from '@parafit/parallel'
 *
 * const square = objective((p: { x: number }) => p.x ** 2) // in-process: no module needed here
 * const pool = serialPool({ strict: true }) // moves contexts as a worker would, to check they can
 * const results = await mapWithContext(pool, square, [{ x: 1 }, { x: 2 }]) // values 1 and 4
 * await pool.close()
 * ```
 */
export function serialPool(options: SerialPoolOptions = {}): Pool {
  return new SerialPool(checkSerialPoolOptions(options))
}
