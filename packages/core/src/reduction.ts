// How a combined objective turns its weighted terms into one value, and what it does when a
// term fails.

import { finiteNumber, oneOf } from './checks.ts'
import type { EvaluateContext } from './context.ts'
import { ValidationError } from './errors/classes.ts'

export type Reduction = 'sum' | 'mean' | 'rootMean' | ((terms: number[]) => number)

/**
 * Per-term failure policy. 'raise' (default) fails the combined objective; 'nan' makes the term
 * NaN; 'skip' drops it (recorded in meta.skippedIndices). A function receives the error, the
 * term's context and its index, and returns the term's (weighted) value, or undefined to skip.
 */
export type OnError =
  | 'raise'
  | 'nan'
  | 'skip'
  | ((error: unknown, ctx: EvaluateContext, index: number) => number | undefined)

const builtIn: Record<string, (terms: number[]) => number> = {
  sum: (terms) => terms.reduce((a, b) => a + b, 0),
  mean: (terms) => terms.reduce((a, b) => a + b, 0) / terms.length,
  rootMean: (terms) => Math.sqrt(terms.reduce((a, b) => a + b, 0) / terms.length),
}

export function checkReduction(reduction: unknown): Reduction {
  if (typeof reduction === 'function') return reduction as Reduction
  return oneOf(reduction, 'reduction', ['sum', 'mean', 'rootMean'], 'a function')
}

export function checkOnError(onError: unknown): OnError {
  if (typeof onError === 'function') return onError as OnError
  return oneOf(onError, 'onError', ['raise', 'nan', 'skip'], 'a function')
}

export function reduce(reduction: Reduction, terms: number[]): number {
  return typeof reduction === 'function' ? reduction(terms) : builtIn[reduction]!(terms)
}

/** Checks weights against the number of terms: finite and non-negative. */
export function checkWeights(weights: readonly number[] | undefined, count: number): readonly number[] {
  if (weights === undefined) return Array.from({ length: count }, () => 1)
  if (!Array.isArray(weights)) throw new ValidationError('weights must be an array of numbers', 'weights')
  if (weights.length !== count) {
    throw new ValidationError(
      `weights must have one entry per term: expected ${count}, got ${weights.length}`,
      'weights',
    )
  }
  for (const [i, w] of weights.entries()) finiteNumber(w, `weights[${i}]`, { min: 0 })
  return Object.freeze([...weights])
}
