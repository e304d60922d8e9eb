// The package's one error class, a ParafitError like every package's. A caller (the CLI) branches
// on `code`, never on the message.

import {
  finiteNumber,
  numberIn,
  ParafitError,
  registerErrorClass,
  ValidationError,
  wholeNumber,
} from '@parafit/core'

export type PlotErrorCode =
  /** Bad input: shapes, lengths, non-finite values, options. */
  | 'PARAFIT_PLOT_INPUT'
  /** PNG output asked for, but @resvg/resvg-js (an optional dependency) is not installed. */
  | 'PARAFIT_PLOT_PNG_UNAVAILABLE'

export class PlotError extends ParafitError {
  declare readonly code: PlotErrorCode
  constructor(code: PlotErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

// A plot made in a worker fails there with a PlotError that comes back as one.
registerErrorClass(PlotError)

/** Throws a PARAFIT_PLOT_INPUT error unless `ok`. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new PlotError('PARAFIT_PLOT_INPUT', message)
}

/** One of core's checks, refusing with a PARAFIT_PLOT_INPUT PlotError (same message) instead. */
function asPlotInput<A extends unknown[], R>(coreCheck: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return coreCheck(...args)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      throw new PlotError('PARAFIT_PLOT_INPUT', error.message, { cause: error })
    }
  }
}

/** core's checks of option values (decision 0010), in this package's error class. */
export const option = {
  wholeNumber: asPlotInput(wholeNumber),
  finiteNumber: asPlotInput(finiteNumber),
  numberIn: asPlotInput(numberIn),
}
