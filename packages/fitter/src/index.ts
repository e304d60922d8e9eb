// @parafit/fitter: the Fitter (parallel optimizers on a pool), curveFit, and the optimizers'
// ask/tell state machines for those who drive them by hand. The samplers are @parafit/sampler's.

export { CurveFitError, type CurveFitOptions, type CurveFitResult, curveFit } from './curve-fit.ts'
export type { FailurePolicy } from './evaluate-batch.ts'
export { CheckpointError, FitError, type FitResult, type HistoryEntry, type StopKind } from './fit-result.ts'
export {
  type CheckpointOptions,
  type FitOptions,
  type FitProgress,
  Fitter,
  type FitterOptions,
} from './fitter.ts'
export { leastSquaresUncertainties, type Uncertainties } from './least-squares/covariance.ts'
export {
  correlationMatrix,
  type FitStatistics,
  fitStatistics,
  keysAtBounds,
  strongCorrelations,
} from './least-squares/fit-statistics.ts'
export { METHODS, type MethodOptions } from './methods.ts'
export type { LevenbergMarquardtOptions } from './optimizers/levenberg-marquardt.ts'
export { LevenbergMarquardt } from './optimizers/levenberg-marquardt.ts'
export { NelderMead, type NelderMeadOptions } from './optimizers/nelder-mead.ts'
export type { Method, Optimizer, OptimizerState, Problem, Told } from './optimizers/optimizer.ts'
