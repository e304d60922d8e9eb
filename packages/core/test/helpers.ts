import { expect } from 'vitest'
import { ObjectiveError } from '../src/index.ts'

/** Awaits a promise that must reject with an ObjectiveError, and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<ObjectiveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ObjectiveError)
  return error as ObjectiveError
}
