import { expect } from 'vitest'
import { dataDifference } from '../src/testing/index.ts'

/**
 * Deep equality that is stricter than toEqual (key order, prototypes, -0, undefined fields)
 * and, unlike toStrictEqual, not confused by keys named `constructor`. toEqual runs first for
 * a readable diff.
 */
export function expectSameData(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected)
  expect(dataDifference(actual, expected)).toBeUndefined()
}
