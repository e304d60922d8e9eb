// The error of a module that did not finish loading within timeoutMs, the same on every pool.

import { ObjectiveLoadError } from '@parafit/core'

/** `what` says what became of the load: the worker was stopped and replaced, or it was left behind. */
export function loadTimeoutError(module: string, timeoutMs: number, what: string): ObjectiveLoadError {
  return new ObjectiveLoadError(
    module,
    `it did not finish loading within timeoutMs=${timeoutMs}; ${what}. A loop or a wait that never ` +
      "ends at the module's top level or in its factory does this; raise timeoutMs if loading it " +
      'legitimately takes longer',
  )
}
