// The package's error classes and codes. Each is registered for transport, so one raised in a
// worker (a curveFit or a Fitter run inside a pool's task) comes back as its class, fields intact.

import {
  type ContextResultState,
  EvaluateContext,
  ParafitError,
  type ParamTree,
  registerErrorClass,
} from '@parafit/core'
import type { CurveFitResult, FitResult } from './fit-result.ts'

export type FitterErrorCode =
  /** A fit stopped on an error; the best result so far travels with it (FitError, CurveFitError). */
  | 'PARAFIT_FIT_FAILED'
  /** A checkpoint file cannot be read, written, or was written for another problem (CheckpointError). */
  | 'PARAFIT_CHECKPOINT'
  /** A saved optimizer state is not one this optimizer wrote for this problem (OptimizerStateError). */
  | 'PARAFIT_OPTIMIZER_STATE'

/**
 * A fit that stopped on an error (an objective that threw, a pool that failed). `cause` is the
 * original error; `result` holds the best result found before it, so nothing computed is lost.
 */
export class FitError<P extends ParamTree = ParamTree> extends ParafitError {
  declare readonly code: 'PARAFIT_FIT_FAILED'
  readonly result: FitResult<P> | undefined
  constructor(message: string, options: { cause: unknown; result: FitResult<P> | undefined }) {
    super('PARAFIT_FIT_FAILED', message, { cause: options.cause })
    this.result = options.result
  }
  protected override fields(): Record<string, unknown> {
    // The best context travels as its state (an EvaluateContext keeps private fields).
    const result = this.result
    return {
      result:
        result === undefined ? undefined : { ...result, bestContext: result.bestContext.toResultState() },
    }
  }
}

/**
 * curveFit's model threw. `cause` is what it threw; `point` the index of the data point and
 * `params` the parameters it was called with; `fit` the fit as it stood (the last accepted
 * parameters), so nothing computed is lost.
 */
export class CurveFitError extends FitError {
  readonly point: number
  readonly params: Float64Array
  readonly fit: CurveFitResult
  constructor(point: number, params: Float64Array, fit: CurveFitResult, cause: unknown) {
    const what = cause instanceof Error ? cause.message : String(cause)
    super(
      `curveFit: the model threw at data point ${point} with b = [${Array.from(params).join(', ')}]: ${what}. ` +
        'Make the model return NaN where it cannot be evaluated (the fit then steps away from there), ' +
        'or bound the parameters; the fit so far is in error.fit',
      { cause, result: undefined },
    )
    this.point = point
    this.params = params
    this.fit = fit
  }
  protected override fields(): Record<string, unknown> {
    return { ...super.fields(), point: this.point, params: this.params, fit: this.fit }
  }
}

/** A checkpoint file that cannot be read, or was written for another problem. */
export class CheckpointError extends ParafitError {
  declare readonly code: 'PARAFIT_CHECKPOINT'
  readonly path: string
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('PARAFIT_CHECKPOINT', message, options)
    this.path = path
  }
  protected override fields(): Record<string, unknown> {
    return { path: this.path }
  }
}

/** A saved state that is not one this optimizer wrote for this problem. */
export class OptimizerStateError extends ParafitError {
  declare readonly code: 'PARAFIT_OPTIMIZER_STATE'
  constructor(message: string) {
    super('PARAFIT_OPTIMIZER_STATE', message)
  }
}

registerErrorClass(FitError, ({ message, fields, cause }) => {
  const sent = fields.result as (Omit<FitResult, 'bestContext'> & { bestContext: unknown }) | undefined
  let result: FitResult | undefined
  if (sent !== undefined) {
    const bestContext = new EvaluateContext()
    bestContext.applyResultState(sent.bestContext as ContextResultState)
    result = { ...sent, bestContext }
  }
  return new FitError(message, { cause, result })
})
registerErrorClass(CurveFitError)
registerErrorClass(CheckpointError)
registerErrorClass(OptimizerStateError)
