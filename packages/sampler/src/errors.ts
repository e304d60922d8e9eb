// The package's error classes and codes, both samplers'. Each is registered for transport, so
// one raised in a worker comes back as its class with its fields.

import { ParafitError, type ParamTree, registerErrorClass } from '@parafit/core'
import type { NestedRunSummary } from './nested/options.ts'

export type SamplerErrorCode =
  /** A step of the ensemble sampler failed; the steps before it are kept (SampleError). */
  | 'PARAFIT_SAMPLE_FAILED'
  /** The chain is too short for a reliable autocorrelation time (AutocorrError). */
  | 'PARAFIT_AUTOCORR'
  /** The nested sampler cannot go on: the likelihood failed or gave a bad value (NestedSamplerError). */
  | 'PARAFIT_NESTED_FAILED'
  /** A nested sampler checkpoint cannot be read, written, or is another run's (NestedCheckpointError). */
  | 'PARAFIT_NESTED_CHECKPOINT'
  /** A chain file cannot be used (ChainFileError, with a `reason`). */
  | 'PARAFIT_CHAIN_FILE'

/**
 * A step of EnsembleSampler.run() failed (the log-probability threw or returned NaN, a worker
 * crashed or timed out). The sampler keeps every step completed before it, and its state and
 * random stream are those at the start of the failed step: fix the cause and run(null, n) redoes
 * it exactly as it would have gone.
 */
export class SampleError extends ParafitError {
  declare readonly code: 'PARAFIT_SAMPLE_FAILED'
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

/** The chain is shorter than `tol` times the estimate: the estimate is not yet reliable. */
export class AutocorrError extends ParafitError {
  declare readonly code: 'PARAFIT_AUTOCORR'
  readonly tau: Float64Array
  constructor(message: string, tau: Float64Array) {
    super('PARAFIT_AUTOCORR', message)
    this.tau = tau
  }
  protected override fields() {
    return { tau: this.tau }
  }
}

/** The nested sampler cannot go on: the likelihood failed at a point, or gave a bad value. */
export class NestedSamplerError extends ParafitError {
  declare readonly code: 'PARAFIT_NESTED_FAILED'
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

/** A nested sampler checkpoint that cannot be read or written, or belongs to another run. */
export class NestedCheckpointError extends ParafitError {
  declare readonly code: 'PARAFIT_NESTED_CHECKPOINT'
  readonly path: string
  /**
   * When writing the checkpoint failed during a run: the run up to there (log Z, its error, the
   * calls, stop.kind 'failed' or how it had ended). Nothing computed is lost: the sampler keeps
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

/**
 * Why a chain file cannot be used:
 * - 'unreadable': missing, not HDF5, truncated or damaged, or a part of the layout is missing;
 * - 'mismatch': written for another problem (walkers, dimensions, moves, names or seed differ);
 * - 'not-resumable': no steps yet, written by another program, or continued by one (emcee)
 *   past parafit's last step;
 * - 'exists': a new sampler would write over a chain the file already holds;
 * - 'write': writing failed (disk full, file removed, permissions).
 */
export type ChainFileErrorReason = 'unreadable' | 'mismatch' | 'not-resumable' | 'exists' | 'write'

/** A chain file (EnsembleSampler's chainFile option, EnsembleSampler.resume) cannot be used. */
export class ChainFileError extends ParafitError {
  declare readonly code: 'PARAFIT_CHAIN_FILE'
  readonly path: string
  readonly reason: ChainFileErrorReason
  constructor(path: string, reason: ChainFileErrorReason, message: string, options?: { cause?: unknown }) {
    super('PARAFIT_CHAIN_FILE', message, options)
    this.path = path
    this.reason = reason
  }
  protected override fields() {
    return { path: this.path, reason: this.reason }
  }
}

for (const errorClass of [
  SampleError,
  AutocorrError,
  NestedSamplerError,
  NestedCheckpointError,
  ChainFileError,
]) {
  registerErrorClass(errorClass)
}
