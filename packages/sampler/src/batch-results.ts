// The caller's side of a batch, as both samplers read it: how a vectorised batch is cut into one
// chunk per worker, and what an evaluation wrote into its context, kept per point as its blob.

import { type EvaluateContext, ValidationError } from '@parafit/core'

/** What the log-probability or likelihood wrote into its context at a point. */
export interface Blob {
  readonly quantities: Record<string, unknown> | undefined
  readonly meta: Record<string, unknown>
}

/** The context's quantities and metadata, or undefined when it wrote neither. */
export function blobOf(ctx: EvaluateContext): Blob | undefined {
  const meta = ctx.meta
  if (ctx.quantities === undefined && Object.keys(meta).length === 0) return undefined
  return { quantities: ctx.quantities, meta }
}

/**
 * Where each chunk of a vectorised batch of `count` points starts, one chunk per worker (at most
 * one per point), and the end: chunk c is points [bounds[c], bounds[c + 1]).
 */
export function chunkBounds(count: number, workers: number): number[] {
  const chunks = Math.min(workers, count)
  return Array.from({ length: chunks + 1 }, (_, i) => Math.round((i * count) / chunks))
}

/**
 * The values a vectorised call returned for its `count` points (as its residuals); a
 * ValidationError that names `what` when it did not return one per point.
 */
export function vectorizedValues(
  residuals: Float64Array | undefined,
  count: number,
  what: string,
): Float64Array {
  if (residuals === undefined || residuals.length !== count) {
    throw new ValidationError(
      `vectorized: true, but ${what} did not return one value per point`,
      'vectorized',
    )
  }
  return residuals
}
