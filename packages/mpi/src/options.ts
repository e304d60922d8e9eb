// Checks of the options the MPI entry points take, with messages a user can act on.

import { ValidationError } from '@parafit/core'
import type { CoordinatorOptions } from './coordinator.ts'

export function checkCoordinatorOptions(options: CoordinatorOptions): CoordinatorOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options must be an object')
  const { timeoutMs, retries } = options
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new ValidationError(
      `timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`,
      'timeoutMs',
    )
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 100))
    throw new ValidationError(`retries must be a whole number from 0 to 100, got ${retries}`, 'retries')
  return options
}
