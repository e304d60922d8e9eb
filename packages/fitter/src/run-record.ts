// The bookkeeping of one fit: evaluation counts, the best point and its context, the history,
// and the result built from them. Kept apart from the loop so that a checkpoint can save it
// and a resumed run can start from it.

import { EvaluateContext, type ParamSpace, type ParamTree } from '@parafit/core'
import type { CheckpointData } from './checkpoint.ts'
import type { Evaluation } from './evaluate-batch.ts'
import type { FitResult, HistoryEntry, StopKind } from './fit-result.ts'
import { correlationMatrix, type FitStatistics, keysAtBounds } from './least-squares/fit-statistics.ts'
import type { Method } from './optimizers/optimizer.ts'

/** What a least-squares fit adds to its result, from the Jacobian and residuals at the solution. */
export interface LeastSquaresSummary {
  readonly stderr: Float64Array
  readonly covariance: number[][]
  readonly statistics: FitStatistics
  readonly absoluteSigma: boolean
}

export class RunRecord {
  step = 0
  nEvals = 0
  nFailed = 0
  /** Seconds spent in earlier sessions of a resumed run. */
  readonly secondsBefore: number
  readonly history: HistoryEntry[]
  bestX: Float64Array | undefined
  bestLoss = Number.POSITIVE_INFINITY
  bestContext: EvaluateContext | undefined
  readonly #started = performance.now()

  constructor(from?: CheckpointData) {
    this.secondsBefore = from?.seconds ?? 0
    this.history = from === undefined ? [] : [...from.history]
    if (from === undefined) return
    this.step = from.step
    this.nEvals = from.nEvals
    this.nFailed = from.nFailed
    if (from.best !== undefined) {
      this.bestX = Float64Array.from(from.best.x)
      this.bestLoss = from.best.loss
      const context = new EvaluateContext()
      if (from.best.context !== undefined) context.applyResultState(from.best.context)
      this.bestContext = context
    }
  }

  get seconds(): number {
    return this.secondsBefore + (performance.now() - this.#started) / 1000
  }

  /** Counts a batch and keeps its best point; the first of equal losses wins, so runs are repeatable. */
  record(evaluations: readonly Evaluation[]): void {
    for (const e of evaluations) {
      this.nEvals++
      if (e.error !== undefined) this.nFailed++
      else if (e.told.loss < this.bestLoss) {
        this.bestLoss = e.told.loss
        this.bestX = Float64Array.from(e.x)
        this.bestContext = e.context
      }
    }
  }

  endStep(): void {
    this.step++
    this.history.push({ step: this.step, loss: this.bestLoss, nEvals: this.nEvals })
  }

  toCheckpoint(
    base: Pick<CheckpointData, 'method' | 'keys' | 'lower' | 'upper' | 'seed' | 'optimizer'>,
  ): CheckpointData {
    return {
      ...base,
      step: this.step,
      nEvals: this.nEvals,
      nFailed: this.nFailed,
      seconds: this.seconds,
      history: [...this.history],
      best:
        this.bestX === undefined
          ? undefined
          : {
              x: Float64Array.from(this.bestX),
              loss: this.bestLoss,
              context: this.bestContext?.toResultState(),
            },
    }
  }

  toResult<P extends ParamTree>(
    space: ParamSpace<P>,
    method: Method | 'auto',
    stop: { kind: StopKind; reason: string },
    leastSquares?: LeastSquaresSummary,
  ): FitResult<P> {
    const x = this.bestX ?? space.initial
    const result: FitResult<P> = {
      params: space.toTree(x),
      loss: this.bestLoss,
      method,
      nEvals: this.nEvals,
      nFailed: this.nFailed,
      bestContext: this.bestContext ?? new EvaluateContext(),
      history: this.history,
      steps: this.step,
      seconds: this.seconds,
      stopKind: stop.kind,
      stopReason: stop.reason,
      success: stop.kind === 'converged',
      keys: space.keys,
      atBound: keysAtBounds(space.keys, x, space.lower, space.upper),
    }
    if (leastSquares === undefined) return result
    const { covariance, statistics, absoluteSigma } = leastSquares
    const stderr = Object.fromEntries(space.keys.map((key, i) => [key, leastSquares.stderr[i]!]))
    return {
      ...result,
      stderr,
      covariance,
      correlation: correlationMatrix(covariance),
      statistics,
      absoluteSigma,
    }
  }
}
