// NestedSampler: nautilus-class importance nested sampling on a pool. Each batch is one
// evaluation round on the likelihood pool; two batches are in flight, so the pool works on one
// while the other's results are merged and the next is drawn. The algorithm is in
// nested-state.ts, one batch's evaluation in evaluate-batch.ts; this file holds the pools, the
// pipeline, MPI, checkpoints and the results.

import {
  detectMpi,
  isObjectiveRef,
  moduleDisplayName,
  numberIn,
  type ObjectiveRef,
  type ParamTree,
  resolveExport,
  ValidationError,
  wholeNumber,
} from '@parafit/core'
import { type Pool, PoolLease } from '@parafit/parallel'
import { NestedCheckpointError, NestedSamplerError } from '../errors.ts'
import { withNamedExport } from '../module-export.ts'
import { Prior } from '../prior/prior.ts'
import { type BatchLimits, type BatchLoop, runBatches } from './batch-loop.ts'
import {
  type NestedCheckpoint,
  type NetworkSettings,
  readNestedCheckpoint,
  restoreState,
  snapshot,
  writeNestedCheckpoint,
} from './checkpoint.ts'
import { isHdf5Path } from './checkpoint-hdf5.ts'
import { type EvaluationOptions, evaluateBatch } from './evaluate-batch.ts'
import { likelihoodExportRule, likelihoodObjective } from './likelihood.ts'
import { NautilusBoundBuilder } from './nautilus-bound.ts'
import { NestedState, type Targets } from './nested-state.ts'
import {
  checkRunOptionKeys,
  checkSamplerOptionKeys,
  type NestedProgress,
  type NestedRunOptions,
  type NestedRunSummary,
  type NestedSamplerOptions,
  type PoolSpec,
  resolveSettings,
  type SamplerSettings,
} from './options.ts'
import { type Posterior, type PosteriorOptions, posterior } from './posterior.ts'
import { asymptoticEfficiency, effectiveSize, logEvidence, logEvidenceError } from './shells.ts'
import { checkpointFailed, type NestedStop } from './stop.ts'

// A variable, so that the sampler neither depends on @parafit/mpi nor loads it off MPI.
const MPI_PACKAGE = '@parafit/mpi'

interface Limits extends BatchLimits {
  readonly onProgress: ((p: NestedProgress) => void) | undefined
  readonly progress: boolean
}

function leaseFor(spec: PoolSpec | undefined): PoolLease {
  if (spec === null || spec === undefined) return new PoolLease({ numWorkers: 1 })
  if (typeof spec === 'number' || spec === 'auto') return new PoolLease({ numWorkers: spec })
  return new PoolLease({ pool: spec })
}

/**
 * Importance nested sampling as nautilus does it: batches drawn from shrinking bounds (ellipsoids
 * narrowed by neural networks), evaluated on a pool, every point kept as an importance sample.
 * `run()` resolves to the evidence log Z with its error for this run; `posterior()` gives the
 * weighted samples. A seed gives the same run on any pool; a checkpoint resumes it.
 *
 * @example
 * ```ts
 * import { objectiveModule } from '@parafit/core'
 * import { logUniform, NestedSampler, normal, Prior, uniform } from '@parafit/sampler'
 *
 * // model.likelihood.ts: export default defineLikelihood((init) => (params, ctx) => lnL) ('@parafit/sampler/likelihood')
 * const sampler = new NestedSampler({
 *   prior: new Prior({ amplitude: logUniform(1e-3, 10), centre: uniform(0, 1), width: normal(0.2, 0.05) }),
 *   logLikelihood: objectiveModule(new URL('./model.likelihood.ts', import.meta.url), { init: { data } }),
 *   numWorkers: 4, // or 'auto'; the MPI pool under mpirun
 *   seed: 1,
 *   checkpoint: { path: 'run.h5' }, // resumed when it exists
 * })
 * const { logZ, logZErr, stop } = await sampler.run({ nEff: 10_000 }) // stop: { kind: 'converged', reason }
 * const { points, logWeights } = sampler.posterior() // points: { amplitude, centre, width }
 * await sampler.close()
 * ```
 */
export class NestedSampler<P extends ParamTree = ParamTree> {
  readonly prior: Prior<P>
  #settings: SamplerSettings
  readonly #evaluation: EvaluationOptions
  readonly #options: NestedSamplerOptions<P>
  #likelihood: ReturnType<typeof likelihoodObjective> | ObjectiveRef
  #moduleChecked = false
  readonly #likelihoodLease: PoolLease
  readonly #samplerLease: PoolLease | undefined
  #state: NestedState | undefined
  #seconds = 0
  #resumed = false

  constructor(options: NestedSamplerOptions<P>) {
    checkSamplerOptionKeys(options)
    if (!(options.prior instanceof Prior)) {
      throw new ValidationError('prior must be a Prior, e.g. new Prior({ a: uniform(0, 1) })', 'prior')
    }
    this.prior = options.prior
    this.#settings = resolveSettings(options as NestedSamplerOptions<never>, this.prior.dimensions)
    this.#evaluation = {
      vectorized: this.#settings.vectorized,
      onBadValue: this.#settings.onBadValue,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      // A worker that dies (or times out) is replaced and its point tried once more by default.
      retries: options.retries ?? 1,
    }
    this.#options = options
    this.#likelihood = isObjectiveRef(options.logLikelihood)
      ? {
          ...options.logLikelihood,
          init: { init: options.logLikelihood.init, vectorized: this.#settings.vectorized },
        }
      : likelihoodObjective(options.logLikelihood, this.#settings.vectorized)
    const pool = options.pool
    if (pool !== undefined && options.numWorkers !== undefined) {
      throw new ValidationError('give numWorkers or pool, not both', 'numWorkers')
    }
    if (pool !== undefined && typeof pool === 'object' && pool !== null && !('evaluate' in pool)) {
      this.#likelihoodLease = leaseFor(pool.likelihood)
      this.#samplerLease = pool.sampler === undefined ? undefined : leaseFor(pool.sampler)
    } else {
      this.#likelihoodLease = new PoolLease({
        ...(options.numWorkers === undefined ? {} : { numWorkers: options.numWorkers }),
        ...(pool === undefined ? {} : { pool: pool as Pool }),
      })
      this.#samplerLease = undefined
    }
  }

  /** The run's seed (drawn at random when none was given). */
  get seed(): number {
    return this.#settings.seed
  }

  /**
   * Samples until the targets are met, or until nLikeMax, timeoutMs or the signal stops it; a
   * later call continues (with a larger nEff, for more samples). Resolves with log Z, its error
   * and how the run ended; a stopped run keeps everything computed.
   */
  async run(options: NestedRunOptions = {}): Promise<NestedRunSummary> {
    checkRunOptionKeys(options)
    const targets: Targets = {
      fLive: numberIn(options.fLive ?? 0.01, 'fLive', { above: 0 }),
      nShell: wholeNumber(options.nShell ?? 1, 'nShell'),
      nEff: numberIn(options.nEff ?? 10000, 'nEff', { min: 0 }),
    }
    // Infinity, the default of both, means no limit.
    const nLikeMax = numberIn(options.nLikeMax ?? Number.POSITIVE_INFINITY, 'nLikeMax', { above: 0 })
    const timeoutMs = numberIn(options.timeoutMs ?? Number.POSITIVE_INFINITY, 'timeoutMs', {
      above: 0,
      unit: 'milliseconds',
    })
    const limits = {
      nLikeMax,
      timeoutMs,
      deadline: performance.now() + timeoutMs,
      discard: options.discardExploration ?? false,
      signal: options.signal,
      onProgress: options.onProgress,
      progress: options.progress ?? false,
    }
    await this.#checkModule()
    if (this.#underMpi()) return this.#runUnderMpi(targets, limits)
    const pool = await this.#likelihoodLease.acquire()
    const samplerLease = this.#samplerLease
    const samplerPool = samplerLease === undefined ? pool : await samplerLease.acquire()
    try {
      return await this.#runOn(pool, samplerPool, targets, limits)
    } finally {
      if (samplerLease !== undefined && samplerPool !== pool) await samplerLease.release(samplerPool)
      await this.#likelihoodLease.release(pool)
    }
  }

  /**
   * Picks a likelihood module's export by the likelihood rule (default, logLikelihood, the only
   * one made with defineLikelihood), and from then on sends the workers a ref that names it: a
   * module may also export other objectives (a log-probability for the ensemble sampler).
   */
  async #checkModule(): Promise<void> {
    if (this.#moduleChecked) return
    const named = await withNamedExport(this.#likelihood, (namespace, ref) =>
      resolveExport(namespace, ref.export, moduleDisplayName(ref.module), likelihoodExportRule),
    )
    if (named === undefined) return
    this.#likelihood = named
    this.#moduleChecked = true
  }

  async #runOn(pool: Pool, samplerPool: Pool, targets: Targets, limits: Limits): Promise<NestedRunSummary> {
    const started = performance.now()
    const state = await this.#stateFor(pool)
    const builder = new NautilusBoundBuilder({
      seed: this.#settings.seed,
      enlargePerDim: this.#settings.enlargePerDim,
      nPointsMin: this.#settings.nPointsMin,
      splitThreshold: this.#settings.splitThreshold,
      nNetworks: this.#settings.nNetworks,
      maxTrainingPoints: this.#settings.maxTrainingPoints,
      pool: samplerPool,
    })
    let stop: NestedStop | undefined
    try {
      const loop: BatchLoop = {
        state,
        builder,
        targets,
        limits,
        checkpointEvery: this.#options.checkpoint?.every,
        evaluate: (plan) =>
          evaluateBatch(pool, this.#likelihood, this.prior, plan, this.#evaluation, limits.signal),
        report: () => this.#report(state, limits),
        checkpoint: () => this.#checkpoint(state),
      }
      stop = await runBatches(loop).finally(() => {
        if (limits.progress) process.stderr.write('\n')
        this.#seconds += (performance.now() - started) / 1000
      })
      await this.#checkpoint(state)
    } catch (error) {
      if (!(error instanceof NestedCheckpointError)) throw error
      // A disk that failed loses nothing computed: the state stays here (posterior(), a later
      // run()), and the error carries the summary so far.
      const summary = this.#summary(state, stop ?? checkpointFailed(error))
      throw new NestedCheckpointError(
        error.path,
        `${error.message}. The run stopped${stop === undefined ? '' : ` (${stop.reason})`} after ` +
          `${summary.nLike} likelihood calls; nothing computed is lost: error.summary holds log Z so far, ` +
          "the sampler's posterior() the samples, and run() continues (the file holds the run as of its last write)",
        { cause: error, summary },
      )
    }
    return this.#summary(state, stop)
  }

  /** Under mpirun with numWorkers: the MPI pool, and the results on every rank. */
  #underMpi(): boolean {
    const launch = detectMpi()
    const n = this.#options.numWorkers
    return (
      launch.launcher !== null &&
      launch.size > 1 &&
      this.#options.pool === undefined &&
      n !== undefined &&
      n !== 1
    )
  }

  /**
   * Rank 0 samples on the MPI pool (likelihood and networks) while the other ranks serve it; then
   * every rank gets the summary and the whole state, so log Z and posterior() work on all of them
   * (as socca delivers its results). Only rank 0 writes the checkpoint and reports progress.
   */
  async #runUnderMpi(targets: Targets, limits: Limits): Promise<NestedRunSummary> {
    let mpi: { runMpi<T>(main: (pool: Pool) => Promise<T>): Promise<T> }
    try {
      mpi = (await import(MPI_PACKAGE)) as typeof mpi
    } catch (error) {
      throw new NestedSamplerError(
        `this process was started by an MPI launcher, but @parafit/mpi cannot be loaded (${(error as Error).message}). ` +
          'Install it (npm install @parafit/mpi), or run without mpirun, or pass numWorkers: 1 to run each rank on its own.',
        { cause: error },
      )
    }
    const outcome = await mpi.runMpi(async (pool) => {
      const summary = await this.#runOn(pool, pool, targets, limits)
      return { summary, state: this.#snapshot(this.#state!) } // #runOn made it (#stateFor)
    })
    // Rank 0 ran the sampling on its own state; the others take it from rank 0.
    if (detectMpi().rank !== 0) {
      this.#state = restoreState(outcome.state, 'rank 0', undefined)
      this.#seconds = outcome.summary.seconds
    }
    return outcome.summary
  }

  async #stateFor(pool: Pool): Promise<NestedState> {
    if (this.#state !== undefined) return this.#state
    const path = this.#options.checkpoint?.path
    const saved = path === undefined ? undefined : await readNestedCheckpoint(path)
    // No seed given: a saved run goes on with its own (drawn at random when it started). A seed
    // given that differs is refused below, naming both.
    if (saved !== undefined && this.#options.seed === undefined) {
      this.#settings = { ...this.#settings, seed: saved.settings.seed }
    }
    // 100 for any pool up to 100 workers, so a seed gives the same run on all of them (nautilus
    // takes a multiple of the pool's size, so its runs differ); two batches in flight keep an
    // uneven last round from idling the pool.
    const nBatch = this.#settings.nBatch ?? 100 * Math.ceil(pool.size / 100)
    const settings = {
      dimensions: this.prior.dimensions,
      nLive: this.#settings.nLive,
      nBatch,
      nUpdate: this.#settings.nUpdate,
      nLikeNewBound: this.#settings.nLikeNewBound,
      seed: this.#settings.seed,
    }
    if (saved !== undefined && path !== undefined) {
      const restored = restoreState(saved, path, {
        settings,
        prior: this.prior.describe(),
        networks: this.#networks(),
      })
      this.#seconds = saved.seconds
      this.#resumed = true
      this.#state = restored
    } else {
      this.#state = new NestedState(settings)
    }
    return this.#state
  }

  #report(
    state: NestedState,
    limits: { onProgress: ((p: NestedProgress) => void) | undefined; progress: boolean },
  ): void {
    if (limits.onProgress === undefined && !limits.progress) return
    const stats = state.stats()
    const progress: NestedProgress = {
      phase: state.explored ? 'sampling' : 'exploration',
      nLike: state.nLike,
      logZ: logEvidence(stats),
      nEff: effectiveSize(stats),
      fLive: state.explored ? 0 : state.liveFraction(),
      bounds: state.bounds.length,
    }
    limits.onProgress?.(progress)
    if (limits.progress) {
      process.stderr.write(
        `\r${progress.phase.padEnd(11)} bounds ${String(progress.bounds).padStart(3)}  calls ${String(progress.nLike).padStart(8)}  ` +
          `log Z ${progress.logZ.toFixed(3).padStart(9)}  N_eff ${progress.nEff.toFixed(0).padStart(7)}`,
      )
    }
  }

  async #checkpoint(state: NestedState): Promise<void> {
    const path = this.#options.checkpoint?.path
    if (path === undefined) return
    // What an HDF5 checkpoint also shows h5py; a node:v8 one needs only the snapshot.
    const readable = isHdf5Path(path)
      ? { prior: this.prior, logVolumes: state.bounds.map((b) => b.logVolume()) }
      : undefined
    await writeNestedCheckpoint(path, this.#snapshot(state), readable)
  }

  #snapshot(state: NestedState): NestedCheckpoint {
    return snapshot(state, {
      prior: this.prior.describe(),
      networks: this.#networks(),
      seconds: this.#seconds,
    })
  }

  #networks(): NetworkSettings {
    return { nNetworks: this.#settings.nNetworks, maxTrainingPoints: this.#settings.maxTrainingPoints }
  }

  #summary(state: NestedState, stop: NestedStop): NestedRunSummary {
    const stats = state.stats()
    const nEff = effectiveSize(stats)
    return {
      logZ: logEvidence(stats),
      logZErr: logEvidenceError(
        stats,
        state.bounds.map((b) => b.volumeRelativeVariance()),
      ),
      nLike: state.nLike,
      nEff,
      efficiency: state.nLike === 0 ? 0 : nEff / state.nLike,
      seconds: this.#seconds,
      stop,
    }
  }

  /** Whether the state came from a checkpoint file. */
  get resumed(): boolean {
    return this.#resumed
  }

  /** The asymptotic efficiency N_eff / N_like of the current shells. */
  get eta(): number {
    return this.#state === undefined ? 0 : asymptoticEfficiency(this.#state.stats())
  }

  /** The weighted posterior samples (named), or with equalWeight: true, equal-weight ones. */
  posterior(options: PosteriorOptions = {}): Posterior<P> {
    if (this.#state === undefined) {
      throw new NestedSamplerError('posterior() needs a run first: await sampler.run()')
    }
    return posterior(this.#state, this.prior, this.#settings.seed, options)
  }

  /** Closes a pool the sampler made and kept (MPI). A pool passed in is left to its owner. */
  async close(): Promise<void> {
    await this.#likelihoodLease.close()
    await this.#samplerLease?.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
