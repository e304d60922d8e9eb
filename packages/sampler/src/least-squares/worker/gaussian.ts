// The Gaussian log-likelihood of residuals r = (data − model)/σ: −χ²/2 with χ² = Σ r², and, when
// σ is known only up to a common factor s that is sampled too, −χ²/(2s²) − n·ln s (n residuals).
// Imports only core, so every worker that loads a least-squares likelihood can use it.

import { ValidationError } from '@parafit/core'

/** The key of the σ scale factor among the named parameters, when it is sampled. */
export const SIGMA_SCALE_KEY = 'sigmaScale'
/** Its prior: log-uniform over six decades around 1. */
export const SIGMA_SCALE_RANGE = [1e-3, 1e3] as const

export function gaussianLogLikelihood(chiSquare: number, n: number, scale = 1): number {
  return scale === 1 ? -0.5 * chiSquare : -0.5 * (chiSquare / (scale * scale)) - n * Math.log(scale)
}

/** The number of residuals the evaluation wrote, or an error saying a σ scale needs residuals. */
export function residualCount(residuals: ArrayLike<number> | undefined): number {
  if (residuals === undefined) {
    throw new ValidationError(
      'sampling the σ scale needs an objective that returns residuals (data − model)/σ, not a single number',
      'fitScale',
    )
  }
  return residuals.length
}

/**
 * The residuals served the χ²; the samplers read only the value, so they stay on the worker
 * instead of travelling back with every evaluation.
 */
export function dropResiduals(ctx: { residuals: Float64Array | undefined }): void {
  ctx.residuals = undefined
}
