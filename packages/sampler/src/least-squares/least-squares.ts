// Sampling a least-squares model, the one a Fitter fits: an objective module whose loss is
// χ² = Σ residual² (residuals (data − model)/σ), and its parameters' bounds. Its likelihood is
// the Gaussian one, ln L = −χ²/2 (up to the data's constant −Σ ln(σ√(2π)), which log Z then
// leaves out too), and its prior uniform within the bounds. So one model file serves the fit
// and the posterior.

import {
  type BoundsTree,
  isObjectiveRef,
  type ObjectiveRef,
  objectiveModule,
  ParamSpace,
  type ParamTree,
  ValidationError,
} from '@parafit/core'
import { logUniform, uniform } from '../prior/distributions.ts'
import { Prior, type PriorSpec } from '../prior/prior.ts'
import { SIGMA_SCALE_KEY, SIGMA_SCALE_RANGE } from './worker/gaussian.ts'
import type { LeastSquaresInit } from './worker/least-squares.likelihood.ts'

// The worker modules have this file's extension: .ts in the repository, .js when installed.
const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
const likelihoodModule = new URL(`./worker/least-squares.likelihood.${ext}`, import.meta.url)
const logProbModule = new URL(`./worker/least-squares.logprob.${ext}`, import.meta.url)

function checkRef(objective: ObjectiveRef, what: string): LeastSquaresInit['objective'] {
  if (!isObjectiveRef(objective)) {
    throw new ValidationError(`${what} needs the model as objectiveModule(url, { init })`)
  }
  // A plain copy: it travels to every worker inside the likelihood's init.
  return { module: objective.module, export: objective.export, init: objective.init }
}

/** How the residuals' σ is taken: as given (default), or known only up to a factor sampled too. */
export interface SigmaOptions {
  /**
   * σ known only up to a common factor s: s is sampled too (the parameter `sigmaScale`,
   * log-uniform on [1e-3, 1e3]) and ln L = −χ²/(2s²) − n·ln s for n residuals.
   */
  readonly fitScale?: boolean
}

/**
 * For NestedSampler's `logLikelihood`: ln L = −loss/2 of the objective module, on any pool. With
 * `fitScale`, use `uniformPriorWithin(initial, bounds, { fitScale: true })` as the prior.
 */
export function leastSquaresLikelihood(objective: ObjectiveRef, options: SigmaOptions = {}): ObjectiveRef {
  const init: LeastSquaresInit = {
    objective: checkRef(objective, 'leastSquaresLikelihood()'),
    ...(options.fitScale === true ? { fitScale: true } : {}),
  }
  return objectiveModule(likelihoodModule, { init })
}

/**
 * For EnsembleSampler's `logProb`: θ (in the flattened order of `initial`) → ln L = −loss/2
 * within the bounds, −Infinity outside them: the posterior under a uniform prior on the box.
 * With `fitScale`, θ has one more coordinate, last: the σ scale factor (nDim is one more).
 */
export function leastSquaresLogProb<P extends ParamTree>(
  objective: ObjectiveRef,
  space: { initial: P; bounds?: BoundsTree<P> } & SigmaOptions,
): ObjectiveRef {
  const checked = ParamSpace.create(space.initial, space.bounds) // shapes checked here, not on every worker
  if (space.fitScale === true) checkFreeKey(checked.keys)
  const init: LeastSquaresInit = {
    objective: checkRef(objective, 'leastSquaresLogProb()'),
    initial: space.initial,
    ...(space.bounds === undefined ? {} : { bounds: space.bounds as BoundsTree }),
    ...(space.fitScale === true ? { fitScale: true } : {}),
  }
  return objectiveModule(logProbModule, { init })
}

/**
 * The uniform prior on the bounds of `initial`'s parameters, in its shape. Every parameter needs
 * finite bounds: the error names those without.
 */
export function uniformPriorWithin<P extends ParamTree>(
  initial: P,
  bounds: BoundsTree<P> | undefined,
  options: SigmaOptions = {},
): Prior {
  const space = ParamSpace.create(initial, bounds)
  if (options.fitScale === true) checkFreeKey(space.keys)
  const open = space.keys.filter(
    (_, i) => !(Number.isFinite(space.lower[i]!) && Number.isFinite(space.upper[i]!)),
  )
  if (open.length > 0) {
    throw new ValidationError(
      `a uniform prior needs finite bounds on every parameter; ${open.join(', ')} ${open.length === 1 ? 'has' : 'have'} ` +
        'none: give bounds, or export a prior',
    )
  }
  const spec = space.toTree(space.lower) as unknown as Record<string, unknown>
  const upper = space.toTree(space.upper) as unknown as Record<string, unknown>
  const toSpec = (lo: Record<string, unknown>, hi: Record<string, unknown>): PriorSpec =>
    Object.fromEntries(
      Object.entries(lo).map(([k, v]) => [
        k,
        typeof v === 'number'
          ? uniform(v, hi[k] as number)
          : toSpec(v as Record<string, unknown>, hi[k] as Record<string, unknown>),
      ]),
    )
  const tree = toSpec(spec, upper)
  return new Prior(
    options.fitScale === true ? { ...tree, [SIGMA_SCALE_KEY]: logUniform(...SIGMA_SCALE_RANGE) } : tree,
  )
}

function checkFreeKey(keys: readonly string[]): void {
  if (keys.includes(SIGMA_SCALE_KEY)) {
    throw new ValidationError(
      `the model has a parameter named ${SIGMA_SCALE_KEY}, the name the σ scale factor takes; rename it to sample the scale`,
    )
  }
}
