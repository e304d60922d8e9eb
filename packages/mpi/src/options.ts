// Checks of the options the MPI entry points take: timeoutMs and retries as every pool checks
// them (parallel's checkPoolDefaults), closeTimeoutMs, and unknown keys with the closest known one.

import { checkOptionKeys, optionKeys, positiveMs } from '@parafit/core'
import { checkPoolDefaults } from '@parafit/parallel'
import type { MpiOptions } from './types.ts'

export const MPI_OPTION_KEYS = optionKeys<MpiOptions>()(['timeoutMs', 'retries', 'closeTimeoutMs'])

/** `what` names the options in messages; `known` is every key they may have (mpiPool's has more). */
export function checkMpiOptions(
  options: MpiOptions,
  what: string,
  known: readonly string[] = MPI_OPTION_KEYS,
): MpiOptions {
  checkOptionKeys(options, known, what)
  checkPoolDefaults(options)
  if (options.closeTimeoutMs !== undefined) positiveMs(options.closeTimeoutMs, 'closeTimeoutMs')
  return options
}
