// The code that evaluates tasks inside a worker (and, for parity, inside the serial pool).
// Kept free of Effect and of any per-task allocation beyond the context itself: this is the hot
// path of every parallel evaluation.

import {
  ContextTransportError,
  EvaluateContext,
  findUncloneable,
  loadObjective,
  type Objective,
  type ObjectiveRef,
  serializeError,
} from '@parafit/core'
import type { TaskMessage, TaskResult } from '../protocol.ts'

export class WorkerEvaluator {
  readonly #objectives = new Map<number, Promise<Objective>>()

  /** Loads the objective of `ref` once; resolves to the load error, if any, as data. */
  async define(refId: number, ref: ObjectiveRef): Promise<ReturnType<typeof serializeError> | undefined> {
    const loading = loadObjective(ref)
    this.#objectives.set(refId, loading)
    try {
      await loading
      return undefined
    } catch (error) {
      return serializeError(error)
    }
  }

  /** Evaluates tasks one after another; a failure is an outcome, never a thrown error. */
  async run(tasks: readonly TaskMessage[]): Promise<TaskResult[]> {
    const results: TaskResult[] = []
    for (const task of tasks) {
      const ctx = EvaluateContext.fromInputState(task.input)
      try {
        const objective = this.#objectives.get(task.refId)
        if (objective === undefined)
          throw new Error(`internal: objective ${task.refId} was never defined in this worker`)
        const value = await (await objective).evaluate(task.params, ctx)
        results.push({ ok: true, value, state: ctx.toResultState() })
      } catch (error) {
        results.push({ ok: false, error: serializeError(error), state: ctx.toResultState() })
      }
    }
    return results
  }
}

/**
 * Replaces each result whose context state cannot be structured-cloned by a failure naming the
 * key path. Called only after sending the whole batch failed, so the check costs nothing when
 * every state is cloneable.
 */
export function withUncloneableStatesReported(results: readonly TaskResult[]): TaskResult[] {
  return results.map((result) => {
    const found = findUncloneable(result.state, 'ctx')
    if (found === undefined) return result
    return {
      ok: false,
      error: serializeError(new ContextTransportError(found.keyPath, found.reason)),
      state: undefined,
    }
  })
}
