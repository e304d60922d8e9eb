// Samples in any of the accepted shapes, checked and turned into columns.

import { check } from './errors.ts'
import type { Samples } from './types.ts'

export interface Columns {
  readonly names: string[]
  readonly columns: Float64Array[]
  readonly n: number
}

export function defaultName(k: number): string {
  return `p${k}`
}

export function toColumns(samples: Samples): Columns {
  let names: readonly string[] | undefined
  let columns: Float64Array[]
  if ('columns' in samples && !Array.isArray(samples)) {
    names = samples.names
    columns = samples.columns.map((c) => Float64Array.from(c))
  } else {
    const rows =
      'rows' in samples && !Array.isArray(samples) ? samples.rows : (samples as readonly ArrayLike<number>[])
    if ('rows' in samples && !Array.isArray(samples)) names = samples.names
    check(rows.length > 0, 'no samples')
    const dim = rows[0]!.length
    columns = Array.from({ length: dim }, () => new Float64Array(rows.length))
    rows.forEach((row, n) => {
      check(row.length === dim, `sample ${n} has ${row.length} values, sample 0 has ${dim}`)
      for (let k = 0; k < dim; k++) columns[k]![n] = row[k]!
    })
  }
  check(columns.length > 0, 'no parameters')
  const n = columns[0]!.length
  check(n > 0, 'no samples')
  const resolved = names === undefined ? columns.map((_, k) => defaultName(k)) : [...names]
  check(resolved.length === columns.length, `${resolved.length} names for ${columns.length} parameters`)
  columns.forEach((column, k) => {
    check(
      column.length === n,
      `parameter '${resolved[k]}' has ${column.length} samples, '${resolved[0]}' has ${n}`,
    )
    for (let s = 0; s < n; s++) {
      check(Number.isFinite(column[s]!), `parameter '${resolved[k]}' has a non-finite value at sample ${s}`)
    }
  })
  return { names: resolved, columns, n }
}

/** Weights checked against the number of samples: finite, ≥ 0, not all zero. */
export function checkWeights(weights: ArrayLike<number> | undefined, n: number): Float64Array | undefined {
  if (weights === undefined) return undefined
  check(weights.length === n, `${weights.length} weights for ${n} samples`)
  let total = 0
  for (let s = 0; s < n; s++) {
    const w = weights[s]!
    check(Number.isFinite(w) && w >= 0, `weight ${s} is ${w}; weights must be finite and ≥ 0`)
    total += w
  }
  check(total > 0, 'the weights sum to zero')
  return Float64Array.from(weights)
}
