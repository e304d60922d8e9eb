import { ParafitError } from '@parafit/core'

/**
 * A step of EnsembleSampler.run() failed (the log-probability threw or returned NaN, a worker
 * crashed or timed out). The sampler keeps every step completed before it, and its state and
 * random stream are those at the start of the failed step: fix the cause and run(null, n) redoes
 * it exactly as it would have gone.
 */
export class SampleError extends ParafitError {
  /** Index (0-based, over all runs) of the step that failed; also the number of steps kept. */
  readonly step: number
  constructor(message: string, options: { cause: unknown; step: number }) {
    super('PARAFIT_SAMPLE_FAILED', message, { cause: options.cause })
    this.step = options.step
  }
  protected override fields() {
    return { step: this.step }
  }
}
