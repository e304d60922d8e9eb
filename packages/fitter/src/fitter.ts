// The Fitter: an objective, its parameters and bounds, and a pool; fit() runs an optimizer's
// ask/tell loop with every batch evaluated at once across the pool. It owns the run's budget,
// signal, progress, checkpoints and failure policy, so the optimizers stay pure state machines.

import {
  AbortError,
  type BoundsTree,
  checkOptionKeys,
  integer,
  isObjective,
  isObjectiveRef,
  nonEmptyText,
  oneOf,
  optionKeys,
  ParamSpace,
  type ParamTree,
  trueOrFalse,
  ValidationError,
  wholeNumber,
} from '@parafit/core'
import { checkPoolDefaults, checkWorkersAgree, type Pool, PoolLease } from '@parafit/parallel'
import {
  assertSameProblem,
  type CheckpointData,
  RunCheckpoints,
  readCheckpoint,
  restoring,
} from './checkpoint.ts'
import { CheckpointError, FitError } from './errors.ts'
import {
  type Evaluation,
  evaluateBatch,
  type FailurePolicy,
  type FitObjective,
  failureToRaise,
} from './evaluate-batch.ts'
import type { FitResult, StopKind } from './fit-result.ts'
import { leastSquaresUncertainties } from './least-squares/covariance.ts'
import { fitStatistics } from './least-squares/fit-statistics.ts'
import {
  checkMethod,
  checkMethodOptions,
  createOptimizer,
  defaultBudget,
  firstBatchSize,
  type MethodOptions,
  restoreOptimizer,
} from './methods.ts'
import type { Method, Optimizer, Problem } from './optimizers/optimizer.ts'
import { type LeastSquaresSummary, RunRecord } from './run-record.ts'

export interface FitterOptions<P extends ParamTree> {
  /** The start point; its shape is the shape of every parameter set and of the result. */
  readonly initial: P
  /** [lower, upper] per parameter (null for none), in the same shape as `initial`. */
  readonly bounds?: BoundsTree<P>
  /**
   * 1 (default): evaluate in this thread. n: a pool of n worker threads. 'auto': one per core.
   * Under mpirun/srun anything but 1 gives the MPI pool. The objective must then be a module
   * (objectiveModule) or a combination of modules, so that workers can load it.
   */
  readonly numWorkers?: number | 'auto'
  /** A pool of your own, used as it is and never closed by the Fitter. */
  readonly pool?: Pool
  /** Worker pools: an evaluation running longer fails with EvaluationTimeoutError (and its worker is replaced). */
  readonly timeoutMs?: number
  /** Worker pools: how often a task lost to a crashed or timed-out worker is run again. */
  readonly retries?: number
  /**
   * Worker pools: before each fit, every worker evaluates the start point once, and different
   * values fail with WorkersDisagreeError (a model whose data is made at random, or read from a
   * per-process source, when it loads). Default true; false skips it, e.g. for a noisy objective.
   */
  readonly checkWorkers?: boolean
}

export interface FitProgress {
  readonly step: number
  readonly nEvals: number
  /** Best loss so far. */
  readonly best: number
  readonly budget: number
  readonly nFailed: number
  readonly seconds: number
}

export interface CheckpointOptions {
  readonly path: string
  /** Write every this many steps (and when the run stops). Default 1. */
  readonly every?: number
  /** Continue from the file when it exists (default true); false starts over and overwrites it. */
  readonly resume?: boolean
}

export interface FitOptions extends Partial<FailurePolicy> {
  /** 'auto' (default): 'lm' when the objective returns residuals, else 'cmaes'. */
  readonly method?: Method | 'auto'
  /** Most evaluations; a batch that would exceed it is not started. Default per method (see defaultBudget). */
  readonly budget?: number
  /** Seeds the stochastic methods; the same seed gives the same run on any number of workers. Default 1. */
  readonly seed?: number
  /** Aborting stops the run within one batch; fit() resolves with the best so far (stopKind 'aborted'). */
  readonly signal?: AbortSignal
  readonly onProgress?: (progress: FitProgress) => void
  readonly checkpoint?: CheckpointOptions
  /** Settings for the chosen method, e.g. { cmaes: { restarts: 2 } }. */
  readonly methodOptions?: MethodOptions
  /**
   * Least-squares fits: the residuals are (data − model)/σ with σ known, so the covariance is
   * (JᵀJ)⁻¹ as it stands (scipy's `absolute_sigma=True`, lmfit's `scale_covar=False`). Default
   * false: σ known only up to a factor, and the covariance is scaled by the reduced χ².
   */
  readonly absoluteSigma?: boolean
}

// The keys of each options interface, checked at run time (scripts run with their types stripped).
const FITTER_OPTION_KEYS = optionKeys<FitterOptions<ParamTree>>()([
  'initial',
  'bounds',
  'numWorkers',
  'pool',
  'timeoutMs',
  'retries',
  'checkWorkers',
])
const FIT_OPTION_KEYS = optionKeys<FitOptions>()([
  'absoluteSigma',
  'method',
  'budget',
  'seed',
  'signal',
  'onProgress',
  'checkpoint',
  'methodOptions',
  'onError',
  'onBadValue',
])
const CHECKPOINT_OPTION_KEYS = optionKeys<CheckpointOptions>()(['path', 'every', 'resume'])

function validateFitterOptions<P extends ParamTree>(objective: unknown, options: FitterOptions<P>): void {
  if (!(isObjective(objective) || isObjectiveRef(objective))) {
    throw new ValidationError(
      'the Fitter needs an objective: objective(fn), objectiveModule(url, ...) or combine([...])',
    )
  }
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('the Fitter needs options: { initial, bounds?, numWorkers? | pool? }')
  }
  checkOptionKeys(options, FITTER_OPTION_KEYS, 'the Fitter options')
  checkPoolDefaults(options)
}

/** A checkpoint file that a fit continues, and what it holds. */
const firstBatchTooLarge = (points: number, budget: number): { kind: StopKind; reason: string } => ({
  kind: 'budget',
  reason: `stopped: the first batch of ${points} points is larger than the budget of ${budget} evaluations`,
})

/** A run read back from its checkpoint: checked and restored before any worker starts. */
interface Resumed {
  readonly path: string
  readonly data: CheckpointData
  readonly record: RunRecord
  readonly optimizer: Optimizer
}

/**
 * Minimises an objective, evaluating each batch of candidate points at once on a pool (worker
 * threads with `numWorkers`, processes or MPI ranks with `pool`). `fit()` runs one of four
 * methods (Levenberg-Marquardt for residuals, Nelder-Mead, CMA-ES, differential evolution) and
 * resolves to the best point evaluated, with the context its evaluation wrote. A seed gives the
 * same fit on any number of workers.
 *
 * @example
 * ```ts
 * import { objectiveModule } from '@parafit/core'
 * import { Fitter } from '@parafit/fitter'
 *
 * // model.ts exports `objective = defineObjective((data) => (p, ctx) => residuals)`
 * const objective = objectiveModule(new URL('./model.ts', import.meta.url), { init: data })
 * const fitter = new Fitter(objective, {
 *   initial: { amplitude: 1.5, rate: 0.5, offset: 0 }, // the result has this shape
 *   bounds: { amplitude: [0, null], rate: [0, 10] },
 *   numWorkers: 'auto', // one thread per core; the MPI pool under mpirun
 * })
 * const result = await fitter.fit({ method: 'lm', budget: 2000 })
 * result.params // { amplitude, rate, offset }
 * result.stderr // { amplitude, rate, offset } (least squares)
 * result.bestContext.meta // what the objective wrote at the best point
 * await fitter.close()
 * ```
 */
export class Fitter<P extends ParamTree = ParamTree> implements AsyncDisposable {
  readonly #objective: FitObjective<P>
  readonly #space: ParamSpace<P>
  readonly #options: FitterOptions<P>
  readonly #pools: PoolLease
  #running = false

  constructor(objective: FitObjective<P>, options: FitterOptions<P>) {
    validateFitterOptions(objective, options)
    this.#objective = objective
    this.#space = ParamSpace.create(options.initial, options.bounds)
    this.#options = options
    this.#pools = new PoolLease(options)
  }

  /** The flattened parameter keys, in the order optimizers see them. */
  get keys(): readonly string[] {
    return this.#space.keys
  }

  /**
   * Runs one fit from `initial` and resolves to its result. A fit that stops on an error rejects
   * with a `FitError` whose `result` is the best so far; an aborted one resolves with it.
   *
   * @example
   * ```ts
   * const controller = new AbortController()
   * const result = await fitter.fit({
   *   method: 'cmaes', // or 'lm', 'nelder-mead', 'de'; 'auto' (default) picks lm for residuals
   *   budget: 10_000,
   *   seed: 7,
   *   checkpoint: { path: 'fit.ckpt', every: 5 }, // resumed when the file exists
   *   signal: controller.signal,
   *   onProgress: (p) => console.log(p.nEvals, p.best),
   * })
   * console.log(result.loss, result.stopReason)
   * ```
   */
  async fit(options: FitOptions = {}): Promise<FitResult<P>> {
    if (this.#running) throw new ValidationError('this Fitter is already running a fit; await it first')
    checkOptionKeys(options, FIT_OPTION_KEYS, 'fit() options')
    if (options.checkpoint !== undefined) {
      checkOptionKeys(options.checkpoint, CHECKPOINT_OPTION_KEYS, 'checkpoint', 'checkpoint')
      nonEmptyText(options.checkpoint.path, 'checkpoint.path', 'the path of a file')
      if (options.checkpoint.resume !== undefined) trueOrFalse(options.checkpoint.resume, 'checkpoint.resume')
    }
    checkMethodOptions(options.methodOptions, this.#space.size)
    const method = checkMethod(options.method ?? 'auto')
    if (options.budget !== undefined) wholeNumber(options.budget, 'budget', { min: 1 })
    if (options.absoluteSigma !== undefined) trueOrFalse(options.absoluteSigma, 'absoluteSigma')
    const seed = integer(options.seed ?? 1, 'seed')
    const every =
      options.checkpoint === undefined
        ? 1
        : wholeNumber(options.checkpoint.every ?? 1, 'checkpoint.every', { min: 1 })
    const policy: FailurePolicy = {
      onError: oneOf(options.onError ?? 'raise', 'onError', ['raise', 'skip']),
      onBadValue: oneOf(options.onBadValue ?? 'worst', 'onBadValue', ['worst', 'raise']),
    }

    const space = this.#space
    const problem: Problem = { x0: space.initial, lower: space.lower, upper: space.upper }
    const checkpointPath = options.checkpoint?.path
    let resumed: Resumed | undefined
    if (checkpointPath !== undefined && options.checkpoint?.resume !== false) {
      const data = await readCheckpoint(checkpointPath)
      if (data !== undefined) {
        assertSameProblem(checkpointPath, data, { method, ...space, keys: space.keys, seed: options.seed })
        resumed = {
          path: checkpointPath,
          data,
          record: restoring(checkpointPath, () => new RunRecord(data)),
          optimizer: restoring(checkpointPath, () => restoreOptimizer(data.method, problem, data.optimizer)),
        }
      }
    }

    this.#running = true
    const pool = await this.#pools.acquire()
    try {
      return await this.#run(pool, { ...options, seed, every, policy, method, problem, resumed })
    } finally {
      await this.#pools.release(pool)
      this.#running = false
    }
  }

  async #run(
    pool: Pool,
    o: FitOptions & {
      seed: number
      every: number
      policy: FailurePolicy
      method: Method | 'auto'
      problem: Problem
      resumed: Resumed | undefined
    },
  ): Promise<FitResult<P>> {
    const space = this.#space
    const resumed = o.resumed
    const budgetOf = (m: Method) => o.budget ?? defaultBudget(m, space.size)
    const checkpointPath = o.checkpoint?.path
    const record = resumed === undefined ? new RunRecord() : resumed.record
    const evaluate = (points: readonly Float64Array[]) =>
      evaluateBatch(pool, this.#objective, space, points, {
        ...(o.signal === undefined ? {} : { signal: o.signal }),
        ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
        ...(this.#options.retries === undefined ? {} : { retries: this.#options.retries }),
      })

    // 'auto' looks at the start point: residuals mean least squares. That evaluation is not wasted:
    // the optimizer's own first batch reuses it.
    let method: Method
    let reuse: Evaluation | undefined
    let optimizer: Optimizer
    // Until 'auto' has chosen, a result (a start point that failed, an abort) names no method.
    let partial = (kind: StopKind, reason: string) => record.toResult(space, o.method, { kind, reason })
    try {
      if (this.#options.checkWorkers !== false) {
        await checkWorkersAgree(pool, this.#objective, this.#options.initial, {
          signal: o.signal,
          timeoutMs: this.#options.timeoutMs,
        })
      }
      if (resumed !== undefined) {
        method = resumed.data.method
        optimizer = resumed.optimizer
      } else {
        if (o.method === 'auto') {
          const [start] = await this.#evaluateChecked(evaluate, [o.problem.x0], record, o.policy, () =>
            partial('failed', 'failed'),
          )
          reuse = start
          method = start!.told.residuals !== undefined ? 'lm' : 'cmaes'
        } else {
          method = o.method
        }
        // What can be refused before the optimizer allocates its first batch is refused here.
        const first =
          firstBatchSize(method, o.methodOptions ?? {}, space.size) - (reuse === undefined ? 0 : 1)
        if (first > budgetOf(method))
          return record.toResult(space, method, firstBatchTooLarge(first, budgetOf(method)))
        optimizer = createOptimizer(method, o.problem, o.methodOptions ?? {}, o.seed)
      }
    } catch (error) {
      if (isAbort(error, o.signal)) return partial('aborted', 'aborted before the first step')
      throw error
    }
    partial = (kind, reason) => record.toResult(space, method, { kind, reason })

    const budget = budgetOf(method)
    const checkpointBase = () => ({
      method,
      keys: space.keys,
      lower: space.lower,
      upper: space.upper,
      seed: o.seed,
      optimizer: optimizer.saveState(),
    })
    const checkpoints =
      checkpointPath === undefined
        ? undefined
        : new RunCheckpoints(
            checkpointPath,
            o.every,
            record.toCheckpoint(checkpointBase()),
            resumed !== undefined,
          )

    let stop: { kind: StopKind; reason: string } | undefined
    let failure: unknown
    try {
      while (stop === undefined) {
        if (optimizer.stop !== undefined) {
          stop = optimizer.stop
          break
        }
        if (o.signal?.aborted) {
          stop = { kind: 'aborted', reason: 'aborted by the signal' }
          break
        }
        const points = optimizer.ask()
        const reused = reuse !== undefined && sameVector(points[0], reuse.x) ? reuse : undefined
        reuse = undefined
        const fresh = reused === undefined ? points : points.slice(1)
        if (record.nEvals + fresh.length > budget) {
          stop =
            record.step === 0
              ? firstBatchTooLarge(fresh.length, budget)
              : { kind: 'budget', reason: `stopped: the budget of ${budget} evaluations is used up` }
          break
        }
        const evaluated = await this.#evaluateChecked(evaluate, fresh, record, o.policy, () =>
          partial('failed', 'failed'),
        )
        optimizer.tell((reused === undefined ? evaluated : [reused, ...evaluated]).map((e) => e.told))
        record.endStep()
        await checkpoints?.afterStep(record.step, () => record.toCheckpoint(checkpointBase()))
        o.onProgress?.({
          step: record.step,
          nEvals: record.nEvals,
          best: record.bestLoss,
          budget,
          nFailed: record.nFailed,
          seconds: record.seconds,
        })
      }
    } catch (error) {
      if (isAbort(error, o.signal)) stop = { kind: 'aborted', reason: 'aborted by the signal' }
      else failure = error
    }
    // Whatever ended the run, the file gets its last snapshot, unless writing it is what failed;
    // a failure of the run itself stays the error reported.
    if (checkpoints !== undefined && !(failure instanceof CheckpointError)) {
      await checkpoints.atStop().catch((error: unknown) => {
        failure ??= error
      })
    }
    // Without a failure the loop ended on a stop (a caught abort sets one too).
    const result = () =>
      record.toResult(space, method, stop!, this.#leastSquares(optimizer, o.absoluteSigma === true))
    if (failure === undefined) return result()
    // Without a checkpoint of this run's, a CheckpointError is the caller's (thrown in onProgress).
    if (failure instanceof CheckpointError && checkpoints !== undefined) {
      const ended = stop !== undefined
      throw checkpoints.writeFailed(failure, {
        step: record.step,
        ended,
        result: ended ? result() : partial('failed', `failed: ${failure.message}`),
      })
    }
    if (failure instanceof FitError || failure instanceof ValidationError) throw failure
    throw new FitError(`the fit failed at step ${record.step + 1}: ${(failure as Error).message}`, {
      cause: failure,
      result: partial('failed', `failed: ${(failure as Error).message}`),
    })
  }

  /** Evaluates and records a batch; throws FitError when the policy says a failure is fatal. */
  async #evaluateChecked(
    evaluate: (points: readonly Float64Array[]) => Promise<Evaluation[]>,
    points: readonly Float64Array[],
    record: RunRecord,
    policy: FailurePolicy,
    partial: () => FitResult<P>,
  ): Promise<Evaluation[]> {
    const evaluated = points.length === 0 ? [] : await evaluate(points)
    record.record(evaluated)
    const fatal = failureToRaise(evaluated, policy)
    if (fatal !== undefined) {
      const hint = fatal.name === 'ObjectiveValueError' ? "onBadValue: 'worst'" : "onError: 'skip'"
      throw new FitError(
        `an evaluation failed at step ${record.step + 1}: ${fatal.message}. The best result so far is in ` +
          `error.result; pass ${hint} to steer away from such points instead`,
        { cause: fatal, result: partial() },
      )
    }
    return evaluated
  }

  /** Standard errors and goodness of fit for least-squares fits, from the Jacobian at the solution. */
  #leastSquares(optimizer: Optimizer, absoluteSigma: boolean): LeastSquaresSummary | undefined {
    const solution = optimizer.solution
    if (solution === undefined) return undefined
    const { residuals, jacobian } = solution
    if (residuals === undefined || jacobian === undefined) return undefined
    const { stderr, covariance } = leastSquaresUncertainties(jacobian, residuals, { absoluteSigma })
    const statistics = fitStatistics(residuals.length, jacobian.length, residuals)
    return { stderr, covariance, statistics, absoluteSigma }
  }

  /** Closes a pool the Fitter made and kept (MPI). A pool passed in is left to its owner. */
  async close(): Promise<void> {
    await this.#pools.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (error instanceof AbortError || (error as Error)?.name === 'AbortError')
}

function sameVector(a: Float64Array | undefined, b: Float64Array): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => Object.is(v, b[i]))
}
