// The potential scale reduction R̂: Gelman–Rubin's ratio of the pooled to the within-chain
// variance, and the rank-normalised split R̂ of Vehtari et al. (2021) that arviz's `rhat` and
// `summary` report.

import { type Chains, checkChains, hasNaN, mapDraws, mean, pooled, splitChains, variance } from './chains.ts'
import { sortedMedian, zScale } from './ranks.ts'

/**
 * Basic R̂ on the chains as given (no split, no ranks; arviz's method "identity", Stan's
 * `rhat`): √((B/W + n − 1)/n) with B = n·var(chain means) and W the mean chain variance, both
 * with ddof = 1. NaN with fewer than 2 chains or 2 draws, any NaN, or chains that never move.
 */
export function rHat(chains: Chains): number {
  const { nChains, nDraws: n } = checkChains(chains, 'rHat()')
  if (nChains < 2 || n < 2 || hasNaN(chains)) return Number.NaN
  const between = n * variance(chains.map(mean), 1)
  const within = mean(chains.map((chain) => variance(chain, 1)))
  return Math.sqrt((between / within + n - 1) / n)
}

/**
 * Rank-normalised split R̂: the larger of the bulk R̂ (on z of the split chains) and the tail
 * R̂ (on z of the split draws folded about their median, |x − median|), so a difference in
 * location, in scale, or in the tails all show. Ranks make it defined for heavy tails and
 * unchanged by any increasing transform of the parameter.
 *
 * NaN, as in arviz, with fewer than 2 chains, fewer than 4 draws per chain, or any NaN: too few
 * to compare, or nothing to compare.
 */
export function rankNormalizedSplitRHat(chains: Chains): number {
  const { nChains, nDraws } = checkChains(chains, 'rankNormalizedSplitRHat()')
  if (nChains < 2 || nDraws < 4 || hasNaN(chains)) return Number.NaN
  const split = splitChains(chains)
  const bulk = rHat(zScale(split))
  const median = sortedMedian(pooled(split).sort())
  const tail = rHat(zScale(mapDraws(split, (x) => Math.abs(x - median))))
  return Math.max(bulk, tail) // NaN if either is (chains that never move)
}
