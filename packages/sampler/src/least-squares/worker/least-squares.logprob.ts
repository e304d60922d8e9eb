// Worker side of leastSquaresLogProb: θ as the model's named parameters, −Infinity outside the
// bounds, else ln L = −loss/2 of the model's objective (loaded once per worker).

import { loadObjective, objectiveModule, ParamSpace } from '@parafit/core'
import { defineLogProb } from '../../ensemble/log-prob.ts'
import type { LeastSquaresInit } from './least-squares.likelihood.ts'

export default defineLogProb(async (init: LeastSquaresInit) => {
  const { module, export: name, init: objectiveInit } = init.objective
  const objective = await loadObjective(objectiveModule(module, { export: name, init: objectiveInit }))
  const space = ParamSpace.create(init.initial ?? {}, init.bounds)
  return async (theta, ctx) => {
    for (let i = 0; i < theta.length; i++) {
      if (!(theta[i]! >= space.lower[i]! && theta[i]! <= space.upper[i]!)) return Number.NEGATIVE_INFINITY
    }
    return -0.5 * (await objective.evaluate(space.toTree(theta), ctx))
  }
})
