// The ensemble sampler's options (the sampler's, run()'s and the chain queries'), with the option
// keys checked at run time (scripts run with their types stripped). Kept apart from the sampler
// so that the chain file and the command can name them without the sampler's machinery; what a
// run reports is in types.ts.

import type { ObjectiveRef } from '@parafit/core'
import { checkOptionKeys, integer, oneOf, optionKeys, ValidationError, wholeNumber } from '@parafit/core'
import type { Pool } from '@parafit/parallel'
import { assertPoolChoice, checkPoolDefaults } from '@parafit/parallel'
import type { ChainFileOptions } from '../chain-file/chain-file-options.ts'
import type { AnyLogProbFn } from './log-prob.ts'
import type { MoveSpec } from './moves.ts'
import type { SampleProgress } from './types.ts'

export interface EnsembleSamplerOptions {
  /**
   * ln p(θ): a function (runs in this thread), or objectiveModule(url) of a module made with
   * defineLogProb, which worker threads, processes and MPI ranks load once each.
   */
  readonly logProb: AnyLogProbFn | ObjectiveRef
  readonly nWalkers: number
  readonly nDim: number
  /** 1 (default): this thread. n: n worker threads. 'auto': one per core. Under mpirun: the MPI pool. */
  readonly numWorkers?: number | 'auto'
  /** A pool of your own, used as it is and never closed by the sampler. Not with numWorkers. */
  readonly pool?: Pool
  /** Default 1. The same seed gives the same chain whatever the pool. */
  readonly seed?: number
  /** A move or [[move, weight], ...]; one is drawn per step. Default stretchMove(). */
  readonly moves?: MoveSpec
  /** logProb takes a batch of points and returns one value each; one call per worker per half-step. */
  readonly vectorized?: boolean
  /** NaN from logProb: 'raise' (default, as emcee does) or 'reject' the proposal (counted in nBadValues). */
  readonly onBadValue?: 'raise' | 'reject'
  /** Worker pools: an evaluation running longer fails (and its worker is replaced). */
  readonly timeoutMs?: number
  /** Worker pools: how often a task lost to a crashed or timed-out worker is run again. */
  readonly retries?: number
  /**
   * Start each proposal as soon as the walkers it uses are decided, one per call (true), or send
   * whatever is ready as one batch (false). Default: one per call on worker pools once an
   * evaluation is measured at 1 ms or more. The chain is the same either way.
   */
  readonly pipeline?: boolean
  /** Skip the check that the initial walkers are linearly independent. */
  readonly skipInitialStateCheck?: boolean
  /**
   * Worker pools: before each run, every worker evaluates the first walker once, and different
   * values fail with WorkersDisagreeError (a log-probability whose data is made at random, or
   * read from a per-process source, when its module loads). Default true; false skips it.
   */
  readonly checkWorkers?: boolean
  /**
   * Write the chain into an HDF5 file in emcee's layout (HDFBackend reads it), each step or every
   * `every` steps and always at the end of a run; EnsembleSampler.resume(options) continues it.
   */
  readonly chainFile?: ChainFileOptions
}

export const SAMPLER_OPTION_KEYS = optionKeys<EnsembleSamplerOptions>()([
  'logProb',
  'nWalkers',
  'nDim',
  'numWorkers',
  'pool',
  'seed',
  'moves',
  'vectorized',
  'onBadValue',
  'timeoutMs',
  'retries',
  'pipeline',
  'skipInitialStateCheck',
  'checkWorkers',
  'chainFile',
])

export interface RunOptions {
  /** Draw a progress bar on stderr (only on a terminal). */
  readonly progress?: boolean
  readonly onProgress?: (progress: SampleProgress) => void
  /** Aborting stops within one half-step; run() resolves with the steps completed (stop.kind 'aborted'). */
  readonly signal?: AbortSignal
}

export const RUN_OPTION_KEYS = optionKeys<RunOptions>()(['progress', 'onProgress', 'signal'])

export interface ChainOptions {
  /** Drop this many steps from the start (burn-in). */
  readonly discard?: number
  /** Keep every thin-th step. */
  readonly thin?: number
}

export const CHAIN_OPTION_KEYS = optionKeys<ChainOptions>()(['discard', 'thin'])

/** Checks the sampler's options (keys and values, before anything starts); its sizes and seed. */
export function checkEnsembleOptions(options: EnsembleSamplerOptions): {
  nDim: number
  nWalkers: number
  seed: number
} {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError(
      'EnsembleSampler needs options: { logProb, nWalkers, nDim, numWorkers? | pool? }',
    )
  }
  checkOptionKeys(options, SAMPLER_OPTION_KEYS, 'EnsembleSampler options')
  const nDim = wholeNumber(options.nDim, 'nDim', { min: 1 })
  const nWalkers = wholeNumber(options.nWalkers, 'nWalkers', { min: 2 })
  if (nWalkers < 2 * nDim) {
    throw new ValidationError(
      `nWalkers (${nWalkers}) must be at least 2 × nDim (${2 * nDim}): each half of the ensemble ` +
        'moves using the other, which must span every dimension',
      'nWalkers',
    )
  }
  assertPoolChoice(options)
  checkPoolDefaults(options)
  const seed = integer(options.seed ?? 1, 'seed')
  if (options.onBadValue !== undefined) oneOf(options.onBadValue, 'onBadValue', ['raise', 'reject'])
  return { nDim, nWalkers, seed }
}
