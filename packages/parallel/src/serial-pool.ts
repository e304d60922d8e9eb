// The serial pool evaluates in the calling thread. It is the reference for parity, so it moves
// state exactly as workers do: the objective sees a structured clone of the input state, and the
// result state and errors come back through the same clone and serialization as from a worker.

import {
  ContextTransportError,
  cloneState,
  deserializeError,
  EvaluateContext,
  findUncloneable,
  isObjectiveRef,
  loadObjectiveCached,
  type Objective,
  PoolClosedError,
  serializeError,
} from '@parafit/core'
import { throwIfAborted } from './abort.ts'
import type { EvaluateOptions, LeafObjective, LeafOutcome, LeafTask, Pool } from './pool.ts'

function resolve(objective: LeafObjective): Promise<Objective> {
  return isObjectiveRef(objective) ? loadObjectiveCached(objective) : Promise.resolve(objective)
}

async function evaluateOne(task: LeafTask): Promise<LeafOutcome> {
  const objective = await resolve(task.objective)
  let ctx: EvaluateContext
  let params: typeof task.params
  try {
    ctx = EvaluateContext.fromInputState(cloneState(task.input, 'ctx'))
    params = cloneState(task.params, 'params')
  } catch (error) {
    return { ok: false, error: deserializeError(serializeError(error)), state: undefined }
  }
  let value: number | undefined
  let failure: unknown
  try {
    value = await objective.evaluate(params, ctx)
  } catch (error) {
    failure = error
  }
  const state = ctx.toResultState()
  let copy: typeof state
  try {
    copy = structuredClone(state)
  } catch {
    const found = findUncloneable(state, 'ctx')
    return {
      ok: false,
      error: deserializeError(serializeError(new ContextTransportError(found!.keyPath, found!.reason))),
      state: undefined,
    }
  }
  if (failure === undefined) return { ok: true, value: value!, state: copy }
  return { ok: false, error: deserializeError(serializeError(failure)), state: copy }
}

class SerialPool implements Pool {
  readonly kind = 'serial'
  readonly size = 1
  #closed = false

  get closed(): boolean {
    return this.#closed
  }

  async prepare(objectives: readonly LeafObjective[]): Promise<void> {
    if (this.#closed) throw new PoolClosedError('serial pool')
    await Promise.all(objectives.map(resolve))
  }

  async evaluate(tasks: readonly LeafTask[], options: EvaluateOptions = {}): Promise<LeafOutcome[]> {
    if (this.#closed) throw new PoolClosedError('serial pool')
    const outcomes: LeafOutcome[] = []
    for (const task of tasks) {
      throwIfAborted(options.signal)
      if (this.#closed) throw new PoolClosedError('serial pool')
      outcomes.push(await evaluateOne(task))
      options.onProgress?.(outcomes.length, tasks.length)
    }
    return outcomes
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

/** Evaluates in the calling thread: for debugging, cheap objectives, and as the parity reference. */
export function serialPool(): Pool {
  return new SerialPool()
}
