// The evaluation lifecycle every objective follows, leaf or combined:
//   parameters set -> pre-hooks -> evaluation -> loss set -> post-hooks.
// Post-hooks run on failure too (they see the error), and when several post-hooks fail after a
// successful evaluation their errors are reported together.

import type { EvaluateContext } from './context.ts'
import { HookError, ObjectiveError, ObjectiveValueError } from './errors/classes.ts'
import { describeValue, type ParamTree } from './params.ts'

export interface Hook {
  /** Runs before the evaluation, where the evaluation runs. */
  pre?(ctx: EvaluateContext): void
  /** Runs after the evaluation, also when it failed (`error` is then set). */
  post?(ctx: EvaluateContext, error?: unknown): void
}

export function beginEvaluation(ctx: EvaluateContext, params: ParamTree, hooks: readonly Hook[]): void {
  ctx.parameters = params
  ctx.loss = undefined
  ctx.residuals = undefined
  for (const hook of hooks) hook.pre?.(ctx)
}

/**
 * The loss a successful evaluation returns: ctx.loss once the post-hooks have run. A hook may
 * read it, but one that leaves no number would make evaluate() resolve to undefined.
 */
export function lossAfterHooks(ctx: EvaluateContext): number {
  const { loss } = ctx
  if (typeof loss !== 'number') {
    throw new ObjectiveValueError(
      `a post-hook left ctx.loss ${describeValue(loss)}; hooks may read the loss but must leave it a number`,
      { params: ctx.parameters },
    )
  }
  return loss
}

/** Any failure, as an ObjectiveError carrying the parameters (the term path is added on the way up). */
export function asObjectiveError(error: unknown, params: ParamTree | undefined): ObjectiveError {
  if (error instanceof ObjectiveError) return error
  const detail =
    error instanceof Error ? `${error.name}: ${error.message}` : `non-Error value thrown: ${String(error)}`
  return new ObjectiveError(detail, { params, cause: error })
}

/**
 * Runs every post-hook. After a failure the original error stays primary and is rethrown;
 * after a success, post-hook failures become one ObjectiveError caused by a HookError.
 */
export function endEvaluation(
  ctx: EvaluateContext,
  hooks: readonly Hook[],
  error: ObjectiveError | undefined,
): void {
  if (error !== undefined) {
    ctx.loss = undefined
    ctx.residuals = undefined
    ctx.temp.error = error
  }
  const hookErrors: unknown[] = []
  for (const hook of hooks) {
    if (hook.post === undefined) continue
    try {
      hook.post(ctx, error)
    } catch (hookError) {
      hookErrors.push(hookError)
    }
  }
  if (error !== undefined) throw error
  if (hookErrors.length > 0) {
    const hookError = new HookError(hookErrors)
    throw new ObjectiveError(hookError.message, { params: ctx.parameters, cause: hookError })
  }
}

export interface Interpreted {
  loss: number
  residuals: Float64Array | undefined
}

function nonFinite(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
}

/** Checks what an objective returned: a finite number, or residuals whose squares sum to the loss. */
export function interpretValue(raw: unknown, params: ParamTree): Interpreted {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) {
      throw new ObjectiveValueError(`the objective returned ${nonFinite(raw)}`, { params })
    }
    return { loss: raw, residuals: undefined }
  }
  const residuals =
    raw instanceof Float64Array
      ? raw
      : Array.isArray(raw) && raw.every((v) => typeof v === 'number')
        ? Float64Array.from(raw)
        : undefined
  if (residuals === undefined) {
    const what = Array.isArray(raw) ? 'an array that is not all numbers' : describeValue(raw)
    throw new ObjectiveValueError(
      `the objective returned ${what}; return a number (the loss) or a Float64Array of residuals`,
      { params },
    )
  }
  let loss = 0
  for (let i = 0; i < residuals.length; i++) {
    const r = residuals[i]!
    if (!Number.isFinite(r)) {
      throw new ObjectiveValueError(`residual ${i} of ${residuals.length} is ${nonFinite(r)}`, { params })
    }
    loss += r * r
  }
  return { loss, residuals }
}
