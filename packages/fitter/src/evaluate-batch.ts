// One step's evaluations: the optimizer's points, as parameter trees, through the pool; each
// outcome turned into what the optimizer is told. A failed evaluation is told as +Infinity
// (never mistaken for a good point) or re-raised, by the caller's policy.

import {
  type CombinedObjective,
  type EvaluateContext,
  isObjectiveValueError,
  type Objective,
  type ObjectiveRef,
  type ParamSpace,
  type ParamTree,
} from '@parafit/core'
import { mapWithContextSettled, type Pool, type Settled } from '@parafit/parallel'
import type { Told } from './optimizers/optimizer.ts'

export type FitObjective<P extends ParamTree> = Objective<P> | ObjectiveRef | CombinedObjective<P>

export interface FailurePolicy {
  /** An objective that throws, a worker that crashes or times out: re-raise (default) or tell as worst. */
  readonly onError: 'raise' | 'skip'
  /** NaN, ±Infinity or a non-number returned: tell as worst (default) or re-raise. */
  readonly onBadValue: 'worst' | 'raise'
}

export interface Evaluation {
  readonly x: Float64Array
  readonly told: Told
  /** Present when the evaluation succeeded. */
  readonly context: EvaluateContext | undefined
  /** The error of a failed evaluation. */
  readonly error: Error | undefined
}

export async function evaluateBatch<P extends ParamTree>(
  pool: Pool,
  objective: FitObjective<P>,
  space: ParamSpace<P>,
  points: readonly Float64Array[],
  options: { signal?: AbortSignal; timeoutMs?: number; retries?: number },
): Promise<Evaluation[]> {
  const settled = await mapWithContextSettled(
    pool,
    objective,
    points.map((x) => space.toTree(x)),
    options,
  )
  return settled.map((s: Settled, i) =>
    s.ok
      ? {
          x: points[i]!,
          told: { loss: s.value, residuals: s.residuals },
          context: s.context,
          error: undefined,
        }
      : { x: points[i]!, told: { loss: Number.POSITIVE_INFINITY }, context: undefined, error: s.error },
  )
}

/** The first failure the policy says to re-raise, if any. */
export function failureToRaise(evaluations: readonly Evaluation[], policy: FailurePolicy): Error | undefined {
  for (const e of evaluations) {
    if (e.error === undefined) continue
    if (isObjectiveValueError(e.error) ? policy.onBadValue === 'raise' : policy.onError === 'raise')
      return e.error
  }
  return undefined
}
