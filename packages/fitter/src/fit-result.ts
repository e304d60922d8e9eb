// What a fit (FitResult) and a curve fit (CurveFitResult) resolve to. Their errors: errors.ts.

import type { EvaluateContext, ParamTree } from '@parafit/core'
import type { FitStatistics } from './least-squares/fit-statistics.ts'
import type { Method } from './optimizers/optimizer.ts'

/** How a run ended: the optimizer's own test, the evaluation budget, the caller's signal. */
export type StopKind = 'converged' | 'stalled' | 'budget' | 'aborted' | 'failed'

export interface HistoryEntry {
  /** One step is one batch asked, evaluated and told. */
  readonly step: number
  /** Best loss so far after this step. */
  readonly loss: number
  /** Evaluations so far after this step. */
  readonly nEvals: number
}

export interface FitResult<P extends ParamTree = ParamTree> {
  /** The best parameters evaluated, in the shape of the initial parameters. */
  readonly params: P
  readonly loss: number
  /** The method that ran; 'auto' only when the fit ended before 'auto' chose one (its start point failed, or it was aborted). */
  readonly method: Method | 'auto'
  readonly nEvals: number
  /** Evaluations that failed or gave a bad value (NaN, infinity) and were steered away from. */
  readonly nFailed: number
  /** The context of the best evaluation: what the objective wrote there, from whichever worker ran it. */
  readonly bestContext: EvaluateContext
  readonly history: readonly HistoryEntry[]
  readonly steps: number
  readonly seconds: number
  readonly stopKind: StopKind
  /** Why it stopped, in words. */
  readonly stopReason: string
  /** True when the optimizer's convergence test stopped it. */
  readonly success: boolean
  /** Least-squares fits ('lm') only: standard errors by flattened key, √diag(covariance). */
  readonly stderr?: Readonly<Record<string, number>>
  /** Least-squares fits only: covariance matrix, rows and columns in `keys` order. */
  readonly covariance?: readonly (readonly number[])[]
  /** Least-squares fits only: the correlation matrix, in `keys` order. */
  readonly correlation?: readonly (readonly number[])[]
  /** Least-squares fits only: data points, degrees of freedom, χ², reduced χ², AIC, BIC. */
  readonly statistics?: FitStatistics
  /**
   * Least-squares fits only: whether the residuals were taken as divided by known σ (the
   * covariance unscaled) or not (scaled by the reduced χ², the default). See `absoluteSigma`.
   */
  readonly absoluteSigma?: boolean
  /** The keys whose best value lies on a bound (their standard errors mean little). */
  readonly atBound: readonly string[]
  /** The flattened parameter keys, in the order of vectors and of `covariance`. */
  readonly keys: readonly string[]
}

/** What curveFit resolves to. */
export interface CurveFitResult {
  readonly params: Float64Array
  /** Standard error of each parameter, √diag(covariance); Infinity where the data cannot determine it. */
  readonly stderr: Float64Array
  readonly covariance: number[][]
  /** Residual sum of squares (weighted by 1/σ² when sigma is given). */
  readonly rss: number
  /** Evaluations of the model over the whole data set. */
  readonly nfev: number
  readonly iterations: number
  readonly success: boolean
  /** Why it stopped, in words. */
  readonly message: string
}
