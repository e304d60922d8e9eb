// Levenberg-Marquardt's options, their defaults and their checks.

import { checkOptionKeys, finiteNumber, oneOf, optionKeys, trueOrFalse } from '@parafit/core'

export const EPS = 2.220446049250313e-16

export interface LevenbergMarquardtOptions {
  /** Finite differences for the Jacobian: 'forward' (n points) or 'central' (2n points). Default 'forward'. */
  readonly differences?: 'forward' | 'central'
  /** Relative difference step; default √ε for forward, ∛ε for central differences. */
  readonly relativeStep?: number
  /** Stop when the actual and predicted relative reductions of the sum of squares are both below this. Default 1e-14. */
  readonly ftol?: number
  /** Stop when the trust radius falls below xtol times the scaled norm of the parameters. Default 1e-14. */
  readonly xtol?: number
  /** Stop when the cosine between the residuals and every Jacobian column is below this. Default 0. */
  readonly gtol?: number
  /** Ask the Jacobian at a trial point together with the trial point (one round per step). Default true. */
  readonly prefetchJacobian?: boolean
  /**
   * After converging with forward differences, take a central-difference Jacobian there and go
   * on with Gauss-Newton steps on it until they stop improving. Forward differences shift the
   * minimum of a problem with large residuals by about √ε relative to its condition number; the
   * polish removes that for 2n + 1 or 2 more evaluations. Default true.
   */
  readonly polish?: boolean
  /**
   * Geodesic acceleration: bend each step along the curvature the residuals showed on the last
   * step, which costs no evaluation. It lets the trust region follow long curved valleys (Bennett5,
   * MGH10) in a few hundred evaluations instead of thousands. Default true.
   */
  readonly acceleration?: boolean
  /** The first trust radius is this times ‖D x0‖ (MINPACK's `factor`, whose default is 100). Default 1. */
  readonly stepBound?: number
}

export const LM_OPTION_KEYS = optionKeys<LevenbergMarquardtOptions>()([
  'differences',
  'relativeStep',
  'ftol',
  'xtol',
  'gtol',
  'prefetchJacobian',
  'polish',
  'acceleration',
  'stepBound',
])

export type LevenbergMarquardtSettings = Required<LevenbergMarquardtOptions>

/** The settings with their defaults; throws a ValidationError (key path relative to `options`) on bad input. */
export function levenbergMarquardtSettings(options: LevenbergMarquardtOptions): LevenbergMarquardtSettings {
  checkOptionKeys(options, LM_OPTION_KEYS, 'Levenberg-Marquardt options')
  const differences = oneOf(options.differences ?? 'forward', 'differences', ['forward', 'central'])
  const atLeastZero = { min: 0 }
  return {
    differences,
    relativeStep: finiteNumber(
      options.relativeStep ?? (differences === 'forward' ? Math.sqrt(EPS) : Math.cbrt(EPS)),
      'relativeStep',
      atLeastZero,
    ),
    ftol: finiteNumber(options.ftol ?? 1e-14, 'ftol', atLeastZero),
    xtol: finiteNumber(options.xtol ?? 1e-14, 'xtol', atLeastZero),
    gtol: finiteNumber(options.gtol ?? 0, 'gtol', atLeastZero),
    prefetchJacobian: trueOrFalse(options.prefetchJacobian ?? true, 'prefetchJacobian'),
    polish: trueOrFalse(options.polish ?? true, 'polish'),
    acceleration: trueOrFalse(options.acceleration ?? true, 'acceleration'),
    // MINPACK's 100 lets the first step leap onto plateaus (BoxBOD from its far start); 1 costs
    // no accuracy on the NIST problems and fewer evaluations on the hard ones (MGH09).
    stepBound: finiteNumber(options.stepBound ?? 1, 'stepBound', atLeastZero),
  }
}
