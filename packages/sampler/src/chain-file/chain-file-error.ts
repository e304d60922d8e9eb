import { ParafitError } from '@parafit/core'

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
