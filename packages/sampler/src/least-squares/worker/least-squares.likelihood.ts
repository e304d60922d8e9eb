// Worker side of leastSquaresLikelihood: the model's objective, loaded once per worker, and
// ln L = −loss/2 (the loss of a residual objective is Σ residual²). What the objective writes
// into its context comes back with each point, as from any likelihood.

import {
  type BoundsTree,
  type EvaluateContext,
  loadObjective,
  objectiveModule,
  type ParamTree,
} from '@parafit/core'
import { defineLikelihood } from '../../nested/likelihood.ts'

export interface LeastSquaresInit {
  readonly objective: { readonly module: string; readonly export: string | undefined; readonly init: unknown }
  /** The log-probability's parameter space (its flattened order and box). */
  readonly initial?: ParamTree
  readonly bounds?: BoundsTree
}

export default defineLikelihood(async (init: LeastSquaresInit) => {
  const { module, export: name, init: objectiveInit } = init.objective
  const objective = await loadObjective(objectiveModule(module, { export: name, init: objectiveInit }))
  return async (params: ParamTree, ctx: EvaluateContext) => -0.5 * (await objective.evaluate(params, ctx))
})
