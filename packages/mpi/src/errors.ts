// The package's error classes and codes. MpiUnavailableError (MPI asked for but not usable) is
// core's: @parafit/parallel raises it when this package is not installed. A rank that dies is a
// WorkerCrashedError, as a dead worker of any pool.

import { ParafitError, registerErrorClass } from '@parafit/core'

export type MpiErrorCode =
  /** The ranks do not run the same thing: script, objective tree or module file (MpiMismatchError). */
  'PARAFIT_MPI_MISMATCH'

/**
 * The ranks of an MPI job do not run the same thing: a different script, objective tree or
 * objective module file. Raised on every rank, so the whole job stops with the same message.
 */
export class MpiMismatchError extends ParafitError {
  declare readonly code: 'PARAFIT_MPI_MISMATCH'
  constructor(message: string) {
    super('PARAFIT_MPI_MISMATCH', message)
  }
}

// Rank 0 sends its verdict to the other ranks as a serialized error.
registerErrorClass(MpiMismatchError)
