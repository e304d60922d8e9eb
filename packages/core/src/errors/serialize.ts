// How errors cross threads, processes and MPI ranks: as structured-clone-safe data
// (serializeError) that deserializeError turns back into the same class, with message, stack,
// fields and cause chain. Core's classes are known here; every other package registers its own
// (registerErrorClass, in its errors.ts), so an error raised in a worker comes back as its class
// wherever that package is loaded. An error of a class nobody registered comes back as a
// RemoteError with its name, code and stack.

import type { ParamTree } from '../params.ts'
import * as classes from './classes.ts'
import { describeParams, ObjectiveError, ObjectiveValueError, ParafitError, RemoteError } from './classes.ts'

export interface SerializedError {
  readonly $parafitError: 1
  readonly name: string
  readonly code: string | undefined
  readonly message: string
  readonly stack: string | undefined
  readonly fields: Record<string, unknown>
  readonly cause: SerializedError | { readonly value: unknown } | undefined
}

/** What an error is rebuilt from on the receiving side: its fields and cause already revived. */
export interface ErrorParts {
  readonly name: string
  readonly code: string | undefined
  readonly message: string
  /** The error's fields(), errors among them (and in arrays) revived as errors. */
  readonly fields: Readonly<Record<string, unknown>>
  readonly cause: unknown
}

/** Rebuilds one class of error from its parts. */
export type ErrorReviver = (parts: ErrorParts) => Error

/** A ParafitError class, as registerErrorClass takes it. */
export type ParafitErrorClass = abstract new (...args: never[]) => ParafitError

const revivers = new Map<string, ErrorReviver>()

/**
 * Makes deserializeError rebuild errors of `errorClass` (matched by class name) as that class.
 * Without `revive`, the error is made without running the constructor: a real Error of that
 * class with the message, code, cause and the fields of fields() as its own properties. That
 * fits a class whose state is those properties; a class with private (#) state, or whose
 * fields are not its properties as they are, passes a `revive` that calls its constructor.
 * Registering again under a name replaces the earlier class (a second copy of a package).
 */
export function registerErrorClass(errorClass: ParafitErrorClass, revive?: ErrorReviver): void {
  revivers.set(errorClass.name, revive ?? withoutConstructor(errorClass))
}

function withoutConstructor(errorClass: ParafitErrorClass): ErrorReviver {
  return ({ code, message, fields, cause }) => {
    const args = cause === undefined ? [message] : [message, { cause }]
    const error = Reflect.construct(Error, args, errorClass) as Error
    return Object.assign(error, fields, { code })
  }
}

function plainValue(value: unknown): unknown {
  try {
    return structuredClone(value)
  } catch {
    return String(value)
  }
}

/** A field as data: errors (also inside an array) as serialized errors, the rest cloned. */
function encodeField(value: unknown): unknown {
  if (value instanceof Error) return serializeError(value)
  if (Array.isArray(value) && value.some((v) => v instanceof Error)) return value.map(encodeField)
  return plainValue(value)
}

function decodeField(value: unknown): unknown {
  if (isSerializedError(value)) return deserializeError(value)
  if (Array.isArray(value) && value.some(isSerializedError)) return value.map(decodeField)
  return value
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
  // Field by field, so that one value that cannot be cloned does not take the others with it.
  const fields: Record<string, unknown> = {}
  if (error instanceof ParafitError) {
    for (const [key, value] of Object.entries(error.serializableFields())) fields[key] = encodeField(value)
  }
  const code = (error as { code?: unknown }).code
  return {
    $parafitError: 1,
    name: error.name,
    code: code === undefined ? undefined : String(code),
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

function remoteError({ name, code, message, cause }: ErrorParts): RemoteError {
  const error = new RemoteError(name, message, { cause })
  if (code !== undefined) Object.defineProperty(error, 'originalCode', { value: code, enumerable: true })
  return error
}

/** Rebuilds an error from serializeError's output: the same class where it is registered. */
export function deserializeError(s: SerializedError): Error {
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(s.fields)) fields[key] = decodeField(value)
  const parts: ErrorParts = {
    name: s.name,
    code: s.code,
    message: s.message,
    fields,
    cause: reviveCause(s.cause),
  }
  const revive = revivers.get(s.name)
  let error: Error
  try {
    error = revive === undefined ? remoteError(parts) : revive(parts)
  } catch {
    // Fields a reviver cannot use (another version of the class): keep what was said.
    error = remoteError(parts)
  }
  if (s.stack !== undefined) error.stack = s.stack
  return error
}

// Core's classes: every one of classes.ts, so that a new one cannot be left out. ObjectiveError
// keeps its term path in private state, so it (and ObjectiveValueError) is rebuilt by its
// constructor; the others are their fields. RemoteError stands for a class nobody registered.
for (const value of Object.values(classes)) {
  if (typeof value === 'function' && value.prototype instanceof ParafitError && value !== RemoteError)
    registerErrorClass(value as ParafitErrorClass)
}
function objectiveErrorOptions({ fields, cause }: ErrorParts) {
  return {
    params: fields.params as ParamTree | undefined,
    termPath: (fields.termPath as number[] | undefined) ?? [],
    cause,
  }
}
registerErrorClass(
  ObjectiveError,
  (parts) => new ObjectiveError(String(parts.fields.detail ?? parts.message), objectiveErrorOptions(parts)),
)
registerErrorClass(
  ObjectiveValueError,
  (parts) =>
    new ObjectiveValueError(String(parts.fields.detail ?? parts.message), objectiveErrorOptions(parts)),
)
registerErrorClass(ParafitError)
