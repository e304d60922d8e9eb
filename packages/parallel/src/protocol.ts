// Messages between a pool and its workers (threads and child processes alike). Objectives are
// defined once per worker (`define` carries the ObjectiveRef and its init). A chunk names its
// objective once (or, when its tasks are of several objectives, each task's) and carries, per task, the parameters and, only when there is any, the
// context's input (config, shared, meta). Results do not echo the parameters back: the pool
// has them. Parameters and results travel packed where they can (the shapes here, the packing in
// task-codec.ts).

import {
  type ContextResultState,
  classInstanceError,
  findClassInstance,
  type ObjectiveRef,
  type ParamTree,
  type SerializedError,
} from '@parafit/core'
/** The part of a context's input state a worker needs; `parameters` are the task's own. */
export interface TaskInput {
  readonly config: Record<string, unknown>
  readonly shared: Record<string, unknown>
  readonly meta: Record<string, unknown>
}

export type ToWorker =
  | { readonly type: 'define'; readonly refId: number; readonly ref: ObjectiveRef }
  /** Unload these objectives (the pool no longer needs them); a later define loads again. */
  | { readonly type: 'forget'; readonly refIds: readonly number[] }
  | {
      readonly type: 'run'
      readonly chunkId: number
      /** The objective of every task, or each task's when the chunk mixes objectives. */
      readonly refIds: ChunkObjectives
      readonly params: ParamsOnTheWire
      /** One per task, or null when every task starts from an empty context. */
      readonly inputs: readonly (TaskInput | null)[] | null
    }

/** One objective for a whole chunk (the common case), or one per task. */
export type ChunkObjectives = number | readonly number[]

export interface PackedParams {
  readonly keys: readonly string[]
  /** Record i's value of keys[k] at i * keys.length + k. */
  readonly values: Float64Array
}

export interface PackedResults {
  /** Each task's value (NaN where `whole` has the task). */
  readonly values: Float64Array
  /** The results that carry more than a value, by task index; null when there are none. */
  readonly whole: readonly (readonly [index: number, result: TaskResult])[] | null
}

export type ParamsOnTheWire = readonly ParamTree[] | PackedParams
export type ResultsOnTheWire = readonly TaskResult[] | PackedResults

/** A task's outcome with what the objective wrote into its context. */
export type TaskResult =
  | {
      readonly ok: true
      readonly value: number
      readonly quantities: Record<string, unknown> | undefined
      readonly meta: Record<string, unknown>
      readonly residuals: Float64Array | undefined
    }
  | {
      readonly ok: false
      readonly error: SerializedError
      /** Undefined when the context itself could not be sent back. */
      readonly state: Omit<ContextResultState, 'parameters'> | undefined
    }

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'defined'; readonly refId: number; readonly error?: SerializedError }
  | {
      readonly type: 'done'
      readonly chunkId: number
      readonly results: ResultsOnTheWire
      readonly seconds: number
      /** Each task's seconds, when the chunk mixed objectives (each has its own cost). */
      readonly taskSeconds?: Float64Array
    }

const isEmpty = (record: Record<string, unknown>) => {
  for (const _ in record) return false
  return true
}

/** The input to send for a context, or null when it is empty (the common case). */
export function taskInput(input: {
  config: Record<string, unknown>
  shared: Record<string, unknown>
  meta: Record<string, unknown>
}): TaskInput | null {
  return isEmpty(input.config) && isEmpty(input.shared) && isEmpty(input.meta)
    ? null
    : { config: input.config, shared: input.shared, meta: input.meta }
}

/**
 * The ContextTransportError for an input that holds an instance of a class, which a worker would
 * get as a plain object (fault probe P6), or undefined. `clean` holds the records already found
 * clean in this batch: a `shared` record is usually the same object for every task.
 */
export function classInstanceInInput(input: TaskInput, clean: WeakSet<object>): Error | undefined {
  for (const name of ['config', 'shared', 'meta'] as const) {
    const record = input[name]
    if (clean.has(record)) continue
    const found = findClassInstance(record, `ctx.${name}`)
    if (found !== undefined) return classInstanceError(found)
    clean.add(record)
  }
  return undefined
}

/**
 * An instance of a class in what the objective wrote (meta, quantities): it would reach the
 * caller as a plain object, without its class or #private fields (fault probe P6).
 */
export function classInstanceIn(ctx: {
  meta: Record<string, unknown>
  quantities: Record<string, unknown> | undefined
}): ReturnType<typeof findClassInstance> {
  return findClassInstance(ctx.meta, 'ctx.meta') ?? findClassInstance(ctx.quantities, 'ctx.quantities')
}

/** The full result state of a task, from its result and its parameters; a success always has one. */
export function resultState(result: Extract<TaskResult, { ok: true }>, params: ParamTree): ContextResultState
export function resultState(result: TaskResult, params: ParamTree): ContextResultState | undefined
export function resultState(result: TaskResult, params: ParamTree): ContextResultState | undefined {
  if (result.ok) {
    return {
      parameters: params,
      loss: result.value,
      quantities: result.quantities,
      meta: result.meta,
      residuals: result.residuals,
    }
  }
  return result.state === undefined ? undefined : { parameters: params, ...result.state }
}
