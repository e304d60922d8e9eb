// The nested sampler's errors: a run that cannot go on (the likelihood failed at a point, a bad
// value), and a checkpoint that cannot be used.

import { ParafitError, type ParamTree } from '@parafit/core'

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
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('PARAFIT_NESTED_CHECKPOINT', message, options)
    this.path = path
  }
  protected override fields() {
    return { path: this.path }
  }
}
