// @parafit/fitter: the Fitter (parallel optimizers on a pool), curveFit, and the optimizers'
// ask/tell state machines for those who drive them by hand. The samplers are @parafit/sampler's.

export { type CurveFitOptions, curveFit } from './curve-fit.ts'
export {
  CheckpointError,
  CurveFitError,
  FitError,
  type FitterErrorCode,
  OptimizerStateError,
} from './errors.ts'
export type { FailurePolicy } from './evaluate-batch.ts'
export type { CurveFitResult, FitResult, HistoryEntry, StopKind } from './fit-result.ts'
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
export { Cmaes } from './optimizers/cmaes/cmaes.ts'
export type { CmaesOptions } from './optimizers/cmaes/options.ts'
export { DifferentialEvolution } from './optimizers/differential-evolution/differential-evolution.ts'
export type {
  DifferentialEvolutionOptions,
  DifferentialEvolutionStrategy,
} from './optimizers/differential-evolution/options.ts'
export type { LevenbergMarquardtOptions } from './optimizers/levenberg-marquardt.ts'
export { LevenbergMarquardt } from './optimizers/levenberg-marquardt.ts'
export { NelderMead, type NelderMeadOptions } from './optimizers/nelder-mead.ts'
export type {
  LeastSquaresSolution,
  Method,
  Optimizer,
  OptimizerState,
  OptimizerStop,
  Problem,
  Told,
} from './optimizers/optimizer.ts'
