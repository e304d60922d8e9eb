// Checks of the options the MPI entry points take, with messages a user can act on.

import { checkOptionKeys, optionKeys, ValidationError } from '@parafit/core'
import type { CoordinatorOptions } from './coordinator.ts'

export const COORDINATOR_OPTION_KEYS = optionKeys<CoordinatorOptions>()([
  'timeoutMs',
  'retries',
  'closeTimeoutMs',
])

/** `what` names the options in messages; `known` is every key they may have (mpiPool's has more). */
export function checkCoordinatorOptions(
  options: CoordinatorOptions,
  what: string,
  known: readonly string[] = COORDINATOR_OPTION_KEYS,
): CoordinatorOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError(`${what} must be an object`)
  checkOptionKeys(options, known, what)
  const { timeoutMs, retries } = options
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new ValidationError(
      `timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`,
      'timeoutMs',
    )
  const { closeTimeoutMs } = options
  if (closeTimeoutMs !== undefined && !(Number.isFinite(closeTimeoutMs) && closeTimeoutMs > 0))
    throw new ValidationError(
      `closeTimeoutMs must be a positive number of milliseconds, got ${closeTimeoutMs}`,
      'closeTimeoutMs',
    )
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 100))
    throw new ValidationError(`retries must be a whole number from 0 to 100, got ${retries}`, 'retries')
  return options
}
