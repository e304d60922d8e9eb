// Blobs in the chain file: what the log-probability wrote into its context, kept where it is
// numbers only. A blob is saved when its `quantities` is a record of numbers with the columns'
// names (fixed by the first numeric blob written) and it has no `meta`; such a blob reads back
// equal. Other blobs (strings, arrays, nested records, meta, other names) are not saved and read
// back as undefined; blob_kind says which is which.

import type { Blob } from '../batch-results.ts'

// blob_kind 0 (a new Int8Array's value): no blob.
export const BLOB_SAVED = 1
export const BLOB_NOT_SAVED = 2

/** A blob's quantities if the blob is numbers only, else undefined. */
function numericQuantities(blob: Blob | undefined): Readonly<Record<string, number>> | undefined {
  if (blob === undefined || Object.keys(blob.meta).length > 0) return undefined
  const quantities = blob.quantities
  if (quantities === undefined || quantities === null || typeof quantities !== 'object') return undefined
  const names = Object.keys(quantities)
  if (names.length === 0 || !names.every((n) => typeof quantities[n] === 'number')) return undefined
  return quantities as Record<string, number> // each value checked just above
}

/** The columns for blobs: the names of the first numeric blob among `rows`, or undefined. */
export function blobColumns(rows: readonly (readonly (Blob | undefined)[])[]): string[] | undefined {
  for (const row of rows) {
    for (const blob of row) {
      const numbers = numericQuantities(blob)
      if (numbers !== undefined) return Object.keys(numbers)
    }
  }
  return undefined
}

/** One step's blobs as columns: values (W × K, NaN where not saved) and the kind of each. */
export function encodeBlobs(
  blobs: readonly (Blob | undefined)[],
  columns: readonly string[],
): { values: Float64Array; kinds: Int8Array } {
  const k = columns.length
  const values = new Float64Array(blobs.length * k).fill(Number.NaN)
  const kinds = new Int8Array(blobs.length)
  const wanted = new Set(columns)
  blobs.forEach((blob, w) => {
    if (blob === undefined) return
    const numbers = numericQuantities(blob)
    const names = numbers === undefined ? [] : Object.keys(numbers)
    if (numbers === undefined || names.length !== k || !names.every((n) => wanted.has(n))) {
      kinds[w] = BLOB_NOT_SAVED
      return
    }
    kinds[w] = BLOB_SAVED
    columns.forEach((name, c) => {
      values[w * k + c] = numbers[name]!
    })
  })
  return { values, kinds }
}

/** One step's blobs from its columns: saved ones as { quantities, meta: {} }, others undefined. */
export function decodeBlobs(
  values: Float64Array,
  kinds: ArrayLike<number>,
  columns: readonly string[],
): (Blob | undefined)[] {
  const k = columns.length
  return Array.from(kinds, (kind, w) => {
    if (kind !== BLOB_SAVED) return undefined
    const quantities: Record<string, unknown> = {}
    columns.forEach((name, c) => {
      quantities[name] = values[w * k + c]!
    })
    return { quantities, meta: {} }
  })
}
