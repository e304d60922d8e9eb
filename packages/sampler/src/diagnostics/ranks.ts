// Order statistics over the pooled draws: average ranks, the rank-normalisation z(x) of Vehtari
// et al. (2021), and quantiles as numpy's default (R's type 7), which arviz uses.

import { normalQuantile } from '../prior/normal-quantile.ts'
import { type Chains, checkChains, pooled } from './chains.ts'

/** The number of entries of ascending `sorted` below x (strictly: `orEqual` false) or ≤ x. */
function countBelow(sorted: Float64Array, x: number, orEqual: boolean): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < x || (orEqual && sorted[mid] === x)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Ranks 1..S of `values`, ties sharing the mean of their ranks (scipy's 'average'); NaN stays NaN. */
export function averageRanks(values: Float64Array): Float64Array {
  const sorted = values.slice().sort() // NaN sorts last, so the binary searches skip it
  return values.map((x) => {
    if (Number.isNaN(x)) return Number.NaN
    // The tie block of x holds ranks below+1 .. atMost; their mean is the midpoint.
    const below = countBelow(sorted, x, false)
    const atMost = countBelow(sorted, x, true)
    return (below + 1 + atMost) / 2
  })
}

/**
 * z(x): every draw replaced by Φ⁻¹((r − 3/8)/(S + 1/4)), r its average rank among all S draws
 * (Blom's offsets). The result is normal-shaped whatever the draws' distribution, so R̂ and ESS
 * on it are defined even without a finite mean or variance; same shape as `chains`.
 */
export function zScale(chains: Chains): Float64Array[] {
  const { nChains, nDraws } = checkChains(chains, 'zScale()')
  const size = nChains * nDraws
  const ranks = averageRanks(pooled(chains))
  return chains.map((_, c) =>
    ranks.subarray(c * nDraws, (c + 1) * nDraws).map((r) => normalQuantile((r - 0.375) / (size + 0.25))),
  )
}

/**
 * The p-quantile of ascending `sorted` by linear interpolation between order statistics,
 * rounded as numpy rounds it (interpolating from the nearer of the two order statistics), so that
 * the draws at or below a quantile are the ones numpy, and so arviz, finds.
 */
export function sortedQuantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  const a = sorted[lo]!
  if (lo + 1 >= sorted.length) return a
  const b = sorted[lo + 1]!
  const t = h - lo
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
}

/** The median of the pooled draws as numpy takes it: the middle one, or the mean of the two. */
export function sortedMedian(sorted: Float64Array): number {
  const n = sorted.length
  const mid = n >>> 1
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
