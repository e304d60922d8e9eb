// For tests of input checks: the ValidationError a call throws, to look at its message and key
// path. Anything else it throws is rethrown as it is, and a call that throws nothing fails.

import assert from 'node:assert/strict'
import { ValidationError } from '../errors/classes.ts'

export function validationErrorOf(call: () => unknown): ValidationError {
  try {
    call()
  } catch (error) {
    if (error instanceof ValidationError) return error
    throw error
  }
  // A failed expectation of the caller's test (node:assert's AssertionError), not a parafit error.
  assert.fail('expected a ValidationError, but the call threw nothing')
}

/** The ValidationError a promise rejects with; anything else fails as in validationErrorOf. */
export async function rejectedValidationError(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ValidationError) return error
    throw error
  }
  assert.fail('expected a ValidationError, but the promise resolved')
}

/**
 * Checks the ValidationError of a misspelled option: it names the key path, the unknown option
 * and the closest known one (`did you mean 'suggestion'?`).
 */
export function assertUnknownOption(error: ValidationError, keyPath: string, suggestion: string): void {
  assert.equal(error.keyPath, keyPath)
  const option = keyPath.split('.').at(-1)
  for (const part of [`unknown option '${option}'`, `did you mean '${suggestion}'?`, `(at '${keyPath}')`]) {
    assert.ok(
      error.message.includes(part),
      `${JSON.stringify(error.message)} does not say ${JSON.stringify(part)}`,
    )
  }
}
