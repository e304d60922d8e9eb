// The integrated autocorrelation time of a chain, estimated as emcee does (Sokal's automatic
// windowing, after Goodman & Weare 2010): the normalised autocorrelation function of each walker
// (by FFT), averaged over walkers; τ(M) = 1 + 2 Σ_{t=1..M} ρ(t), with the window M the first
// one with M ≥ c·τ(M).

import { checkOptionKeys, optionKeys } from '@parafit/core'
import { Autocovariance } from '../diagnostics/autocovariance.ts'
import { AutocorrError } from '../errors.ts'

/**
 * Adds the normalised autocorrelation function of `series` to `sum` (length series.length).
 * False for a constant series, which has none.
 */
function addAutocorrelation(
  series: Float64Array,
  sum: Float64Array,
  acov: Autocovariance,
  lags: Float64Array,
): boolean {
  acov.sums(series, lags)
  const zero = lags[0]!
  if (zero === 0) return false
  for (let t = 0; t < series.length; t++) sum[t] = sum[t]! + lags[t]! / zero
  return true
}

export interface AutocorrOptions {
  /** Window factor: the window is the smallest M with M ≥ c·τ(M). Default 5. */
  readonly c?: number
  /** A chain shorter than tol·τ raises AutocorrError (unless quiet). Default 50. */
  readonly tol?: number
  /** Return the estimate even when the chain is too short, instead of raising. */
  readonly quiet?: boolean
}

export const AUTOCORR_OPTION_KEYS = optionKeys<AutocorrOptions>()(['c', 'tol', 'quiet'])

/**
 * τ per dimension for samples `chain[step][walker]` (each a point). Raises AutocorrError with the
 * estimate in `.tau` when the chain is shorter than tol·τ in some dimension, unless `quiet`.
 */
export function integratedTime(
  chain: readonly (readonly Float64Array[])[],
  options: AutocorrOptions = {},
): Float64Array {
  checkOptionKeys(options, AUTOCORR_OPTION_KEYS, 'integratedTime() options')
  const c = options.c ?? 5
  const tol = options.tol ?? 50
  const nSteps = chain.length
  if (nSteps < 2)
    throw new AutocorrError(`need at least 2 steps to estimate τ, got ${nSteps}`, new Float64Array())
  const nWalkers = chain[0]!.length
  const nDim = chain[0]![0]!.length
  const acov = new Autocovariance(nSteps)
  const lags = new Float64Array(nSteps)
  const series = new Float64Array(nSteps)
  const tau = new Float64Array(nDim)
  for (let d = 0; d < nDim; d++) {
    const rho = new Float64Array(nSteps)
    let stuck = false
    for (let k = 0; k < nWalkers; k++) {
      for (let t = 0; t < nSteps; t++) series[t] = chain[t]![k]![d]!
      if (!addAutocorrelation(series, rho, acov, lags)) stuck = true
    }
    // A walker stuck at one value has no autocorrelation function; emcee's estimate is then NaN.
    if (stuck) {
      tau[d] = Number.NaN
      continue
    }
    // Running τ(M) = 2 Σ_{t=0..M} ρ(t) - 1; stop at the first M ≥ c·τ(M).
    let running = 0
    let estimate = Number.NaN
    for (let m = 0; m < nSteps; m++) {
      running += rho[m]! / nWalkers
      estimate = 2 * running - 1
      if (m >= c * estimate) break
    }
    tau[d] = estimate
  }
  const short = [...tau].filter((t) => !(tol * t <= nSteps)).length
  if (short > 0 && options.quiet !== true) {
    throw new AutocorrError(
      `the chain (${nSteps} steps) is shorter than ${tol} times the integrated autocorrelation time for ` +
        `${short} of ${nDim} parameters (τ = ${[...tau].map((t) => t.toFixed(1)).join(', ')}); run longer, ` +
        'or pass { quiet: true } to get the estimate anyway',
      tau,
    )
  }
  return tau
}
