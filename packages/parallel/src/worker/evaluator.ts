// The code that evaluates tasks inside a worker (and, for parity, inside the serial pool).
// Kept free of Effect and of any per-task allocation beyond the context itself: this is the hot
// path of every parallel evaluation.

import {
  ContextTransportError,
  classInstanceError,
  EvaluateContext,
  findUncloneable,
  loadObjective,
  type Objective,
  type ObjectiveRef,
  serializeError,
} from '@parafit/core'
import { evaluateWithoutWaiting } from '@parafit/core/internal'
import {
  type ChunkObjectives,
  classInstanceIn,
  type PackedResults,
  type ParamsOnTheWire,
  type TaskInput,
  type TaskResult,
} from '../protocol.ts'
import { isEmptyRecord, paramCount, paramsAt, ResultPacker } from '../task-codec.ts'

/** Finds an objective that is already in this process (an MPI rank's own copy of a tree). */
export type LocalObjectives = (ref: ObjectiveRef) => Objective | undefined

export class WorkerEvaluator {
  readonly #objectives = new Map<number, Promise<Objective>>()
  readonly #local: LocalObjectives | undefined

  constructor(local?: LocalObjectives) {
    this.#local = local
  }

  /** Loads the objective of `ref` once; resolves to the load error, if any, as data. */
  async define(refId: number, ref: ObjectiveRef): Promise<ReturnType<typeof serializeError> | undefined> {
    let loading = this.#objectives.get(refId)
    if (loading === undefined) {
      const local = this.#local?.(ref)
      loading = local === undefined ? loadObjective(ref) : Promise.resolve(local)
      this.#objectives.set(refId, loading)
    }
    try {
      await loading
      return undefined
    } catch (error) {
      return serializeError(error)
    }
  }

  /** Drops loaded objectives (and their init), so that memory goes with them. */
  forget(refIds: readonly number[]): void {
    for (const refId of refIds) this.#objectives.delete(refId)
  }

  /**
   * Evaluates the tasks of a chunk one after another; a failure is an outcome, never thrown.
   * With `taskSeconds` (a chunk of several objectives), each task's time goes there.
   */
  async run(
    refIds: ChunkObjectives,
    params: ParamsOnTheWire,
    inputs: readonly (TaskInput | null)[] | null,
    taskSeconds?: Float64Array,
  ): Promise<PackedResults> {
    // A chunk of one objective (the usual case) needs no table of them.
    const objectives = typeof refIds === 'number' ? undefined : await this.#loaded(refIds)
    const count = paramCount(params)
    // Only what must live until the chunk is sent is kept: a value-only result is a number.
    const results = new ResultPacker(count)
    let refId = typeof refIds === 'number' ? refIds : -1
    let objective = typeof refIds === 'number' ? await this.#objective(refIds) : undefined
    for (let i = 0; i < count; i++) {
      const started = taskSeconds === undefined ? 0 : performance.now()
      if (typeof refIds !== 'number' && refIds[i] !== refId) {
        refId = refIds[i]!
        objective = objectives!.get(refId)
      }
      const input = inputs?.[i] ?? null
      const ctx =
        input === null
          ? new EvaluateContext()
          : new EvaluateContext({ config: input.config, shared: input.shared })
      if (input !== null) ctx.meta = input.meta
      try {
        // An internal invariant (the pool defines an objective before its tasks), never the user's doing.
        if (objective === undefined)
          throw new Error(`internal: objective ${refId} is not loaded in this worker`)
        // A synchronous objective's loss is taken as it is: no promise per task.
        const now = evaluateWithoutWaiting(objective, paramsAt(params, i), ctx)
        const value = typeof now === 'number' ? now : await now
        if (ctx.quantities === undefined && ctx.residuals === undefined && isEmptyRecord(ctx.meta)) {
          results.value(i, value)
        } else {
          const flattened = classInstanceIn(ctx)
          results.result(
            i,
            flattened === undefined
              ? { ok: true, value, quantities: ctx.quantities, meta: ctx.meta, residuals: ctx.residuals }
              : { ok: false, error: serializeError(classInstanceError(flattened)), state: undefined },
          )
        }
      } catch (error) {
        // The objective's failure is the news; a context that cannot cross intact stays here.
        results.result(i, {
          ok: false,
          error: serializeError(error),
          state:
            classInstanceIn(ctx) === undefined
              ? { loss: ctx.loss, quantities: ctx.quantities, meta: ctx.meta, residuals: ctx.residuals }
              : undefined,
        })
      }
      if (taskSeconds !== undefined) taskSeconds[i] = (performance.now() - started) / 1000
    }
    return results.packed()
  }

  /** The chunk's objectives, loaded; one that failed to load is missing (its tasks fail). */
  async #loaded(refIds: ChunkObjectives): Promise<Map<number, Objective | undefined>> {
    const loaded = new Map<number, Objective | undefined>()
    for (const refId of typeof refIds === 'number' ? [refIds] : refIds) {
      if (!loaded.has(refId)) loaded.set(refId, await this.#objective(refId))
    }
    return loaded
  }

  /** One objective, loaded; undefined when it was never defined here or failed to load. */
  #objective(refId: number): Promise<Objective | undefined> {
    const pending = this.#objectives.get(refId)
    return pending === undefined ? Promise.resolve(undefined) : pending.catch(() => undefined)
  }
}

/**
 * Replaces each result whose context cannot be structured-cloned by a failure naming the key
 * path. Called only after sending the whole chunk failed, so the check costs nothing when every
 * context is cloneable.
 */
export function withUncloneableStatesReported(results: PackedResults): PackedResults {
  const whole = results.whole?.map(([i, result]) => [i, reportedIfUncloneable(result)] as const)
  return { values: results.values, whole: whole ?? null }
}

function reportedIfUncloneable(result: TaskResult): TaskResult {
  const found = findUncloneable(
    result.ok ? { quantities: result.quantities, meta: result.meta } : result.state,
    'ctx',
  )
  if (found === undefined) return result
  return {
    ok: false,
    error: serializeError(new ContextTransportError(found.keyPath, found.reason)),
    state: undefined,
  }
}
