// Effective sample size by Geyer's initial positive and initial monotone sequences on the
// autocorrelation pooled over chains (Geyer 1992; Vehtari et al. 2021; as arviz's `_ess`), and
// the bulk and tail ESS built on it.

import { Autocovariance } from './autocovariance.ts'
import { type Chains, checkChains, hasNaN, mean, pooled, splitChains, variance } from './chains.ts'
import { sortedQuantile, zScale } from './ranks.ts'

/**
 * ESS of the chains as given (no split, no ranks): M·n/τ̂, with τ̂ from the autocorrelations
 * ρ̂_k = 1 − (W − mean_j acov_j[k]) / var⁺ that mix within-chain and between-chain variance.
 *
 * M·n for chains whose draws are all equal (max − min < 1e-15), as arviz (Stan gives NaN);
 * NaN for any NaN or fewer than 2 draws per chain.
 */
export function ess(chains: Chains): number {
  const { nChains: m, nDraws: n } = checkChains(chains, 'ess()')
  if (hasNaN(chains)) return Number.NaN
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const chain of chains) {
    for (const x of chain) {
      if (x < min) min = x
      if (x > max) max = x
    }
  }
  if (max - min < 1e-15) return m * n // numpy's float64 resolution, arviz's test for "constant"
  if (n < 2) return Number.NaN

  // acov[k] = mean over chains of (1/n) Σ_t (x_t − x̄)(x_{t+k} − x̄).
  const acov = new Float64Array(n)
  const sums = new Float64Array(n)
  const autocovariance = new Autocovariance(n)
  for (const chain of chains) {
    autocovariance.sums(chain, sums)
    for (let k = 0; k < n; k++) acov[k] = acov[k]! + sums[k]! / n / m
  }
  const meanVar = (acov[0]! * n) / (n - 1) // W, the mean within-chain variance (ddof = 1)
  let varPlus = (meanVar * (n - 1)) / n
  if (m > 1) varPlus += variance(chains.map(mean), 1) // B/n
  const rhoAt = (k: number) => 1 - (meanVar - acov[k]!) / varPlus

  // Geyer's initial positive sequence: sums of pairs (ρ̂_2t + ρ̂_2t+1) are positive for a
  // reversible chain, so stop at the first negative pair, which is noise.
  const rho = new Float64Array(n)
  rho[0] = 1
  let rhoEven = 1
  let rhoOdd = rhoAt(1)
  rho[1] = rhoOdd
  let t = 1
  while (t < n - 3 && rhoEven + rhoOdd > 0) {
    rhoEven = rhoAt(t + 1)
    rhoOdd = rhoAt(t + 2)
    if (rhoEven + rhoOdd >= 0) {
      rho[t + 1] = rhoEven
      rho[t + 2] = rhoOdd
    }
    t += 2
  }
  const maxT = t - 2
  // The paper's improvement: keep a positive even lag after the last pair (antithetic chains).
  if (rhoEven > 0) rho[maxT + 1] = rhoEven
  // Initial monotone sequence: the pair sums must not increase; cap each at the one before.
  for (let k = 1; k <= maxT - 2; k += 2) {
    if (rho[k + 1]! + rho[k + 2]! > rho[k - 1]! + rho[k]!) {
      rho[k + 1] = (rho[k - 1]! + rho[k]!) / 2
      rho[k + 2] = rho[k + 1]!
    }
  }
  let sum = 0
  for (let k = 0; k <= maxT; k++) sum += rho[k]!
  let tau = -1 + 2 * sum + rho[maxT + 1]! // the last even lag counts once
  // τ̂ ≥ 1/log10(M·n) caps ESS at M·n·log10(M·n) for antithetic chains.
  tau = Math.max(tau, 1 / Math.log10(m * n))
  return Number.isNaN(tau) || rho.some(Number.isNaN) ? Number.NaN : (m * n) / tau
}

/** Fewer than 4 draws per chain or any NaN: arviz's ess_bulk, ess_tail and mcse are NaN. */
export function tooFewOrNaN(chains: Chains, label: string): boolean {
  const { nDraws } = checkChains(chains, label)
  return nDraws < 4 || hasNaN(chains)
}

/**
 * Bulk ESS: ESS of the rank-normalised split chains. How well the centre of the distribution
 * (mean, median) is estimated, defined even without a finite variance.
 */
export function essBulk(chains: Chains): number {
  if (tooFewOrNaN(chains, 'essBulk()')) return Number.NaN
  return ess(zScale(splitChains(chains)))
}

/**
 * Tail ESS: the smaller ESS of the indicators 1[x ≤ q₀.₀₅] and 1[x ≤ q₀.₉₅] (quantiles of all
 * draws, R-7) on the split chains. How well the 5% and 95% quantiles, and so the 90% interval's
 * ends, are estimated.
 */
export function essTail(chains: Chains): number {
  if (tooFewOrNaN(chains, 'essTail()')) return Number.NaN
  const sorted = pooled(chains).sort()
  const split = splitChains(chains)
  const indicatorEss = (p: number) => {
    const q = sortedQuantile(sorted, p)
    return ess(split.map((chain) => chain.map((x) => (x <= q ? 1 : 0))))
  }
  return Math.min(indicatorEss(0.05), indicatorEss(0.95))
}
