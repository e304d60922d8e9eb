// Checks of the options the MPI entry points take, with messages a user can act on.

import { checkOptionKeys, optionKeys, ValidationError } from '@parafit/core'
import type { MpiOptions } from './types.ts'

export const MPI_OPTION_KEYS = optionKeys<MpiOptions>()(['timeoutMs', 'retries', 'closeTimeoutMs'])

/** `what` names the options in messages; `known` is every key they may have (mpiPool's has more). */
export function checkMpiOptions(
  options: MpiOptions,
  what: string,
  known: readonly string[] = MPI_OPTION_KEYS,
): MpiOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError(`${what} must be an object`)
  checkOptionKeys(options, known, what)
  for (const key of ['timeoutMs', 'closeTimeoutMs'] as const) {
    const ms = options[key]
    if (ms !== undefined && !(Number.isFinite(ms) && ms > 0))
      throw new ValidationError(`${key} must be a positive number of milliseconds, got ${ms}`, key)
  }
  const { retries } = options
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 100))
    throw new ValidationError(`retries must be a whole number from 0 to 100, got ${retries}`, 'retries')
  return options
}
