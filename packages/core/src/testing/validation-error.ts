// For tests of input checks: the ValidationError a call throws, to look at its message and key
// path. Anything else it throws is rethrown as it is, and a call that throws nothing fails.

import { ValidationError } from '../errors.ts'

export function validationErrorOf(call: () => unknown): ValidationError {
  try {
    call()
  } catch (error) {
    if (error instanceof ValidationError) return error
    throw error
  }
  throw new Error('expected a ValidationError, but the call threw nothing')
}

/** The ValidationError a promise rejects with; anything else fails as in validationErrorOf. */
export async function rejectedValidationError(promise: Promise<unknown>): Promise<ValidationError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ValidationError) return error
    throw error
  }
  throw new Error('expected a ValidationError, but the promise resolved')
}
