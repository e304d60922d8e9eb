// The affine-invariant ensemble sampler (Goodman & Weare 2010), as emcee runs it: each step
// shuffles the walkers into two halves; each half moves using the other, its proposals evaluated
// as one batch on the pool (one call per worker's share when the log-probability is vectorised).
// Every random number is drawn here, in a fixed order, so a seed gives the same chain on any
// pool and any number of workers.

import {
  AbortError,
  checkOptionKeys,
  Random,
  ValidationError,
  WorkersDisagreeError,
  wholeNumber,
} from '@parafit/core'
import { checkWorkersAgree, type Pool, PoolLease } from '@parafit/parallel'
import type { Blob } from '../batch-results.ts'
import type { ChainFileContents } from '../chain-file/chain-file-reader.ts'
import { describeMoves } from '../chain-file/layout.ts'
import { ChainFileError, SampleError } from '../errors.ts'
import { withNamedExport } from '../module-export.ts'
import type { AutocorrOptions } from './autocorr.ts'
import { Chain } from './chain.ts'
import { ChainFileLink } from './chain-file-link.ts'
import {
  type ChainOptions,
  checkEnsembleOptions,
  type EnsembleSamplerOptions,
  RUN_OPTION_KEYS,
  type RunOptions,
} from './ensemble-options.ts'
import { type Evaluated, evaluateLogProb } from './evaluate.ts'
import { assertWalkersIndependent, toEnsemble } from './initial-ensemble.ts'
import { chunkTree, pointTree, resolveLogProbExport, samplerObjective } from './log-prob.ts'
import { type Move, moveTable } from './moves.ts'
import { type StepProgressBar, stepProgressBar } from './progress-bar.ts'
import { runSteps } from './step-loop.ts'
import { type Step, StepSchedule } from './step-schedule.ts'
import type { EnsembleStop, RunSummary, SampleProgress } from './types.ts'

/**
 * emcee's affine-invariant ensemble sampler (stretch move, red-blue split) on a pool: each
 * half-step's proposals are one batch for worker threads, processes or MPI ranks, and a proposal
 * starts as soon as the walkers it uses are decided. A seed gives the same chain on any pool.
 *
 * @example
 * ```ts
 * import { objectiveModule } from '@parafit/core'
 * import { EnsembleSampler } from '@parafit/sampler'
 *
 * // model.logprob.ts: export default defineLogProb((init) => (theta, ctx) => lnP) ('@parafit/sampler/log-prob')
 * const sampler = new EnsembleSampler({
 *   logProb: objectiveModule(new URL('./model.logprob.ts', import.meta.url), { init: { data } }),
 *   nWalkers: 32,
 *   nDim: 5,
 *   numWorkers: 'auto', // one thread per core; the MPI pool under mpirun
 *   seed: 42,
 * })
 * await sampler.run(initial, 5000, { progress: true }) // initial: 32 points of 5 numbers
 * const tau = sampler.autocorrTime() // per parameter
 * const samples = sampler.getChain({ discard: Math.ceil(3 * Math.max(...tau)), thin: 10, flat: true })
 * await sampler.close()
 * ```
 */
export class EnsembleSampler implements AsyncDisposable {
  readonly nWalkers: number
  readonly nDim: number
  readonly #options: EnsembleSamplerOptions
  #objective: ReturnType<typeof samplerObjective>
  readonly #moves: { moves: Move[]; cumulative: number[] }
  #random: Random
  readonly #pools: PoolLease
  #running = false
  #moduleChecked = false

  // The current ensemble.
  #coords: Float64Array[] | undefined
  #logProb: Float64Array = new Float64Array()
  #blobs: (Blob | undefined)[] = []
  // Every step kept, and the chain file that mirrors it.
  readonly #chain: Chain
  readonly #file: ChainFileLink | undefined
  /** Measured on batches: wall time × workers / evaluations. Until measured, batches are used. */
  #secondsPerEvaluation = 0

  constructor(options: EnsembleSamplerOptions) {
    const { nDim, nWalkers, seed } = checkEnsembleOptions(options)
    this.nDim = nDim
    this.nWalkers = nWalkers
    this.#objective = samplerObjective(options)
    this.#moves = moveTable(options.moves)
    this.#options = options
    this.#pools = new PoolLease(options)
    this.#random = Random.fromSeed(seed)
    const spec = options.moves
    this.#file =
      options.chainFile === undefined
        ? undefined
        : new ChainFileLink(options.chainFile, {
            nWalkers: this.nWalkers,
            nDim: this.nDim,
            moves: Array.isArray(spec) ? describeMoves(spec) : this.#moves.moves[0]!.name,
            seed,
          })
    this.#chain = new Chain(this.nWalkers, this.nDim)
  }

  /**
   * A sampler that continues the chain file `options.chainFile` names: give it the options the
   * file was written with. It holds the file's chain, acceptance counts, walkers and random
   * stream, and `run(null, n)` goes on exactly as the run that wrote the file would have,
   * appending to the file. A file from another problem (walkers, dimensions, moves, and the
   * parameter names and seed when the options give them), or one that is missing, truncated or
   * damaged, fails with a ChainFileError that says what differs or what is wrong.
   */
  static async resume(options: EnsembleSamplerOptions): Promise<EnsembleSampler> {
    if (typeof options !== 'object' || options === null || options.chainFile === undefined) {
      throw new ValidationError(
        'EnsembleSampler.resume(options) needs the options of the sampler that wrote the file, with ' +
          'chainFile: { path }',
        'chainFile',
      )
    }
    const sampler = new EnsembleSampler(options)
    // The constructor made the link, given chainFile.
    const contents = await sampler.#file!.continue({
      seed: options.seed !== undefined,
      parameterNames: options.chainFile.parameterNames !== undefined,
    })
    sampler.#restore(contents)
    return sampler
  }

  /** The state after the file's last step, as the run that wrote it left it. */
  #restore(contents: ChainFileContents): void {
    const { nWalkers, nDim } = this
    this.#chain.restore(contents)
    // A file is continued only with a step in it (ChainFileError otherwise).
    const last = contents.chain.at(-1)!
    this.#coords = Array.from({ length: nWalkers }, (_, k) => last.slice(k * nDim, (k + 1) * nDim))
    this.#logProb = contents.logProb.at(-1)!.slice()
    this.#blobs = contents.blobs.at(-1)!.slice()
    this.#random = Random.fromState(contents.randomState)
  }

  /** Steps kept (over all runs since construction or reset()). */
  get iteration(): number {
    return this.#chain.iteration
  }

  /** Per walker: accepted proposals / steps. */
  get acceptanceFraction(): Float64Array {
    return this.#chain.acceptanceFraction
  }

  /** Proposals rejected because logProb returned NaN (with onBadValue: 'reject'). */
  get nBadValues(): number {
    return this.#chain.nBadValues
  }

  /** The current walkers and their log-probabilities, or undefined before the first run. */
  get lastState(): { coords: Float64Array[]; logProb: Float64Array } | undefined {
    if (this.#coords === undefined) return undefined
    return { coords: this.#coords.map((c) => c.slice()), logProb: this.#logProb.slice() }
  }

  /**
   * Forgets the chain and acceptance counts, in the chain file too; the walkers' current state
   * and the random stream stay.
   */
  reset(): void {
    this.#file?.reset()
    this.#chain.reset()
  }

  /**
   * Runs `nSteps` steps from `initial` (nWalkers points of nDim numbers), or with `initial` null
   * from where the last run stopped. Steps are appended to the chain.
   */
  async run(
    initial: readonly (readonly number[] | Float64Array)[] | null,
    nSteps: number,
    options: RunOptions = {},
  ): Promise<RunSummary> {
    wholeNumber(nSteps, 'nSteps')
    checkOptionKeys(options, RUN_OPTION_KEYS, 'run() options')
    if (this.#running) throw new ValidationError('this sampler is already running; await run() first')
    let start: Float64Array[] | undefined
    let firstWalker: Float64Array
    if (initial === null || initial === undefined) {
      if (this.#coords === undefined) {
        throw new ValidationError('no previous run to continue: give the initial walkers', 'initial')
      }
      firstWalker = this.#coords[0]!
    } else {
      start = toEnsemble(initial, this.nWalkers, this.nDim)
      if (this.#options.skipInitialStateCheck !== true) assertWalkersIndependent(start)
      firstWalker = start[0]!
    }
    // Marked running before the first await, so that a second run() meanwhile is refused.
    this.#running = true
    let bar: StepProgressBar | undefined
    let pool: Pool
    try {
      bar = options.progress === true ? await stepProgressBar() : undefined
      await this.#checkModule()
      pool = await this.#pools.acquire()
    } catch (error) {
      this.#running = false
      throw error
    }
    const began = performance.now()
    const seconds = () => (performance.now() - began) / 1000
    let starting = start !== undefined
    let steps = 0
    try {
      await this.#file?.open()
      if (this.#options.checkWorkers !== false) {
        await checkWorkersAgree(
          pool,
          this.#objective,
          this.#options.vectorized === true ? chunkTree([firstWalker]) : pointTree(firstWalker),
          { signal: options.signal, timeoutMs: this.#options.timeoutMs },
        )
      }
      if (start !== undefined) await this.#start(pool, start, options.signal)
      starting = false
      const onStep = () => {
        steps++
        const progress: SampleProgress = {
          step: steps,
          nSteps,
          iteration: this.iteration,
          acceptanceFraction: this.#chain.meanAcceptance,
          seconds: seconds(),
        }
        bar?.update(progress)
        options.onProgress?.(progress)
      }
      await this.#steps(pool, nSteps, options.signal, onStep)
      this.#file?.save()
      return { steps, stop: stopOf(steps, nSteps, options.signal), seconds: seconds() }
    } catch (error) {
      if (
        options.signal?.aborted &&
        (error instanceof AbortError || (error as Error)?.name === 'AbortError')
      ) {
        this.#file?.save()
        return { steps, stop: stopOf(steps, nSteps, options.signal), seconds: seconds() }
      }
      if (error instanceof ChainFileError) throw error
      // The steps before the failure go to the file; a failure to write them is kept for the
      // next run (the writer's `failure`), and the run's own error is the one reported.
      try {
        this.#file?.save()
      } catch {
        // Kept as the writer's failure; written again by the next run.
      }
      if (
        error instanceof ValidationError ||
        error instanceof SampleError ||
        error instanceof WorkersDisagreeError
      )
        throw error
      const what = starting
        ? `evaluating the initial walkers failed: ${(error as Error).message}`
        : `step ${this.iteration + 1} failed: ${(error as Error).message}. The ${this.iteration} steps before ` +
          'it are kept (getChain); run(null, n) continues from them'
      throw new SampleError(what, { cause: error, step: this.iteration })
    } finally {
      this.#file?.close()
      bar?.stop()
      await this.#pools.release(pool)
      this.#running = false
    }
  }

  /**
   * Picks the module's export by the log-probability rule (default, logProb, the only one), and
   * from then on sends the workers a ref that names it. It must come from defineLogProb: an
   * objective's value is a loss, not ln p.
   */
  async #checkModule(): Promise<void> {
    if (this.#moduleChecked) return
    const named = await withNamedExport(this.#objective, (namespace, ref) =>
      resolveLogProbExport(namespace, ref.export, ref.module),
    )
    if (named === undefined) return
    this.#objective = named
    this.#moduleChecked = true
  }

  /** Evaluates the initial walkers; the state changes only when all of them succeed. */
  async #start(pool: Pool, start: Float64Array[], signal: AbortSignal | undefined): Promise<void> {
    const { logProb, blobs, errors, bad } = await this.#evaluate(pool, start, signal)
    const failed = errors.find((e) => e !== undefined)
    if (failed !== undefined) throw failed
    const nan = bad.indexOf(1)
    if (nan >= 0) {
      throw new SampleError(
        `the log-probability of initial walker ${nan} is NaN; start every walker at a valid point`,
        { cause: undefined, step: this.iteration },
      )
    }
    this.#coords = start
    this.#logProb = logProb
    this.#blobs = blobs
  }

  /** Runs the steps (step-loop.ts); the random stream resumes after the last committed one. */
  async #steps(
    pool: Pool,
    nSteps: number,
    signal: AbortSignal | undefined,
    onStep: () => void,
  ): Promise<void> {
    // run() has walkers by now: the initial ones (#start) or the last step's.
    const schedule = new StepSchedule(
      { coords: this.#coords!, logProb: this.#logProb, blobs: this.#blobs },
      nSteps,
      this.#random,
      (u) => this.#pickMove(u),
    )
    try {
      await runSteps({
        schedule,
        signal,
        pipelined: () => this.#pipelined(pool),
        evaluate: (points) => this.#evaluate(pool, points, signal),
        measured: (seconds, count) => {
          this.#secondsPerEvaluation = seconds * (pool.size / count)
        },
        commit: (step) => this.#commit(step, schedule),
        onStep,
      })
    } finally {
      this.#random = Random.fromState(schedule.resumeRandomState())
    }
  }

  /**
   * One task per call pays when an evaluation costs well above the per-call overhead (~1 ms).
   * On every pool: the pool still puts one-task calls that wait together into one message.
   */
  #pipelined(pool: Pool): boolean {
    if (this.#options.vectorized === true || pool.size === 1) return false
    return this.#options.pipeline ?? this.#secondsPerEvaluation >= 1e-3
  }

  /**
   * Appends a step decided for every walker to the chain and hands it to the chain file; it
   * becomes the current state. A failed write of the file is returned.
   */
  #commit(step: Step, schedule: StepSchedule): ChainFileError | undefined {
    const row = this.#chain.push(step)
    this.#coords = step.coords
    this.#logProb = step.logProb
    this.#blobs = step.blobs
    // With a chain file, the stream's state after this step (where a run resumed from the file
    // starts) goes with it; without one it is not computed (?. skips the arguments).
    return this.#file?.append(row, step, schedule.resumeRandomState())
  }

  #pickMove(u: number): Move {
    const { moves, cumulative } = this.#moves
    const i = cumulative.findIndex((c) => u < c)
    return moves[i < 0 ? moves.length - 1 : i]!
  }

  /** ln p at each point through the pool, with the sampler's bad-value policy, timeout and retries. */
  #evaluate(pool: Pool, points: Float64Array[], signal: AbortSignal | undefined): Promise<Evaluated> {
    return evaluateLogProb(pool, this.#objective, points, this.#options, signal)
  }

  /** The walkers' points per step: chain[step][walker]; with flat, one list of points, step by step. */
  getChain(options?: ChainOptions & { flat?: false }): Float64Array[][]
  getChain(options: ChainOptions & { flat: true }): Float64Array[]
  getChain(options: ChainOptions & { flat?: boolean } = {}): Float64Array[][] | Float64Array[] {
    return this.#chain.getChain(options)
  }

  /** ln p per step and walker; with flat, one array, step by step. */
  getLogProb(options?: ChainOptions & { flat?: false }): Float64Array[]
  getLogProb(options: ChainOptions & { flat: true }): Float64Array
  getLogProb(options: ChainOptions & { flat?: boolean } = {}): Float64Array[] | Float64Array {
    return this.#chain.getLogProb(options)
  }

  /**
   * What the log-probability wrote into its context (quantities, meta) at each walker's point,
   * per step; undefined where it wrote nothing. Vectorised calls share one context per call.
   */
  getBlobs(options: ChainOptions = {}): (Blob | undefined)[][] {
    return this.#chain.getBlobs(options)
  }

  /** Integrated autocorrelation time per parameter; see integratedTime for c, tol and quiet. */
  autocorrTime(options: ChainOptions & AutocorrOptions = {}): Float64Array {
    return this.#chain.autocorrTime(options)
  }

  /** Closes a pool the sampler made and kept (MPI). A pool passed in is left to its owner. */
  async close(): Promise<void> {
    await this.#pools.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

/** How a run that did not fail ended, as data and in words. */
function stopOf(steps: number, nSteps: number, signal: AbortSignal | undefined): EnsembleStop {
  if (signal?.aborted === true) {
    return {
      kind: 'aborted',
      reason: `aborted by the signal after ${steps} of ${nSteps} steps; run(null, n) continues the chain`,
    }
  }
  return { kind: 'completed', reason: `completed: the ${nSteps} steps asked for` }
}
