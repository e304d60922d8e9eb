// Core's typed errors. Every error parafit raises is a ParafitError with a stable `code`, so
// callers can branch on `err.code` rather than on messages. Each package declares its own codes
// and classes next to each other (its errors.ts); core declares those of objectives, contexts and
// pools, which every package raises. How errors cross threads, processes and ranks: serialize.ts.

import type { ParamTree } from '../params.ts'

/** The codes of core's errors. Other packages declare theirs (FitterErrorCode, SamplerErrorCode, ...). */
export type CoreErrorCode =
  /** Bad input: options, parameters, bounds (ValidationError). */
  | 'PARAFIT_VALIDATION'
  /** The objective threw, or a hook, child configurator or reduction did (ObjectiveError). */
  | 'PARAFIT_OBJECTIVE_FAILED'
  /** The objective returned NaN, an infinity or not a number (ObjectiveValueError). */
  | 'PARAFIT_OBJECTIVE_VALUE'
  /** Post-evaluation hooks threw after a successful evaluation (HookError). */
  | 'PARAFIT_HOOK_FAILED'
  /** A context value cannot be sent to a worker (ContextTransportError). */
  | 'PARAFIT_CONTEXT_TRANSPORT'
  /** An objective module cannot be loaded (ObjectiveLoadError). */
  | 'PARAFIT_OBJECTIVE_LOAD'
  /** A worker died while evaluating (WorkerCrashedError). */
  | 'PARAFIT_WORKER_CRASHED'
  /** The workers of a pool give different values for the same parameters (WorkersDisagreeError). */
  | 'PARAFIT_WORKERS_DISAGREE'
  /** An evaluation ran past `timeoutMs` (EvaluationTimeoutError). */
  | 'PARAFIT_EVALUATION_TIMEOUT'
  /** The caller's signal stopped the operation (AbortError). */
  | 'PARAFIT_ABORTED'
  /** The pool was closed (PoolClosedError). */
  | 'PARAFIT_POOL_CLOSED'
  /** MPI was asked for but cannot be used (MpiUnavailableError). */
  | 'PARAFIT_MPI_UNAVAILABLE'
  /** An error parafit does not know, thrown on another thread, process or rank (RemoteError). */
  | 'PARAFIT_REMOTE'

/**
 * The base of every error parafit raises. `code` is a string each package declares in its own
 * union (core: CoreErrorCode); a subclass narrows it to its own codes.
 */
export class ParafitError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
  override get name(): string {
    return this.constructor.name
  }
  /**
   * Extra fields that travel with the error when it is serialized, named as the error's own
   * properties (so that a class registered without a reviver gets them back as they were).
   */
  protected fields(): Record<string, unknown> {
    return {}
  }
  /** @internal used by serializeError */
  serializableFields(): Record<string, unknown> {
    return this.fields()
  }
}

/** Bad input: options, parameters, bounds. `keyPath` names the offending key when there is one. */
export class ValidationError extends ParafitError {
  declare readonly code: 'PARAFIT_VALIDATION'
  readonly keyPath: string | undefined
  constructor(message: string, keyPath?: string) {
    super('PARAFIT_VALIDATION', keyPath === undefined ? message : `${message} (at '${keyPath}')`)
    this.keyPath = keyPath
  }
  protected override fields() {
    return { keyPath: this.keyPath }
  }
}

function describePath(termPath: readonly number[]): string {
  return termPath.length === 0 ? 'the root objective' : `term ${termPath.join(' > ')}`
}

/** A value in a message: its JSON, cut at 200 characters. */
export function describeParams(params: unknown): string {
  try {
    const text = JSON.stringify(params)
    return text === undefined ? String(params) : text.length > 200 ? `${text.slice(0, 200)}...` : text
  } catch {
    return String(params)
  }
}

/**
 * An objective failed: it threw, or a hook, child configurator or reduction of a combined
 * objective did. Carries the parameters and the term path (indices from the root combined
 * objective down to the failing term; empty for the root). The original error is `cause`.
 */
export class ObjectiveError extends ParafitError {
  declare readonly code: 'PARAFIT_OBJECTIVE_FAILED' | 'PARAFIT_OBJECTIVE_VALUE'
  readonly params: ParamTree | undefined
  #termPath: number[]
  readonly detail: string
  constructor(
    detail: string,
    options: {
      // undefined when the failure came before parameters were known; callers forward theirs.
      params?: ParamTree | undefined
      termPath?: number[]
      cause?: unknown
      code?: 'PARAFIT_OBJECTIVE_FAILED' | 'PARAFIT_OBJECTIVE_VALUE'
    } = {},
  ) {
    super(options.code ?? 'PARAFIT_OBJECTIVE_FAILED', detail, { cause: options.cause })
    this.detail = detail
    this.params = options.params
    this.#termPath = options.termPath ?? []
    this.message = this.#compose()
  }
  get termPath(): readonly number[] {
    return this.#termPath
  }
  /** Called by a combined objective as the error passes up through term `index`. */
  prependTermIndex(index: number): void {
    this.#termPath.unshift(index)
    this.message = this.#compose()
  }
  #compose(): string {
    const where = describePath(this.#termPath)
    const params = this.params === undefined ? '' : ` with parameters ${describeParams(this.params)}`
    return `${where} failed${params}: ${this.detail}`
  }
  protected override fields() {
    return { detail: this.detail, params: this.params, termPath: [...this.#termPath] }
  }
}

/** The objective returned NaN, an infinity, or something that is not a number or Float64Array. */
export class ObjectiveValueError extends ObjectiveError {
  declare readonly code: 'PARAFIT_OBJECTIVE_VALUE'
  constructor(detail: string, options: { params?: ParamTree | undefined; termPath?: number[] } = {}) {
    super(detail, { ...options, code: 'PARAFIT_OBJECTIVE_VALUE' })
  }
}

/**
 * Whether an evaluation failed on its value (NaN, an infinity, not a number: ObjectiveValueError)
 * rather than by throwing. Decided by the error's code, so it also holds for an error from
 * another copy of parafit, or one that crossed from a worker under a name this copy does not know.
 */
export function isObjectiveValueError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const e = error as { code?: unknown; originalCode?: unknown }
  return e.code === 'PARAFIT_OBJECTIVE_VALUE' || e.originalCode === 'PARAFIT_OBJECTIVE_VALUE'
}

/** One or more post-evaluation hooks threw after a successful evaluation. */
export class HookError extends ParafitError {
  declare readonly code: 'PARAFIT_HOOK_FAILED'
  readonly errors: readonly unknown[]
  constructor(errors: readonly unknown[]) {
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)))
    super('PARAFIT_HOOK_FAILED', `${errors.length} post-evaluation hook(s) failed: ${messages.join('; ')}`)
    this.errors = errors
  }
  protected override fields() {
    // serializeError sends the errors in a field as errors: each comes back as its own class.
    return { errors: [...this.errors] }
  }
}

/** A context field holds a value the structured clone algorithm cannot copy. */
export class ContextTransportError extends ParafitError {
  declare readonly code: 'PARAFIT_CONTEXT_TRANSPORT'
  readonly keyPath: string
  constructor(keyPath: string, reason: string) {
    super(
      'PARAFIT_CONTEXT_TRANSPORT',
      `context value at '${keyPath}' cannot be sent between workers (${reason}); ` +
        'store only data (numbers, strings, arrays, plain objects, typed arrays, Maps, Dates) there, ' +
        'or put it in ctx.temp, which is never sent',
    )
    this.keyPath = keyPath
  }
  protected override fields() {
    return { keyPath: this.keyPath }
  }
}

/** An objective module could not be loaded: missing, no objective export, or threw on load. */
export class ObjectiveLoadError extends ParafitError {
  declare readonly code: 'PARAFIT_OBJECTIVE_LOAD'
  readonly module: string
  constructor(module: string, message: string, options?: { cause?: unknown }) {
    super('PARAFIT_OBJECTIVE_LOAD', `cannot load objective module ${module}: ${message}`, options)
    this.module = module
  }
  protected override fields() {
    return { module: this.module }
  }
}

/** A worker (thread or process) died while running a task: process.exit, crash, out of memory. */
export class WorkerCrashedError extends ParafitError {
  declare readonly code: 'PARAFIT_WORKER_CRASHED'
  readonly worker: string
  constructor(worker: string, reason: string, options?: { cause?: unknown }) {
    super('PARAFIT_WORKER_CRASHED', `worker ${worker} died while evaluating (${reason})`, options)
    this.worker = worker
  }
  protected override fields() {
    return { worker: this.worker }
  }
}

/**
 * The workers of a pool gave different values for the same parameters: the objective is not
 * the same function on each (data made at random or read from a per-process source on load).
 */
export class WorkersDisagreeError extends ParafitError {
  declare readonly code: 'PARAFIT_WORKERS_DISAGREE'
  /** What each worker returned, in worker order (a number, or the message of its failure). */
  readonly values: readonly (number | string)[]
  constructor(message: string, values: readonly (number | string)[]) {
    super('PARAFIT_WORKERS_DISAGREE', message)
    this.values = values
  }
  protected override fields() {
    return { values: [...this.values] }
  }
}

/** An evaluation did not finish within `timeoutMs`. */
export class EvaluationTimeoutError extends ParafitError {
  declare readonly code: 'PARAFIT_EVALUATION_TIMEOUT'
  readonly timeoutMs: number
  constructor(timeoutMs: number, what = 'the worker was stopped and replaced') {
    super(
      'PARAFIT_EVALUATION_TIMEOUT',
      `evaluation did not finish within timeoutMs=${timeoutMs}; ${what}. ` +
        'Raise timeoutMs if evaluations legitimately take this long',
    )
    this.timeoutMs = timeoutMs
  }
  protected override fields() {
    return { timeoutMs: this.timeoutMs }
  }
}

/** The caller's signal stopped the operation; the signal's reason is `cause`. */
export class AbortError extends ParafitError {
  declare readonly code: 'PARAFIT_ABORTED'
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super('PARAFIT_ABORTED', message, options)
  }
}

/** The pool was closed before or while it evaluated. */
export class PoolClosedError extends ParafitError {
  declare readonly code: 'PARAFIT_POOL_CLOSED'
  constructor(what = 'pool') {
    super('PARAFIT_POOL_CLOSED', `the ${what} is closed; create a new one to evaluate more`)
  }
}

/**
 * MPI was asked for but cannot be used: the binding is not built, libmpi is missing, or the
 * script runs under mpirun without @parafit/mpi. Core's, not mpi's: parallel's choosePool raises
 * it exactly when @parafit/mpi cannot be loaded, and parallel does not depend on mpi.
 */
export class MpiUnavailableError extends ParafitError {
  declare readonly code: 'PARAFIT_MPI_UNAVAILABLE'
  constructor(message: string) {
    super('PARAFIT_MPI_UNAVAILABLE', message)
  }
}

/** A non-parafit error thrown on another thread, process or rank; keeps its name and stack. */
export class RemoteError extends ParafitError {
  declare readonly code: 'PARAFIT_REMOTE'
  readonly remoteName: string
  constructor(remoteName: string, message: string, options?: { cause?: unknown }) {
    super('PARAFIT_REMOTE', message, options)
    this.remoteName = remoteName
  }
  override get name(): string {
    return this.remoteName
  }
  protected override fields() {
    return { remoteName: this.remoteName }
  }
}
