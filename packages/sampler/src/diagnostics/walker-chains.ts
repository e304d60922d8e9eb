// An ensemble run's chain in the shape the diagnostics take: each walker becomes one chain.

import { ValidationError } from '@parafit/core'

/**
 * `chain[step][walker]` points, as `EnsembleSampler.getChain()` returns them (discard the
 * burn-in there), as per-parameter chains: `result[d][walker]` is parameter d along the steps.
 *
 * **Walkers treated as chains.** This is how arviz reads an emcee run, but the walkers are not
 * independent chains: each move uses the positions of the others, so they share information and
 * drift together. emcee's authors say the Gelman–Rubin statistic does not apply within an
 * ensemble (dfm/emcee#183, #279). Read R̂ and ESS from it as rough indications; lead with the
 * integrated autocorrelation time τ (`autocorrTime()`), the number of independent draws per
 * walker N/τ, and the acceptance fraction.
 */
export function walkerChains(chain: readonly (readonly Float64Array[])[]): Float64Array[][] {
  const nSteps = chain.length
  if (nSteps === 0) throw new ValidationError('walkerChains(): the chain has no steps')
  const nWalkers = chain[0]!.length
  if (nWalkers === 0) throw new ValidationError('walkerChains(): step 0 has no walkers')
  const nDim = chain[0]![0]!.length
  if (nDim === 0) throw new ValidationError('walkerChains(): the walkers have no parameters')
  const out = Array.from({ length: nDim }, () =>
    Array.from({ length: nWalkers }, () => new Float64Array(nSteps)),
  )
  chain.forEach((step, t) => {
    if (step.length !== nWalkers)
      throw new ValidationError(
        `walkerChains(): step 0 has ${nWalkers} walkers but step ${t} has ${step.length}`,
      )
    step.forEach((point, k) => {
      if (point.length !== nDim)
        throw new ValidationError(
          `walkerChains(): walker 0 of step 0 has ${nDim} parameters but walker ${k} of step ${t} has ${point.length}`,
        )
      for (let d = 0; d < nDim; d++) out[d]![k]![t] = point[d]!
    })
  })
  return out
}
