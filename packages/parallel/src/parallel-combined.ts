// parallelCombined: a combined objective whose terms are evaluated in parallel on a pool, nested
// terms included (every leaf of one evaluation is in flight at once). Passed to mapWithContext,
// all leaves of all evaluations go to the pool together.

import {
  type CombinedObjective,
  EvaluateContext,
  type Hook,
  isCombined,
  type Objective,
  type ParamTree,
  ValidationError,
} from '@parafit/core'
import { mapWithContextSettled, markParallelCombined } from './map-with-context.ts'
import type { Pool } from './pool.ts'

export function parallelCombined<P extends ParamTree = ParamTree>(
  objective: CombinedObjective<P>,
  pool: Pool,
): Objective<P> {
  if (!isCombined(objective))
    throw new ValidationError('parallelCombined() needs a combined objective made with combine([...])')
  const wrapper: Objective<P> = {
    hooks: objective.hooks,
    async evaluate(params: P, ctx: EvaluateContext = new EvaluateContext()): Promise<number> {
      // One parameter set, one outcome.
      const settled = (await mapWithContextSettled(pool, objective, [params], { contexts: [ctx] }))[0]!
      if (!settled.ok) throw settled.error
      return settled.value
    },
    withHooks(hooks: Hook | readonly Hook[]): Objective<P> {
      return parallelCombined(objective.withHooks(hooks), pool)
    },
  }
  return markParallelCombined(wrapper, objective as unknown as CombinedObjective)
}
