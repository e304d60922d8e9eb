// What the parity tests compare: for each parameter set, the value or the error (name, message,
// term path) and the context's whole metadata tree. Shared by the in-process parity test and the
// MPI fixtures, so every backend is held to the same comparison.

import {
  EvaluateContext,
  type Objective,
  type ObjectiveError,
  objectiveModule,
  type ParamTree,
} from '@parafit/core'
import { buildObjective, type ObjectiveSpec, specLeafModule } from '@parafit/core/testing'
import { mapWithContextSettled, type Pool } from '@parafit/parallel'

export type Result = {
  value?: number
  error?: { name: string; message: string; termPath: readonly number[] }
  meta: unknown
}

function describeError(error: unknown): NonNullable<Result['error']> {
  const e = error as ObjectiveError
  return { name: e.name, message: e.message, termPath: e.termPath ?? [] }
}

/** Evaluates `objective` in this thread, one parameter set after another. */
export async function inProcessResults(
  objective: Objective,
  paramsList: readonly ParamTree[],
): Promise<Result[]> {
  const results: Result[] = []
  for (const params of paramsList) {
    const ctx = new EvaluateContext()
    try {
      results.push({ value: await objective.evaluate(params, ctx), meta: ctx.toMetaData() })
    } catch (error) {
      results.push({ error: describeError(error), meta: ctx.toMetaData() })
    }
  }
  return results
}

/** The spec's tree with every leaf a module objective, as pools need. */
export function moduleTree(spec: ObjectiveSpec): Objective {
  return buildObjective(spec, (leaf) => objectiveModule(specLeafModule, { init: leaf })) as Objective
}

/** Evaluates `objective` (a tree or a leaf) on `pool` with mapWithContextSettled. */
export async function poolResults(
  pool: Pool,
  objective: Objective,
  paramsList: readonly ParamTree[],
): Promise<Result[]> {
  const settled = await mapWithContextSettled(pool, objective, paramsList)
  return settled.map((s) =>
    s.ok
      ? { value: s.value, meta: s.context.toMetaData() }
      : { error: describeError(s.error), meta: s.context.toMetaData() },
  )
}
