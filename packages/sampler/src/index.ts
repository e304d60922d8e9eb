// @parafit/sampler: Bayesian sampling on a pool. The ensemble sampler (emcee's) and the nested
// sampler (nautilus's importance nested sampling, with the evidence).

export { AutocorrError, type AutocorrOptions, integratedTime } from './ensemble/autocorr.ts'
export {
  type ChainOptions,
  EnsembleSampler,
  type EnsembleSamplerOptions,
  type RunOptions,
  type RunSummary,
  type SampleProgress,
} from './ensemble/ensemble-sampler.ts'
export { defineLogProb, type LogProbFn, type VectorizedLogProbFn } from './ensemble/log-prob.ts'
export { deMove, type Move, type MovePlan, type MoveSpec, stretchMove } from './ensemble/moves.ts'
export { SampleError } from './ensemble/sample-error.ts'
export type { Blob } from './ensemble/step-schedule.ts'
