// The pools' options and their checks: unknown keys fail with the closest known one
// (checkOptionKeys, at every level), values with core's checks (0 workers, 4.5 workers, a
// negative timeout), each a ValidationError naming the option's key path.

import { availableParallelism } from 'node:os'
import {
  checkOptionKeys,
  finiteNumber,
  optionKeys,
  positiveMs,
  trueOrFalse,
  ValidationError,
  wholeNumber,
} from '@parafit/core'
import type { EvaluateOptions } from './pool.ts'

/** More workers than this is a typo, not a plan (16 per core, at least 256). */
export const MAX_WORKERS = Math.max(256, 16 * availableParallelism())

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

interface PoolDefaults {
  /** An evaluation running longer fails with EvaluationTimeoutError (a default for every batch). */
  readonly timeoutMs?: number | undefined
  /** How often a task lost to a crashed or timed-out worker is run again, 0 to 100 (default 0). */
  readonly retries?: number | undefined
}

export interface ResourceLimits {
  readonly maxOldGenerationSizeMb?: number | undefined
  readonly maxYoungGenerationSizeMb?: number | undefined
  readonly codeRangeSizeMb?: number | undefined
  readonly stackSizeMb?: number | undefined
}

export interface ThreadPoolOptions extends PoolDefaults {
  /** A whole number from 1 to MAX_WORKERS. */
  readonly numWorkers: number
  /** worker_threads' limits, in MB; see RESOURCE_LIMITS for the bounds. */
  readonly resourceLimits?: ResourceLimits | undefined
}

export interface ProcessPoolOptions extends PoolDefaults {
  /** A whole number from 1 to MAX_WORKERS. */
  readonly numWorkers: number
  /** Extra Node flags for the worker processes. */
  readonly execArgv?: readonly string[] | undefined
  /** The workers' environment; default the parent's. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * `timeoutMs` and `retries` are defaults for every batch (see EvaluateOptions). `strict: true`
 * moves state exactly as a worker transport does (parameters and the context's input and result
 * state through structured clone; an uncloneable value fails with ContextTransportError).
 * Default false: the objective gets the caller's objects, several times cheaper per evaluation,
 * and what it writes into `config` and `shared` reaches the caller's, as in-process.
 */
export interface SerialPoolOptions extends PoolDefaults {
  readonly strict?: boolean | undefined
}

const RESOURCE_LIMIT_KEYS = optionKeys<ResourceLimits>()([
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
])
const THREAD_POOL_KEYS = optionKeys<ThreadPoolOptions>()([
  'numWorkers',
  'timeoutMs',
  'retries',
  'resourceLimits',
])
const PROCESS_POOL_KEYS = optionKeys<ProcessPoolOptions>()([
  'numWorkers',
  'timeoutMs',
  'retries',
  'execArgv',
  'env',
])
const SERIAL_POOL_KEYS = optionKeys<SerialPoolOptions>()(['timeoutMs', 'retries', 'strict'])
const MAP_OPTION_KEYS = optionKeys<EvaluateOptions & { contexts: unknown }>()([
  'timeoutMs',
  'retries',
  'signal',
  'onProgress',
  'contexts',
])

/** A number of workers: a whole number from 1 to MAX_WORKERS. */
function checkNumWorkers(value: unknown, key = 'numWorkers'): number {
  return wholeNumber(value, key, { min: 1, max: MAX_WORKERS })
}

/** numWorkers as a Fitter or a sampler takes it: a number of workers, or 'auto' (one per core). */
export function checkNumWorkersOrAuto(value: unknown, key = 'numWorkers'): number | 'auto' {
  if (value === 'auto') return value
  return wholeNumber(value, key, { min: 1, max: MAX_WORKERS, or: "'auto' (one per core)" })
}

/** timeoutMs and retries, the defaults of every batch (an MPI pool's too). */
export function checkPoolDefaults(options: PoolDefaults): void {
  if (options.timeoutMs !== undefined) positiveMs(options.timeoutMs, 'timeoutMs')
  if (options.retries !== undefined) wholeNumber(options.retries, 'retries', { min: 0, max: 100 })
}

function checkResourceLimits(limits: unknown): void {
  if (limits === undefined) return
  checkOptionKeys(limits, RESOURCE_LIMIT_KEYS, 'resourceLimits of threadPool options', 'resourceLimits')
  for (const name of RESOURCE_LIMIT_KEYS) {
    const value = (limits as ResourceLimits)[name]
    if (value === undefined) continue
    const limit: { minimum?: number; maximum?: number; why?: string } =
      name === 'maxYoungGenerationSizeMb' ? {} : RESOURCE_LIMITS[name]
    finiteNumber(value, `resourceLimits.${name}`, {
      ...(limit.minimum === undefined ? { above: 0 } : { min: limit.minimum }),
      ...(limit.maximum === undefined ? {} : { max: limit.maximum }),
      unit: 'MB',
      ...(limit.why === undefined ? {} : { why: limit.why }),
    })
  }
}

export function checkThreadPoolOptions(options: ThreadPoolOptions): ThreadPoolOptions {
  checkOptionKeys(options, THREAD_POOL_KEYS, 'threadPool options')
  checkNumWorkers(options.numWorkers)
  checkPoolDefaults(options)
  checkResourceLimits(options.resourceLimits)
  return options
}

export function checkProcessPoolOptions(options: ProcessPoolOptions): ProcessPoolOptions {
  checkOptionKeys(options, PROCESS_POOL_KEYS, 'processPool options')
  checkNumWorkers(options.numWorkers)
  checkPoolDefaults(options)
  const { execArgv, env } = options
  if (execArgv !== undefined && !(Array.isArray(execArgv) && execArgv.every((a) => typeof a === 'string')))
    throw new ValidationError('execArgv must be an array of strings (Node flags)', 'execArgv')
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env))
      throw new ValidationError('env must be a record of environment variables (strings)', 'env')
    for (const [name, value] of Object.entries(env))
      if (value !== undefined && typeof value !== 'string')
        throw new ValidationError(`env.${name} must be a string, got ${typeof value}`, `env.${name}`)
  }
  return options
}

export function checkSerialPoolOptions(options: SerialPoolOptions): SerialPoolOptions {
  checkOptionKeys(options, SERIAL_POOL_KEYS, 'serialPool options')
  checkPoolDefaults(options)
  if (options.strict !== undefined) trueOrFalse(options.strict, 'strict')
  return options
}

/** mapWithContext's options: a batch's timeoutMs, retries, signal, onProgress and contexts. */
export function checkMapOptions(options: EvaluateOptions & { readonly contexts?: unknown }): void {
  checkOptionKeys(options, MAP_OPTION_KEYS, 'mapWithContext options')
  checkPoolDefaults(options)
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    throw new ValidationError('signal must be an AbortSignal (from an AbortController)', 'signal')
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new ValidationError('onProgress must be a function (done, total) => void', 'onProgress')
  if (options.contexts !== undefined && !Array.isArray(options.contexts))
    throw new ValidationError(
      'contexts must be an array of EvaluateContext, one per parameter set',
      'contexts',
    )
}
