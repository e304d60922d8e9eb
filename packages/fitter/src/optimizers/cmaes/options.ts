// CMA-ES's options, their defaults and checks, and the strategy parameters Hansen's tutorial
// derives from n and the population size.

import { checkOptionKeys, finiteNumber, optionKeys, ValidationError, wholeNumber } from '@parafit/core'

export interface CmaesOptions {
  /** Initial step size, relative to initialScales(x0, lower, upper); default 1 (the scales themselves). */
  sigma0?: number
  /** Population size lambda of the first run; default 4 + floor(3 ln n). */
  popSize?: number
  /** IPOP restarts after a stop, each doubling the population and starting from the best point; default 0. */
  restarts?: number
  /**
   * Stop when the range of the best losses of the last 10 + ceil(30 n / lambda) generations and of
   * all losses of the current generation is below this; default 1e-12 (absolute, in loss units).
   */
  tolFun?: number
  /** Stop when sigma * max(sqrt(diag C)) * max(scale) is below this (parameter units); default 1e-11. */
  tolX?: number
}

export const CMAES_OPTION_KEYS = optionKeys<CmaesOptions>()([
  'sigma0',
  'popSize',
  'restarts',
  'tolFun',
  'tolX',
])

export interface CmaesSettings {
  readonly sigma0: number
  readonly popSize: number
  readonly restarts: number
  readonly tolFun: number
  readonly tolX: number
}

/**
 * The most parameters CMA-ES takes: its covariance matrix and eigenvectors are n × n each, and
 * an eigendecomposition costs n³. At 4,000 parameters that is 256 MB and minutes per
 * decomposition; beyond it, a method whose memory grows with n (LM, Nelder-Mead, DE) fits better.
 */
export const CMAES_MAX_PARAMETERS = 4000

/** The settings with their defaults for n parameters; throws a ValidationError (key path relative to `options`) on bad input. */
export function cmaesSettings(options: CmaesOptions, n: number): CmaesSettings {
  checkOptionKeys(options, CMAES_OPTION_KEYS, 'CMA-ES options')
  return {
    sigma0: finiteNumber(options.sigma0 ?? 1, 'sigma0', { above: 0 }),
    popSize: wholeNumber(options.popSize ?? 4 + Math.floor(3 * Math.log(n)), 'popSize', { min: 2 }),
    restarts: wholeNumber(options.restarts ?? 0, 'restarts'),
    tolFun: finiteNumber(options.tolFun ?? 1e-12, 'tolFun', { min: 0 }),
    tolX: finiteNumber(options.tolX ?? 1e-11, 'tolX', { min: 0 }),
  }
}

/** Refuses a problem CMA-ES cannot take, before anything is allocated. */
export function checkCmaesProblemSize(n: number): void {
  if (n === 0) throw new ValidationError('CMA-ES needs at least one parameter')
  if (n > CMAES_MAX_PARAMETERS)
    throw new ValidationError(
      `CMA-ES takes at most ${CMAES_MAX_PARAMETERS} parameters (its covariance matrix is n × n, ` +
        `${((8 * n * n) / 2 ** 30).toFixed(1)} GiB here); use 'lm', 'nelder-mead' or 'de' for ${n} parameters`,
      'method',
    )
}

/** The strategy parameters, all derived from n and lambda (recomputed on restore, not saved). */
export interface Strategy {
  readonly lambda: number
  readonly mu: number
  readonly weights: Float64Array
  readonly mueff: number
  readonly cc: number
  readonly cs: number
  readonly c1: number
  readonly cmu: number
  readonly damps: number
  readonly chiN: number
  /** Generations between eigendecompositions: C changes little per generation when c1 + cmu is small. */
  readonly eigenEvery: number
  /** Length of the best-loss history the tolFun test looks at. */
  readonly historyLength: number
}

/** Default strategy parameters of Hansen's tutorial, for n dimensions and population lambda. */
export function strategyFor(n: number, lambda: number): Strategy {
  const mu = Math.floor(lambda / 2)
  const weights = new Float64Array(mu)
  let sum = 0
  for (let i = 0; i < mu; i++) {
    weights[i] = Math.log((lambda + 1) / 2) - Math.log(i + 1)
    sum += weights[i]!
  }
  let sumSquares = 0
  for (let i = 0; i < mu; i++) {
    weights[i] = weights[i]! / sum
    sumSquares += weights[i]! * weights[i]!
  }
  const mueff = 1 / sumSquares
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n)
  const cs = (mueff + 2) / (n + mueff + 5)
  const c1 = 2 / ((n + 1.3) ** 2 + mueff)
  const cmu = Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff))
  const damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
  return {
    lambda,
    mu,
    weights,
    mueff,
    cc,
    cs,
    c1,
    cmu,
    damps,
    chiN,
    eigenEvery: lambda / ((c1 + cmu) * n * 10),
    historyLength: 10 + Math.ceil((30 * n) / lambda),
  }
}
