// Validation of user options with Effect Schema: one place that turns bad input (0 workers,
// 4.5 workers, a negative timeout, an unknown option) into a ValidationError naming the option.

import { availableParallelism } from 'node:os'
import { checkOptionKeys, ValidationError } from '@parafit/core'
import { Schema, SchemaAST } from 'effect'

/** More workers than this is a typo, not a plan (16 per core, at least 256). */
export const MAX_WORKERS = Math.max(256, 16 * availableParallelism())

const NumWorkers = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_WORKERS }))
const PositiveMs = Schema.Finite.check(Schema.isGreaterThan(0))
const Retries = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 100 }))
const Megabytes = Schema.Finite.check(Schema.isGreaterThan(0))

/**
 * Node creates a worker thread's isolate inside the calling process, and some limits make that
 * fail in a way that ends the whole process instead of the worker (fault probe F6). Measured on
 * Node 22 (x64), running a trivial objective from the TypeScript sources:
 * - maxOldGenerationSizeMb: up to 2, V8's fatal "out of memory" ends the process; 3 to 8, the
 *   worker dies while loading; 10 runs. The minimum, 16, leaves room for a real module.
 * - stackSizeMb: up to 0.22, a segfault ends the process; 0.25, the worker dies of a stack
 *   overflow while loading; 0.28 runs. The minimum, 0.5, is twice the crash boundary.
 * - codeRangeSizeMb: a range the address space cannot hold ends the process (1e8 MB for one
 *   worker, 256 times less for 256), and stackSizeMb of 64 GB failed to start a thread at all;
 *   nothing near those is of use, so both stop at 1 GB.
 * maxYoungGenerationSizeMb and small codeRangeSizeMb values are adjusted by V8 and run.
 */
export const RESOURCE_LIMITS = {
  maxOldGenerationSizeMb: {
    minimum: 16,
    why: 'a smaller heap cannot start a worker, and below 3 MB V8 ends the whole process',
  },
  stackSizeMb: {
    minimum: 0.5,
    maximum: 1024,
    why: 'below 0.25 MB Node ends the whole process with a segfault, and a larger stack than the system can map starts no thread',
  },
  codeRangeSizeMb: { maximum: 1024, why: 'a range the address space cannot hold ends the whole process' },
} as const

function limitMegabytes(name: keyof typeof RESOURCE_LIMITS) {
  const limit: { minimum?: number; maximum?: number; why: string } = RESOURCE_LIMITS[name]
  const range = [
    limit.minimum === undefined ? undefined : `at least ${limit.minimum} MB`,
    limit.maximum === undefined ? undefined : `at most ${limit.maximum} MB`,
  ]
    .filter((part) => part !== undefined)
    .join(' and ')
  const message = `resourceLimits.${name} must be ${range}: ${limit.why}`
  return Megabytes.check(
    Schema.isBetween(
      { minimum: limit.minimum ?? Number.MIN_VALUE, maximum: limit.maximum ?? Number.MAX_VALUE },
      { message },
    ),
  )
}

const common = {
  numWorkers: NumWorkers,
  timeoutMs: Schema.optional(PositiveMs),
  retries: Schema.optional(Retries),
}

export const ThreadPoolOptions = Schema.Struct({
  ...common,
  resourceLimits: Schema.optional(
    Schema.Struct({
      maxOldGenerationSizeMb: Schema.optional(limitMegabytes('maxOldGenerationSizeMb')),
      maxYoungGenerationSizeMb: Schema.optional(Megabytes),
      codeRangeSizeMb: Schema.optional(limitMegabytes('codeRangeSizeMb')),
      stackSizeMb: Schema.optional(limitMegabytes('stackSizeMb')),
    }),
  ),
})
export type ThreadPoolOptions = typeof ThreadPoolOptions.Type

export const ProcessPoolOptions = Schema.Struct({
  ...common,
  execArgv: Schema.optional(Schema.Array(Schema.String)),
  env: Schema.optional(Schema.Record(Schema.String, Schema.UndefinedOr(Schema.String))),
})
export type ProcessPoolOptions = typeof ProcessPoolOptions.Type

/**
 * `timeoutMs` and `retries` are defaults for every batch (see EvaluateOptions). `strict: true`
 * moves state exactly as a worker transport does (parameters and the context's input and result
 * state through structured clone; an uncloneable value fails with ContextTransportError).
 * Default false: the objective gets the caller's objects, several times cheaper per evaluation,
 * and what it writes into `config` and `shared` reaches the caller's, as in-process.
 */
export const SerialPoolOptions = Schema.Struct({
  timeoutMs: Schema.optional(PositiveMs),
  retries: Schema.optional(Retries),
  strict: Schema.optional(Schema.Boolean),
})
export type SerialPoolOptions = typeof SerialPoolOptions.Type

export const EvaluateOptionsSchema = Schema.Struct({
  timeoutMs: Schema.optional(PositiveMs),
  retries: Schema.optional(Retries),
  signal: Schema.optional(Schema.instanceOf(AbortSignal)),
  onProgress: Schema.optional(
    Schema.declare((u): u is (done: number, total: number) => void => typeof u === 'function'),
  ),
  contexts: Schema.optional(Schema.Array(Schema.Unknown)),
})

/** The struct `ast` is, or has among its union members (optional fields), when its keys are fixed. */
function structOf(ast: SchemaAST.AST): SchemaAST.Objects | undefined {
  if (SchemaAST.isObjects(ast)) return ast.indexSignatures.length === 0 ? ast : undefined
  if (SchemaAST.isUnion(ast)) {
    for (const member of ast.types) {
      const struct = structOf(member)
      if (struct !== undefined) return struct
    }
  }
  return undefined
}

/**
 * Refuses unknown keys at every level of `value`, naming the key path and the closest known key
 * (the decoder's own message only says "Expected no excess property"). Values of the wrong type
 * are left to the decoder.
 */
function checkKeys(ast: SchemaAST.AST, value: unknown, what: string, keyPath?: string): void {
  const struct = structOf(ast)
  if (struct === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return
  const names = struct.propertySignatures.map((p) => String(p.name))
  checkOptionKeys(value, names, keyPath === undefined ? what : `${keyPath} of ${what}`, keyPath)
  for (const field of struct.propertySignatures) {
    const name = String(field.name)
    if (Object.hasOwn(value, name)) {
      const inner = (value as Record<string, unknown>)[name]
      checkKeys(field.type, inner, what, keyPath === undefined ? name : `${keyPath}.${name}`)
    }
  }
}

/** Decodes `value`, or throws a ValidationError naming the offending option. */
export function decodeOptions<S extends Schema.Top & { readonly DecodingServices: never }>(
  schema: S,
  value: unknown,
  what: string,
): S['Type'] {
  checkKeys(schema.ast, value, what)
  try {
    return Schema.decodeUnknownSync(schema)(value, { onExcessProperty: 'error' }) as S['Type']
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    const [first = text, ...rest] = text.split('\n')
    const at = rest.find((line) => line.trim().startsWith('at '))
    // The decoder says where as `at ["resourceLimits"]["stackSizeMb"]`.
    const keyPath =
      at === undefined
        ? undefined
        : [...at.matchAll(/\[("(?:[^"\\]|\\.)*"|\d+)\]/g)]
            .map((m) => JSON.parse(m[1]!) as string)
            .join('.') || at.trim().slice(3)
    const hint =
      keyPath === 'numWorkers' ? ` (a whole number from 1 to ${MAX_WORKERS}; 'auto' uses every core)` : ''
    throw new ValidationError(`invalid ${what}: ${first}${hint}`, keyPath)
  }
}
