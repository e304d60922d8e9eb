// Checks of numeric options both samplers share; a bad value fails naming its option.

import { ValidationError } from '@parafit/core'

export function wholeNumber(value: unknown, key: string, min: number): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) {
    throw new ValidationError(`${key} must be a whole number ≥ ${min}, got ${String(value)}`, key)
  }
  return value
}

/** A number above `min` (or at least `min` with `orEqual`); Infinity passes, NaN does not. */
export function positiveNumber(value: unknown, key: string, min = 0, orEqual = false): number {
  if (!(typeof value === 'number' && !Number.isNaN(value) && (orEqual ? value >= min : value > min))) {
    throw new ValidationError(
      `${key} must be a number ${orEqual ? '≥' : '>'} ${min}, got ${String(value)}`,
      key,
    )
  }
  return value
}
