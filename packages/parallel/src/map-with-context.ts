// mapWithContext: evaluate one objective at many parameter sets on a pool; each result comes
// with its context, holding whatever the objective (or its terms, on whichever worker) wrote.

import {
  type CombinedObjective,
  EvaluateContext,
  isObjective,
  isObjectiveRef,
  messageWithoutKeyPath,
  type Objective,
  type ObjectiveRef,
  type ParamTree,
  type Term,
  type TermOutcome,
  ValidationError,
  validateParams,
} from '@parafit/core'
import { checkMapOptions } from './options.ts'
import type { EvaluateOptions, Pool } from './pool.ts'
import { evaluateTree, leafObjectives } from './tree.ts'

export interface Evaluated {
  value: number
  context: EvaluateContext
  /** The residual vector, for least-squares objectives. */
  residuals?: Float64Array
}

export type Settled =
  | { ok: true; value: number; context: EvaluateContext; residuals?: Float64Array }
  | { ok: false; error: Error; context: EvaluateContext }

export interface MapOptions extends EvaluateOptions {
  /** Contexts to evaluate in, one per parameter set; updated in place. New ones otherwise. */
  readonly contexts?: readonly EvaluateContext[]
}

const parallelCombinedInner = Symbol('parafit.parallelCombined')

/** Marks an objective made by parallelCombined, so mapWithContext schedules its tree instead. */
export function markParallelCombined<O extends object>(wrapper: O, inner: CombinedObjective): O {
  Object.defineProperty(wrapper, parallelCombinedInner, { value: inner })
  return wrapper
}

function asTerm(objective: unknown): Term {
  const inner = (objective as { [parallelCombinedInner]?: CombinedObjective } | null)?.[parallelCombinedInner]
  if (inner !== undefined) return inner
  if (isObjectiveRef(objective) || isObjective(objective)) return objective as Term
  throw new ValidationError(
    'mapWithContext() needs an objective: objective(fn), objectiveModule(...), or combine([...])',
  )
}

/** Checks the input, evaluates, and returns each outcome with its context, in input order. */
async function evaluateAll(
  pool: Pool,
  objective: unknown,
  paramsList: readonly ParamTree[],
  options: MapOptions,
): Promise<{ outcomes: TermOutcome[]; contexts: readonly EvaluateContext[] }> {
  checkMapOptions(options)
  const term = asTerm(objective)
  if (!Array.isArray(paramsList))
    throw new ValidationError('paramsList must be an array of parameter records')
  paramsList.forEach((params, i) => {
    try {
      validateParams(params)
    } catch (error) {
      const e = error as ValidationError
      throw new ValidationError(`paramsList[${i}]: ${messageWithoutKeyPath(e)}`, e.keyPath)
    }
  })
  const contexts = options.contexts ?? paramsList.map(() => new EvaluateContext())
  if (contexts.length !== paramsList.length) {
    throw new ValidationError(
      `got ${contexts.length} contexts for ${paramsList.length} parameter sets; give one per parameter set`,
      'contexts',
    )
  }
  await pool.prepare(leafObjectives(term), { timeoutMs: options.timeoutMs, signal: options.signal })
  const outcomes = await evaluateTree(pool, term, paramsList, contexts, options)
  return { outcomes, contexts }
}

/** Like mapWithContext, but a failed evaluation is an outcome ({ ok: false, error }), not a rejection. */
export async function mapWithContextSettled<P extends ParamTree = ParamTree>(
  pool: Pool,
  objective: Objective<P> | ObjectiveRef | CombinedObjective<P>,
  paramsList: readonly P[],
  options: MapOptions = {},
): Promise<Settled[]> {
  const { outcomes, contexts } = await evaluateAll(pool, objective, paramsList, options)
  return outcomes.map((outcome, i): Settled => {
    const context = contexts[i]!
    if (!outcome.ok) return { ok: false, error: outcome.error as Error, context }
    return context.residuals === undefined
      ? { ok: true, value: outcome.value, context }
      : { ok: true, value: outcome.value, context, residuals: context.residuals }
  })
}

/**
 * Evaluates `objective` at every parameter set on `pool`. Resolves to `{ value, context }` in
 * input order. If any evaluation failed, rejects with the failure of the lowest index once all
 * have finished; the contexts (pass your own in `options.contexts`) still hold every result.
 *
 * @example
 * ```ts
 * import { objectiveModule } from '@parafit/core'
 * import { mapWithContext, threadPool } from '@parafit/parallel'
 *
 * const peak = objectiveModule(new URL('./peak.objective.ts', import.meta.url), { init: { x, y } })
 * const pool = threadPool({ numWorkers: 4 })
 * try {
 *   const results = await mapWithContext(pool, peak, [{ mu: 1 }, { mu: 2 }, { mu: 3 }])
 *   for (const { value, context } of results) console.log(value, context.meta) // as each worker wrote it
 * } finally {
 *   await pool.close()
 * }
 * ```
 */
export async function mapWithContext<P extends ParamTree = ParamTree>(
  pool: Pool,
  objective: Objective<P> | ObjectiveRef | CombinedObjective<P>,
  paramsList: readonly P[],
  options: MapOptions = {},
): Promise<Evaluated[]> {
  // Built from the outcomes directly, not through Settled records: with 100,000 evaluations
  // every record made here is one more for the garbage collector.
  const { outcomes, contexts } = await evaluateAll(pool, objective, paramsList, options)
  const failed = outcomes.find((outcome) => !outcome.ok)
  if (failed !== undefined && !failed.ok) throw failed.error
  return outcomes.map((outcome, i): Evaluated => {
    const context = contexts[i]!
    const value = (outcome as Extract<TermOutcome, { ok: true }>).value
    return context.residuals === undefined
      ? { value, context }
      : { value, context, residuals: context.residuals }
  })
}
