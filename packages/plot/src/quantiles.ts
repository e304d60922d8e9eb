// Quantiles as corner.py computes them. Unweighted: numpy's default 'linear', through
// d3-array. Weighted: corner's own rule, the interpolated inverse of a CDF that starts at 0 on
// the smallest value and reaches 1 on the largest (cumulative weights without the last one,
// divided by their total); with equal weights it is R-7 again.

import { quantileSorted } from 'd3-array'
import { format } from 'd3-format'
import { check, option } from './errors.ts'

function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort()
}

/** The quantiles `qs` (each in [0, 1]) of `values`, weighted as corner.py when `weights` is given. */
export function quantiles(
  values: ArrayLike<number>,
  qs: readonly number[],
  weights?: ArrayLike<number>,
): number[] {
  check(values.length > 0, 'quantiles of no values')
  for (const q of qs) option.numberIn(q, 'quantiles', { min: 0, max: 1 })
  for (let k = 0; k < values.length; k++) check(!Number.isNaN(values[k]!), `value ${k} is NaN`)
  if (weights === undefined) {
    const sorted = sortedCopy(values)
    // d3's types ask for an array; any array-like of numbers works, and spares a copy. It gives
    // undefined only for no values, refused above.
    return qs.map((q) => quantileSorted(sorted as unknown as number[], q)!)
  }
  check(weights.length === values.length, `${weights.length} weights for ${values.length} values`)
  const n = values.length
  const x = sortedCopy(values)
  if (n === 1) return qs.map(() => x[0]!)
  const w = weightsInOrder(values, x, weights)
  const cdf = new Float64Array(n)
  for (let k = 1; k < n; k++) cdf[k] = cdf[k - 1]! + w[k - 1]!
  const total = cdf[n - 1]!
  check(total > 0, 'the weights (but the largest value’s) sum to zero')
  for (let k = 1; k < n; k++) cdf[k]! /= total
  return qs.map((q) => interpolate(q, cdf, x))
}

/**
 * The weights in the order of the sorted values, equal values in their original order (a
 * stable argsort, so ties give the same result on every run). A numeric sort of the values and a
 * binary search per value is much faster than sorting indices with a comparator.
 */
function weightsInOrder(
  values: ArrayLike<number>,
  sorted: Float64Array,
  weights: ArrayLike<number>,
): Float64Array {
  const n = sorted.length
  const out = new Float64Array(n)
  const used = new Uint32Array(n) // how many of the values equal to sorted[first] are placed
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (sorted[mid]! < v) lo = mid + 1
      else hi = mid
    }
    out[lo + used[lo]!++] = weights[i]!
  }
  return out
}

/** numpy.interp(q, xp, fp) for non-decreasing xp from 0 to 1: the last k with xp[k] ≤ q. */
function interpolate(q: number, xp: Float64Array, fp: Float64Array): number {
  let lo = 0
  let hi = xp.length - 1
  if (q >= xp[hi]!) return fp[hi]!
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (xp[mid]! <= q) lo = mid
    else hi = mid
  }
  if (xp[lo] === q) return fp[lo]!
  return fp[lo]! + ((fp[lo + 1]! - fp[lo]!) * (q - xp[lo]!)) / (xp[lo + 1]! - xp[lo]!)
}

/** A diagonal panel's title: `label = q50`, with −(q50 − qlo) below and +(qhi − q50) above. */
export interface QuantileTitle {
  readonly main: string
  readonly minus: string
  readonly plus: string
}

/** corner's title from three quantiles (low, median, high); `fmt` is a d3-format specifier (".2f"). */
export function quantileTitle(label: string | undefined, q: readonly number[], fmt = '.2f'): QuantileTitle {
  const f = format(fmt)
  const median = f(q[1]!)
  return {
    main: label === undefined || label === '' ? median : `${label} = ${median}`,
    minus: `\u2212${f(q[1]! - q[0]!)}`,
    plus: `+${f(q[2]! - q[1]!)}`,
  }
}
