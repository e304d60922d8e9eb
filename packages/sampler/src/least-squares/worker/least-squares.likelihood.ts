// Worker side of leastSquaresLikelihood: the model's objective, loaded once per worker, and
// ln L = −loss/2 (the loss of a residual objective is Σ residual²); with `fitScale`, the named
// parameters also carry sigmaScale, the factor σ is known up to. What the objective writes into
// its context comes back with each point, as from any likelihood.

import {
  type BoundsTree,
  type EvaluateContext,
  loadObjective,
  objectiveModule,
  type ParamTree,
} from '@parafit/core'
import { defineLikelihood } from '../../nested/likelihood.ts'
import { dropResiduals, gaussianLogLikelihood, residualCount, SIGMA_SCALE_KEY } from './gaussian.ts'

export interface LeastSquaresInit {
  readonly objective: { readonly module: string; readonly export: string | undefined; readonly init: unknown }
  /** The log-probability's parameter space (its flattened order and box). */
  readonly initial?: ParamTree
  readonly bounds?: BoundsTree
  /** Sample the σ scale factor too (the last coordinate, or the key sigmaScale). */
  readonly fitScale?: boolean
}

export default defineLikelihood(async (init: LeastSquaresInit) => {
  const { module, export: name, init: objectiveInit } = init.objective
  const objective = await loadObjective(objectiveModule(module, { export: name, init: objectiveInit }))
  if (init.fitScale !== true) {
    return async (params: ParamTree, ctx: EvaluateContext) => {
      const chiSquare = await objective.evaluate(params, ctx)
      dropResiduals(ctx)
      return gaussianLogLikelihood(chiSquare, 0)
    }
  }
  return async (params: ParamTree, ctx: EvaluateContext) => {
    const { [SIGMA_SCALE_KEY]: scale, ...model } = params
    const chiSquare = await objective.evaluate(model, ctx)
    const count = residualCount(ctx.residuals)
    dropResiduals(ctx)
    return gaussianLogLikelihood(chiSquare, count, scale as number)
  }
})
