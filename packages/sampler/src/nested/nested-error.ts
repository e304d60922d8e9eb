// The nested sampler's errors: a run that cannot go on (the likelihood failed at a point, a bad
// value), and a checkpoint that cannot be used.

import { ParafitError, type ParamTree } from '@parafit/core'
import type { NestedRunSummary } from './options.ts'

export class NestedSamplerError extends ParafitError {
  /** The parameters the likelihood failed at, when one point is to blame. */
  readonly params: ParamTree | undefined
  constructor(message: string, options: { params?: ParamTree | undefined; cause?: unknown } = {}) {
    super(
      'PARAFIT_NESTED_FAILED',
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.params = options.params
  }
  protected override fields() {
    return { params: this.params }
  }
}

export class NestedCheckpointError extends ParafitError {
  readonly path: string
  /**
   * When writing the checkpoint failed during a run: the run up to there (log Z, its error, the
   * calls, stopReason 'failed' or how it had ended). Nothing computed is lost: the sampler keeps
   * the state, so posterior() gives the samples and run() continues.
   */
  readonly summary: NestedRunSummary | undefined
  constructor(path: string, message: string, options?: { cause?: unknown; summary?: NestedRunSummary }) {
    super(
      'PARAFIT_NESTED_CHECKPOINT',
      message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.path = path
    this.summary = options?.summary
  }
  protected override fields() {
    return { path: this.path, summary: this.summary }
  }
}
