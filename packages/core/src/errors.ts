// Typed errors. Every error parafit raises is a ParafitError with a stable `code`, so callers
// can branch on `err.code` rather than on messages. Errors cross thread, process and MPI
// boundaries as plain data (serializeError / deserializeError) and come back as the same class
// with message, stack, fields and cause intact.

import type { ParamTree } from './params.ts'

export type ErrorCode =
  | 'PARAFIT_VALIDATION'
  | 'PARAFIT_OBJECTIVE_FAILED'
  | 'PARAFIT_OBJECTIVE_VALUE'
  | 'PARAFIT_HOOK_FAILED'
  | 'PARAFIT_CONTEXT_TRANSPORT'
  | 'PARAFIT_OBJECTIVE_LOAD'
  | 'PARAFIT_WORKER_CRASHED'
  | 'PARAFIT_WORKERS_DISAGREE'
  | 'PARAFIT_EVALUATION_TIMEOUT'
  | 'PARAFIT_ABORTED'
  | 'PARAFIT_POOL_CLOSED'
  | 'PARAFIT_MPI_WORKER'
  | 'PARAFIT_MPI_UNAVAILABLE'
  | 'PARAFIT_MPI_MISMATCH'
  | 'PARAFIT_REMOTE'
  | 'PARAFIT_FIT_FAILED'
  | 'PARAFIT_CHECKPOINT'
  | 'PARAFIT_OPTIMIZER_STATE'
  | 'PARAFIT_SAMPLE_FAILED'
  | 'PARAFIT_AUTOCORR'
  | 'PARAFIT_NESTED_FAILED'
  | 'PARAFIT_NESTED_CHECKPOINT'
  | 'PARAFIT_CHAIN_FILE'
  | 'PARAFIT_PLOT_INPUT'
  | 'PARAFIT_PLOT_PNG_UNAVAILABLE'

export class ParafitError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
  override get name(): string {
    return this.constructor.name
  }
  /** Extra fields that travel with the error when it is serialized. */
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

function describeParams(params: unknown): string {
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
  readonly params: ParamTree | undefined
  #termPath: number[]
  readonly detail: string
  constructor(
    detail: string,
    options: { params?: ParamTree; termPath?: number[]; cause?: unknown; code?: ErrorCode } = {},
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
  constructor(detail: string, options: { params?: ParamTree; termPath?: number[] } = {}) {
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
  readonly errors: readonly unknown[]
  constructor(errors: readonly unknown[]) {
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)))
    super('PARAFIT_HOOK_FAILED', `${errors.length} post-evaluation hook(s) failed: ${messages.join('; ')}`)
    this.errors = errors
  }
  protected override fields() {
    return { errors: this.errors.map(serializeError) }
  }
}

/** A context field holds a value the structured clone algorithm cannot copy. */
export class ContextTransportError extends ParafitError {
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

export class EvaluationTimeoutError extends ParafitError {
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

export class AbortError extends ParafitError {
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super('PARAFIT_ABORTED', message, options)
  }
}

export class PoolClosedError extends ParafitError {
  constructor(what = 'pool') {
    super('PARAFIT_POOL_CLOSED', `the ${what} is closed; create a new one to evaluate more`)
  }
}

export class MpiWorkerError extends ParafitError {
  readonly rank: number
  constructor(rank: number, message: string, options?: { cause?: unknown }) {
    super('PARAFIT_MPI_WORKER', `MPI rank ${rank} failed: ${message}`, options)
    this.rank = rank
  }
  protected override fields() {
    return { rank: this.rank }
  }
}

export class MpiUnavailableError extends ParafitError {
  constructor(message: string) {
    super('PARAFIT_MPI_UNAVAILABLE', message)
  }
}

/**
 * The ranks of an MPI job do not run the same thing: a different script, objective tree or
 * objective module file. Raised on every rank, so the whole job stops with the same message.
 */
export class MpiMismatchError extends ParafitError {
  constructor(message: string) {
    super('PARAFIT_MPI_MISMATCH', message)
  }
}

/** A non-parafit error thrown on another thread, process or rank; keeps its name and stack. */
export class RemoteError extends ParafitError {
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

// ------------------------------------------------------------------ serialization

export interface SerializedError {
  readonly $parafitError: 1
  readonly name: string
  readonly code: string | undefined
  readonly message: string
  readonly stack: string | undefined
  readonly fields: Record<string, unknown>
  readonly cause: SerializedError | { readonly value: unknown } | undefined
}

function plainValue(value: unknown): unknown {
  try {
    return structuredClone(value)
  } catch {
    return String(value)
  }
}

/** Turns any thrown value into structured-clone-safe data that keeps the error's identity. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return {
      $parafitError: 1,
      name: 'NonErrorThrown',
      code: undefined,
      message: `a non-Error value was thrown: ${describeParams(error)}`,
      stack: undefined,
      fields: { value: plainValue(error) },
      cause: undefined,
    }
  }
  const cause =
    error.cause === undefined
      ? undefined
      : error.cause instanceof Error
        ? serializeError(error.cause)
        : { value: plainValue(error.cause) }
  let fields: Record<string, unknown> = {}
  if (error instanceof ParafitError)
    fields = plainValue(error.serializableFields()) as Record<string, unknown>
  return {
    $parafitError: 1,
    name: error.name,
    code:
      error instanceof ParafitError
        ? error.code
        : (error as { code?: unknown }).code === undefined
          ? undefined
          : String((error as { code?: unknown }).code),
    message: error instanceof ObjectiveError ? error.detail : error.message,
    stack: error.stack,
    fields,
    cause,
  }
}

export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' && value !== null && (value as { $parafitError?: unknown }).$parafitError === 1
  )
}

function reviveCause(cause: SerializedError['cause']): unknown {
  if (cause === undefined) return undefined
  return isSerializedError(cause) ? deserializeError(cause) : cause.value
}

type Reviver = (s: SerializedError, cause: unknown) => Error

const revivers: Record<string, Reviver> = {
  ValidationError: (s) => new ValidationError(stripKeyPath(s), s.fields.keyPath as string | undefined),
  ObjectiveError: (s, cause) =>
    new ObjectiveError(String(s.fields.detail ?? s.message), {
      params: s.fields.params as ParamTree | undefined,
      termPath: (s.fields.termPath as number[] | undefined) ?? [],
      cause,
    }),
  ObjectiveValueError: (s) =>
    new ObjectiveValueError(String(s.fields.detail ?? s.message), {
      params: s.fields.params as ParamTree | undefined,
      termPath: (s.fields.termPath as number[] | undefined) ?? [],
    }),
  HookError: (s) =>
    new HookError(((s.fields.errors as SerializedError[] | undefined) ?? []).map(deserializeError)),
  ContextTransportError: (s) => {
    const e = new ContextTransportError(String(s.fields.keyPath), '')
    e.message = s.message
    return e
  },
  ObjectiveLoadError: (s, cause) =>
    withMessage(new ObjectiveLoadError(String(s.fields.module), '', { cause }), s),
  WorkerCrashedError: (s, cause) =>
    withMessage(new WorkerCrashedError(String(s.fields.worker), '', { cause }), s),
  WorkersDisagreeError: (s) =>
    new WorkersDisagreeError(s.message, (s.fields.values as (number | string)[] | undefined) ?? []),
  EvaluationTimeoutError: (s) => withMessage(new EvaluationTimeoutError(Number(s.fields.timeoutMs)), s),
  AbortError: (s, cause) => new AbortError(s.message, { cause }),
  PoolClosedError: (s) => withMessage(new PoolClosedError(), s),
  MpiWorkerError: (s, cause) => withMessage(new MpiWorkerError(Number(s.fields.rank), '', { cause }), s),
  MpiUnavailableError: (s) => new MpiUnavailableError(s.message),
  MpiMismatchError: (s) => new MpiMismatchError(s.message),
}

function withMessage<E extends Error>(error: E, s: SerializedError): E {
  error.message = s.message
  return error
}

function stripKeyPath(s: SerializedError): string {
  const keyPath = s.fields.keyPath
  const suffix = ` (at '${String(keyPath)}')`
  return keyPath !== undefined && s.message.endsWith(suffix) ? s.message.slice(0, -suffix.length) : s.message
}

/** Rebuilds an error from serializeError's output: the same class where parafit knows it. */
export function deserializeError(s: SerializedError): Error {
  const cause = reviveCause(s.cause)
  const revive = revivers[s.name]
  let error: Error
  if (revive !== undefined) {
    error = revive(s, cause)
  } else {
    error = new RemoteError(s.name, s.message, { cause })
    if (s.code !== undefined)
      Object.defineProperty(error, 'originalCode', { value: s.code, enumerable: true })
  }
  if (s.stack !== undefined) error.stack = s.stack
  return error
}
