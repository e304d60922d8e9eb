// Worker side of leastSquaresLogProb: θ as the model's named parameters, −Infinity outside the
// bounds, else ln L = −loss/2 of the model's objective (loaded once per worker). With
// `fitScale` the last coordinate is the σ scale factor s, log-uniform (ln prior −ln s).

import { loadObjective, objectiveModule, ParamSpace } from '@parafit/core'
import { defineLogProb } from '../../ensemble/log-prob.ts'
import { dropResiduals, gaussianLogLikelihood, residualCount, SIGMA_SCALE_RANGE } from './gaussian.ts'
import type { LeastSquaresInit } from './least-squares.likelihood.ts'

export default defineLogProb(async (init: LeastSquaresInit) => {
  const { module, export: name, init: objectiveInit } = init.objective
  const objective = await loadObjective(objectiveModule(module, { export: name, init: objectiveInit }))
  const space = ParamSpace.create(init.initial ?? {}, init.bounds)
  const n = space.keys.length
  const fitScale = init.fitScale === true
  return async (theta, ctx) => {
    // contains() reads the model's coordinates only, not the σ scale after them.
    if (!space.contains(theta)) return Number.NEGATIVE_INFINITY
    const scale = fitScale ? theta[n]! : 1
    if (!(scale >= SIGMA_SCALE_RANGE[0] && scale <= SIGMA_SCALE_RANGE[1])) return Number.NEGATIVE_INFINITY
    const chiSquare = await objective.evaluate(space.toTree(theta.subarray(0, n)), ctx)
    const count = fitScale ? residualCount(ctx.residuals) : 0
    dropResiduals(ctx)
    return (fitScale ? -Math.log(scale) : 0) + gaussianLogLikelihood(chiSquare, count, scale)
  }
})
