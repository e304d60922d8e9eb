// The nested sampler's options, their defaults (nautilus's) and the checks that name a bad one.

import {
  checkOptionKeys,
  finiteNumber,
  numberIn,
  type ObjectiveRef,
  oneOf,
  optionKeys,
  type ParamTree,
  ValidationError,
  wholeNumber,
} from '@parafit/core'
import { checkPoolDefaults, type PoolSpec as OnePool, type Pool } from '@parafit/parallel'
import type { Prior } from '../prior/prior.ts'
import type { LikelihoodFn, VectorizedLikelihoodFn } from './likelihood.ts'
import type { NestedStop } from './stop.ts'

/** A pool, a number of workers ('auto': one per core), or null for this thread. */
export type PoolSpec = OnePool | null

/** ln L(params): a function (runs in this thread) or a defineLikelihood module (threads, processes, MPI). */
export type NestedSamplerOptions<P extends ParamTree = ParamTree> = NestedSamplerSettings<P> &
  (
    | { readonly vectorized?: false; readonly logLikelihood: LikelihoodFn<P> | ObjectiveRef }
    /** One call per chunk of points (a list of parameter sets), one value per set. */
    | { readonly vectorized: true; readonly logLikelihood: VectorizedLikelihoodFn<P> | ObjectiveRef }
  )

export interface NestedSamplerSettings<P extends ParamTree = ParamTree> {
  readonly prior: Prior<P>
  /** 1 (default): this thread. n: n workers. 'auto': one per core. Under mpirun: the MPI pool. */
  readonly numWorkers?: number | 'auto'
  /** One pool for everything, or nautilus's pair: the likelihood's and the sampler's (network training). */
  readonly pool?: Pool | { readonly likelihood?: PoolSpec; readonly sampler?: PoolSpec }
  /** Live points: the best nLive points define each new bound. Default 2000. */
  readonly nLive?: number
  /** Points per batch. Default 100 (for pools of up to 100 workers; then 100 per 100 workers). */
  readonly nBatch?: number
  /** Networks per neural region; 0 for ellipsoid bounds only. Default 4. */
  readonly nNetworks?: number
  /**
   * The most points one network trains on; above it each network trains on its own subsample.
   * Default: all of them, as nautilus. Training is most of the sampler's CPU (docs/performance.md):
   * a cap of a few thousand cuts it in proportion, at a slightly less exact bound.
   */
  readonly maxTrainingPoints?: number
  /** Points above the threshold before a new bound is tried. Default nLive. */
  readonly nUpdate?: number
  /** Likelihood calls after which a new bound is tried anyway. Default 10·nLive. */
  readonly nLikeNewBound?: number
  /** Ellipsoids are enlarged by this per dimension. Default 1.1. */
  readonly enlargePerDim?: number
  /** The fewest points an ellipsoid is fitted to. Default dimensions + 50. */
  readonly nPointsMin?: number
  /** Split the sampling envelope while it exceeds this × the live volume. Default 100. */
  readonly splitThreshold?: number
  /** The run's seed. Default: drawn at random (and recorded in the checkpoint). */
  readonly seed?: number
  /**
   * Written atomically, and an existing file is resumed. After every `every` batches; by default
   * after a batch once writing has taken at most 5% of the time since the last write (every
   * batch, unless the state is large and the likelihood cheap). Always when run() ends or stops.
   */
  readonly checkpoint?: { readonly path: string; readonly every?: number }
  /** NaN or +Infinity from the likelihood: 'raise' (default) fails the run; 'reject' treats it as -Infinity. */
  readonly onBadValue?: 'raise' | 'reject'
  /** Per-evaluation timeout, passed to the pool (none by default). */
  readonly timeoutMs?: number
  /** Tries more for a point whose worker died or timed out (default 1); a likelihood that throws is not retried. */
  readonly retries?: number
}

export interface NestedRunOptions {
  /** Exploration ends when the live points hold at most this share of the evidence. Default 0.01. */
  readonly fLive?: number
  /** The fewest points every shell gets. Default 1. */
  readonly nShell?: number
  /** The effective sample size to reach. Default 10000. */
  readonly nEff?: number
  /** Total likelihood calls (over all runs) after which no batch is started. */
  readonly nLikeMax?: number
  /** This call's time after which no batch is started. */
  readonly timeoutMs?: number
  /** Leave the exploration phase's points out of log Z and the posterior (unbiased; nautilus-r). */
  readonly discardExploration?: boolean
  /** A progress line on stderr. */
  readonly progress?: boolean
  readonly onProgress?: (progress: NestedProgress) => void
  readonly signal?: AbortSignal
}

export interface NestedProgress {
  readonly phase: 'exploration' | 'sampling'
  readonly nLike: number
  readonly logZ: number
  readonly nEff: number
  readonly fLive: number
  readonly bounds: number
}

export interface NestedRunSummary {
  readonly logZ: number
  /** The standard error of logZ estimated from this run alone. */
  readonly logZErr: number
  readonly nLike: number
  readonly nEff: number
  /** N_eff / N_like. */
  readonly efficiency: number
  readonly seconds: number
  /** How the run ended: `kind` to branch on, `reason` in words. */
  readonly stop: NestedStop
}

export const SAMPLER_OPTION_KEYS = optionKeys<
  NestedSamplerSettings & { vectorized: boolean; logLikelihood: unknown }
>()([
  'prior',
  'logLikelihood',
  'numWorkers',
  'pool',
  'nLive',
  'nBatch',
  'nNetworks',
  'maxTrainingPoints',
  'nUpdate',
  'nLikeNewBound',
  'enlargePerDim',
  'nPointsMin',
  'splitThreshold',
  'seed',
  'vectorized',
  'checkpoint',
  'onBadValue',
  'timeoutMs',
  'retries',
])

export const RUN_OPTION_KEYS = optionKeys<NestedRunOptions>()([
  'fLive',
  'nShell',
  'nEff',
  'nLikeMax',
  'timeoutMs',
  'discardExploration',
  'progress',
  'onProgress',
  'signal',
])

export function checkSamplerOptionKeys(options: object): void {
  checkOptionKeys(options, SAMPLER_OPTION_KEYS, 'NestedSampler options')
}

export function checkRunOptionKeys(options: object): void {
  checkOptionKeys(options, RUN_OPTION_KEYS, 'run() options')
}

export interface SamplerSettings {
  readonly nLive: number
  readonly nBatch: number | undefined
  readonly nNetworks: number
  readonly maxTrainingPoints: number
  readonly nUpdate: number
  readonly nLikeNewBound: number
  readonly enlargePerDim: number
  readonly nPointsMin: number
  readonly splitThreshold: number
  readonly seed: number
  readonly vectorized: boolean
  readonly onBadValue: 'raise' | 'reject'
}

/** The settings with their defaults, every value checked; a bad one fails naming the option. */
export function resolveSettings(options: NestedSamplerOptions<never>, d: number): SamplerSettings {
  if (d < 1) throw new ValidationError('the prior has no free parameters', 'prior')
  const nPointsMin = wholeNumber(options.nPointsMin ?? d + 50, 'nPointsMin', {
    min: d + 1,
    why: `an ellipsoid in ${d} dimensions is fitted to more than ${d} points`,
  })
  const nLive = wholeNumber(options.nLive ?? 2000, 'nLive', { min: 1 })
  if (nLive <= nPointsMin) {
    throw new ValidationError(
      `nLive must exceed nPointsMin (${nPointsMin}, the fewest points an ellipsoid is fitted to; dimensions + 50 by default), got ${nLive}`,
      'nLive',
    )
  }
  checkPoolDefaults(options)
  if (options.checkpoint !== undefined) {
    if (typeof options.checkpoint.path !== 'string' || options.checkpoint.path === '') {
      throw new ValidationError('checkpoint.path must name a file', 'checkpoint.path')
    }
    if (options.checkpoint.every !== undefined)
      wholeNumber(options.checkpoint.every, 'checkpoint.every', { min: 1 })
  }
  return {
    nLive,
    nBatch: options.nBatch === undefined ? undefined : wholeNumber(options.nBatch, 'nBatch', { min: 1 }),
    nNetworks: wholeNumber(options.nNetworks ?? 4, 'nNetworks'),
    maxTrainingPoints:
      options.maxTrainingPoints === undefined || options.maxTrainingPoints === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : wholeNumber(options.maxTrainingPoints, 'maxTrainingPoints', { min: 10 }),
    nUpdate: wholeNumber(options.nUpdate ?? nLive, 'nUpdate', { min: 1 }),
    nLikeNewBound: wholeNumber(options.nLikeNewBound ?? 10 * nLive, 'nLikeNewBound', { min: 1 }),
    enlargePerDim: numberIn(options.enlargePerDim ?? 1.1, 'enlargePerDim', { min: 1 }),
    nPointsMin,
    splitThreshold: numberIn(options.splitThreshold ?? 100, 'splitThreshold', { min: 1 }),
    seed:
      options.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : finiteNumber(options.seed, 'seed'),
    vectorized: options.vectorized ?? false,
    onBadValue: oneOf(options.onBadValue ?? 'raise', 'onBadValue', ['raise', 'reject']),
  }
}
