// The ask/tell contract every optimizer follows. ask() proposes a whole batch of points, which
// the Fitter evaluates at once across its pool, and tell() hands back the results in the same
// order. An optimizer never sees the pool, the clock or the worker count: only the numbers it
// was told, and its own seeded random source. That is what makes a run with a fixed seed give
// the same result on 1 worker or 64, and what lets a checkpoint resume it exactly.

export type Method = 'lm' | 'nelder-mead' | 'cmaes' | 'de'

/** The problem in vector form: start point and box bounds (±Infinity where unbounded). */
export interface Problem {
  readonly x0: Float64Array
  readonly lower: Float64Array
  readonly upper: Float64Array
}

/**
 * One evaluation's result. `loss` is +Infinity for a failed evaluation (the objective threw, or
 * returned NaN or an infinity): optimizers rank it worst and never move to it. `residuals` is
 * present when the objective returned a residual vector (loss = their sum of squares).
 */
export interface Told {
  readonly loss: number
  readonly residuals?: Float64Array | undefined
}

/** Plain data (numbers, strings, booleans, arrays, typed arrays, nested records) for checkpoints. */
export type OptimizerState = Record<string, unknown>

/**
 * How an optimizer stopped on its own, as data: `kind` is what a caller branches on, `reason`
 * says it in words. (The evaluation budget and the caller's signal are the Fitter's stops.)
 */
export interface OptimizerStop {
  readonly kind: 'converged' | 'stalled' | 'failed'
  readonly reason: string
}

/** Residuals and Jacobian at the best point: what standard errors and fit statistics need. */
export interface LeastSquaresSolution {
  readonly x: Float64Array
  readonly residuals: Float64Array | undefined
  /** Column j holds the derivatives of the residuals by parameter j (undefined until computed there). */
  readonly jacobian: Float64Array[] | undefined
}

/**
 * The contract of every optimizer (LevenbergMarquardt, NelderMead, Cmaes, DifferentialEvolution):
 * `new X(problem, options?, seed?)` starts a run, `X.restore(problem, x.saveState())` continues it
 * exactly, and the caller loops ask → evaluate → tell until `stop` is set.
 */
export interface Optimizer {
  readonly method: Method
  /**
   * The next batch of points to evaluate, each within the bounds. Asking again before telling
   * returns the same batch. Throws a ValidationError once the optimizer has stopped.
   */
  ask(): Float64Array[]
  /** The results for the points of the last ask(), in the same order (a ValidationError otherwise). */
  tell(results: readonly Told[]): void
  /** Why the optimizer has stopped on its own (converged, stalled, failed); undefined while it goes on. */
  readonly stop: OptimizerStop | undefined
  /** Everything needed to continue, as plain data that survives JSON; `restore` reads it back. */
  saveState(): OptimizerState
  /** Least-squares optimizers only: the residuals and Jacobian at the best point. */
  readonly solution?: LeastSquaresSolution
}
