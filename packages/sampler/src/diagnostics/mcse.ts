// Monte Carlo standard errors of the posterior mean and standard deviation: how far the
// reported mean and sd may be from the ones an infinitely long run would give.

import { type Chains, mapDraws, mean, pooled, splitChains, variance } from './chains.ts'
import { ess, tooFewOrNaN } from './ess.ts'

/** sd(x, ddof = 1) / √ESS(split x). NaN with fewer than 4 draws per chain or any NaN. */
export function mcseMean(chains: Chains): number {
  if (tooFewOrNaN(chains, 'mcseMean()')) return Number.NaN
  return Math.sqrt(variance(pooled(chains), 1)) / Math.sqrt(ess(splitChains(chains)))
}

/**
 * The MCSE of the sd as arviz ≤0.23 computes it (arviz#2167): the variance of the estimated
 * variance e = mean(d), d = (x − x̄)², is (mean(d²) − e²)/ESS(split d), and the delta method
 * (sd = √e) divides it by 4e. The ESS is that of d, not of x: the squared deviations mix more
 * slowly than x does when the chains sample the scale badly. (arviz 1.x uses ESS of x.)
 * NaN with fewer than 4 draws per chain, any NaN, or draws that are all equal (e = 0).
 */
export function mcseSd(chains: Chains): number {
  if (tooFewOrNaN(chains, 'mcseSd()')) return Number.NaN
  const centre = mean(pooled(chains))
  const squared = mapDraws(chains, (x) => (x - centre) ** 2)
  const all = pooled(squared)
  const e = mean(all)
  let meanOfSquares = 0
  for (const d of all) meanOfSquares += d * d
  meanOfSquares /= all.length
  const varvar = (meanOfSquares - e * e) / ess(splitChains(squared))
  return Math.sqrt(varvar / e / 4)
}
