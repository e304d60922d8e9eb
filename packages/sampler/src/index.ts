// @parafit/sampler: Bayesian sampling on a pool. The ensemble sampler (emcee's) and the nested
// sampler (nautilus's importance nested sampling, with the evidence).

export type { Blob } from './batch-results.ts'
export type { ChainFileOptions } from './chain-file/chain-file-options.ts'
export { type ChainFileContents, readChainFile } from './chain-file/chain-file-reader.ts'
export { type Chains, splitChains } from './diagnostics/chains.ts'
export { ess, essBulk, essTail } from './diagnostics/ess.ts'
export { type FormatSummaryOptions, formatSummary } from './diagnostics/format-summary.ts'
export { hdi } from './diagnostics/hdi.ts'
export { mcseMean, mcseSd } from './diagnostics/mcse.ts'
export { zScale } from './diagnostics/ranks.ts'
export { rankNormalizedSplitRHat, rHat } from './diagnostics/rhat.ts'
export { type Draws, type SummaryOptions, type SummaryRow, summary } from './diagnostics/summary.ts'
export { walkerChains } from './diagnostics/walker-chains.ts'
export { type AutocorrOptions, integratedTime } from './ensemble/autocorr.ts'
export type { ChainOptions, EnsembleSamplerOptions, RunOptions } from './ensemble/ensemble-options.ts'
export { EnsembleSampler } from './ensemble/ensemble-sampler.ts'
export {
  defineLogProb,
  isLogProbDefinition,
  type LogProbFn,
  type VectorizedLogProbFn,
} from './ensemble/log-prob.ts'
export { deMove, type Move, type MovePlan, type MoveSpec, stretchMove } from './ensemble/moves.ts'
export type { EnsembleStop, EnsembleStopKind, RunSummary, SampleProgress } from './ensemble/types.ts'
export {
  AutocorrError,
  ChainFileError,
  type ChainFileErrorReason,
  NestedCheckpointError,
  NestedSamplerError,
  SampleError,
  type SamplerErrorCode,
} from './errors.ts'
export {
  leastSquaresLikelihood,
  leastSquaresLogProb,
  type SigmaOptions,
  uniformPriorWithin,
} from './least-squares/least-squares.ts'
export {
  defineLikelihood,
  isLikelihoodDefinition,
  type LikelihoodFn,
  type VectorizedLikelihoodFn,
} from './nested/likelihood.ts'
export { NestedSampler } from './nested/nested-sampler.ts'
export type {
  NestedProgress,
  NestedRunOptions,
  NestedRunSummary,
  NestedSamplerOptions,
  PoolSpec,
} from './nested/options.ts'
export type { Posterior, PosteriorOptions } from './nested/posterior.ts'
export type { NestedStop, NestedStopKind } from './nested/stop.ts'
export {
  type CustomDistribution,
  custom,
  type Distribution,
  type LogUniformDistribution,
  logUniform,
  type NormalDistribution,
  normal,
  type TruncatedNormalDistribution,
  truncatedNormal,
  type UniformDistribution,
  uniform,
} from './prior/distributions.ts'
export { Prior, type PriorDescription, type PriorSpec } from './prior/prior.ts'
