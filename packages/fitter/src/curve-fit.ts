// curveFit: the classic least-squares fit of a model y ≈ f(x, b) to data, as scipy's curve_fit
// does it: Levenberg-Marquardt on the weighted residuals (y - f(x, b)) / σ, then standard errors
// and covariance from the Jacobian at the solution. The model runs in the calling thread; for an
// expensive model, write it as an objective module returning residuals and fit it with a Fitter
// (method 'lm'), which evaluates the Jacobian's columns in parallel and reports the same stderr.

import {
  AbortError,
  checkOptionKeys,
  finiteNumber,
  optionKeys,
  ParamSpace,
  underKeyPath,
  ValidationError,
  wholeNumber,
} from '@parafit/core'
import { CurveFitError } from './errors.ts'
import type { CurveFitResult } from './fit-result.ts'
import { leastSquaresUncertainties } from './least-squares/covariance.ts'
import { sumOfSquares } from './least-squares/norms.ts'
import { defaultBudget } from './methods.ts'
import {
  LevenbergMarquardt,
  type LevenbergMarquardtOptions,
  LM_OPTION_KEYS,
  levenbergMarquardtSettings,
} from './optimizers/levenberg-marquardt.ts'
import type { OptimizerStop, Told } from './optimizers/optimizer.ts'

export interface CurveFitOptions<X> {
  /** The model: one predicted y for one x and the parameter vector b. */
  readonly model: (x: X, b: Float64Array) => number
  readonly x: readonly X[]
  readonly y: readonly number[]
  /** Standard deviation of each y; residuals are divided by it. Default 1 for every point. */
  readonly sigma?: readonly number[]
  readonly initial: readonly number[]
  /** [lower, upper] per parameter, null for none. */
  readonly bounds?: readonly (readonly [number | null, number | null])[]
  /** Most model evaluations over the whole data set. Default 400(n + 1). */
  readonly maxEvaluations?: number
  /** Levenberg-Marquardt settings (tolerances, differences). The defaults suit most problems. */
  readonly lm?: LevenbergMarquardtOptions
  readonly signal?: AbortSignal
}

const CURVE_FIT_OPTION_KEYS = optionKeys<CurveFitOptions<unknown>>()([
  'model',
  'x',
  'y',
  'sigma',
  'initial',
  'bounds',
  'maxEvaluations',
  'lm',
  'signal',
])

function validate<X>(options: CurveFitOptions<X>): {
  space: ParamSpace
  sigma: Float64Array
  y: Float64Array
} {
  checkOptionKeys(options, CURVE_FIT_OPTION_KEYS, 'curveFit options')
  const { lm } = options
  if (lm !== undefined) {
    checkOptionKeys(lm, LM_OPTION_KEYS, 'lm', 'lm')
    underKeyPath('lm', () => levenbergMarquardtSettings(lm))
  }
  if (options.maxEvaluations !== undefined) wholeNumber(options.maxEvaluations, 'maxEvaluations', { min: 1 })
  if (typeof options.model !== 'function')
    throw new ValidationError('model must be a function (x, b) => y', 'model')
  const { x, y } = options
  if (!Array.isArray(x) || !Array.isArray(y)) throw new ValidationError('x and y must be arrays')
  if (x.length !== y.length) throw new ValidationError(`x has ${x.length} points but y has ${y.length}`, 'y')
  if (y.length === 0) throw new ValidationError('there is no data to fit', 'y')
  y.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new ValidationError(`y[${i}] is ${v}, not a finite number`, 'y')
  })
  const sigma = new Float64Array(y.length).fill(1)
  if (options.sigma !== undefined) {
    if (options.sigma.length !== y.length) {
      throw new ValidationError(`sigma has ${options.sigma.length} values for ${y.length} points`, 'sigma')
    }
    options.sigma.forEach((s, i) => {
      sigma[i] = finiteNumber(s, `sigma[${i}]`, { above: 0 })
    })
  }
  if (!Array.isArray(options.initial))
    throw new ValidationError('initial must be an array of numbers', 'initial')
  const names = options.initial.map((_, i) => `b${i}`)
  const initial = Object.fromEntries(names.map((name, i) => [name, options.initial[i]!]))
  if (options.bounds !== undefined && options.bounds.length !== names.length) {
    throw new ValidationError(
      `bounds has ${options.bounds.length} entries for ${names.length} parameters`,
      'bounds',
    )
  }
  if (y.length < names.length) {
    throw new ValidationError(
      `there are ${y.length} data points for ${names.length} parameters: a least-squares fit needs at ` +
        'least as many points as parameters, or the parameters are not determined. Give more data, ' +
        'or fit fewer parameters (fix the others inside the model)',
      'y',
    )
  }
  const given = options.bounds
  const bounds =
    given === undefined ? undefined : Object.fromEntries(names.map((name, i) => [name, given[i]!]))
  return { space: ParamSpace.create(initial, bounds), sigma, y: Float64Array.from(y) }
}

/**
 * Fits `model(x, b)` to data by least squares, as scipy's `curve_fit`: Levenberg-Marquardt on the
 * residuals (y − f(x, b))/σ in the calling thread, with standard errors √diag(s²(JᵀJ)⁻¹),
 * s² = RSS/(m − n). For a model expensive enough to want parallel Jacobians, use the Fitter with
 * an objective module that returns residuals.
 *
 * @example
 * ```ts
 * import { curveFit } from '@parafit/fitter'
 *
 * const x = [0, 1, 2, 3, 4, 5]
 * const y = [3.0, 1.9, 1.2, 0.8, 0.5, 0.33]
 * const fit = await curveFit({
 *   model: (t: number, b) => b[0]! * Math.exp(-b[1]! * t),
 *   x,
 *   y,
 *   initial: [1, 0.1],
 *   bounds: [[0, null], [0, 10]], // optional; null is no bound
 * })
 * fit.params // Float64Array [amplitude, rate]
 * fit.stderr // their standard errors
 * fit.success, fit.message // whether it converged, and why it stopped
 * ```
 */
export async function curveFit<X>(options: CurveFitOptions<X>): Promise<CurveFitResult> {
  const { space, sigma, y } = validate(options)
  const { model, x } = options
  const n = space.size
  const budget = options.maxEvaluations ?? defaultBudget('lm', n)
  // The model runs here, one point at a time, so asking the Jacobian ahead of a trial step would
  // only cost evaluations when the step is rejected.
  const lm = new LevenbergMarquardt(
    { x0: space.initial, lower: space.lower, upper: space.upper },
    { prefetchJacobian: false, ...options.lm },
  )
  let nfev = 0
  const residualsAt = (b: Float64Array): Told => {
    const r = new Float64Array(y.length)
    let i = 0
    try {
      for (; i < y.length; i++) r[i] = (y[i]! - model(x[i]!, b)) / sigma[i]!
    } catch (error) {
      const stop = { kind: 'failed', reason: 'failed: the model threw' } as const
      throw new CurveFitError(i, Float64Array.from(b), resultOf(lm, nfev, stop), error)
    }
    nfev++
    // A model that gives NaN or an infinity here is a failed point: the optimizer steps away from it.
    // The sum of squares may overflow where the residuals do not: the optimizer works with their norm.
    return r.every(Number.isFinite)
      ? { loss: sumOfSquares(r), residuals: r }
      : { loss: Number.POSITIVE_INFINITY }
  }
  for (;;) {
    if (lm.stop !== undefined) return resultOf(lm, nfev, lm.stop)
    if (options.signal?.aborted) throw new AbortError('curveFit was aborted')
    const points = lm.ask()
    if (nfev + points.length > budget) {
      const reason = `stopped: the budget of ${budget} model evaluations is used up (set maxEvaluations)`
      return resultOf(lm, nfev, { kind: 'budget', reason })
    }
    lm.tell(points.map(residualsAt))
  }
}

/** The result at the optimizer's current iterate: standard errors where the Jacobian there is known. */
function resultOf(
  lm: LevenbergMarquardt,
  nfev: number,
  stop: { kind: OptimizerStop['kind'] | 'budget'; reason: string },
): CurveFitResult {
  const message = stop.reason
  const { x: params, residuals, jacobian } = lm.solution
  const n = params.length
  const rss = residuals === undefined ? Number.NaN : sumOfSquares(residuals)
  const success = stop.kind === 'converged'
  if (jacobian === undefined || residuals === undefined) {
    return {
      params,
      stderr: new Float64Array(n).fill(Number.NaN),
      covariance: Array.from({ length: n }, () => new Array<number>(n).fill(Number.NaN)),
      rss,
      nfev,
      iterations: lm.iterations,
      success,
      message,
    }
  }
  const { covariance, stderr } = leastSquaresUncertainties(jacobian, residuals)
  return { params, stderr, covariance, rss, nfev, iterations: lm.iterations, success, message }
}
