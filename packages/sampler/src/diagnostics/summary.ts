// arviz's `summary` table as arviz ≤0.23 computes it (the one in tutorials, following Vehtari et
// al. 2021): per parameter the mean, sd (ddof = 1), 94% HDI, MCSE of mean and sd, bulk and tail
// ESS, and the rank-normalised split R̂.

import { checkOptionKeys, numberIn, optionKeys, ValidationError } from '@parafit/core'
import { type Chains, checkChains, mean, pooled, variance } from './chains.ts'
import { essBulk, essTail } from './ess.ts'
import { hdi } from './hdi.ts'
import { mcseMean, mcseSd } from './mcse.ts'
import { rankNormalizedSplitRHat } from './rhat.ts'

/** One parameter's chains, a list of parameters' chains, or parameters' chains by name. */
export type Draws = Chains | readonly Chains[] | Readonly<Record<string, Chains>>

export interface SummaryOptions {
  /** The HDI's probability mass. Default 0.94 (arviz ≤0.23's `stats.hdi_prob`). */
  readonly hdiProb?: number
  /** Names of the parameters given as an array. Default `x` for one, `x[0]`, `x[1]`, ... for a list. */
  readonly names?: readonly string[]
}

export const SUMMARY_OPTION_KEYS = optionKeys<SummaryOptions>()(['hdiProb', 'names'])

export interface SummaryRow {
  readonly name: string
  readonly mean: number
  /** Standard deviation of all draws, ddof = 1. */
  readonly sd: number
  /** The HDI of mass `hdiProb`: arviz's hdi_3% and hdi_97% at the default 0.94. */
  readonly hdiLow: number
  readonly hdiHigh: number
  readonly hdiProb: number
  readonly mcseMean: number
  readonly mcseSd: number
  readonly essBulk: number
  readonly essTail: number
  /** Rank-normalised split R̂; NaN with one chain. */
  readonly rHat: number
}

/** The parameters as [name, chains] pairs, whichever form they came in. */
function namedChains(draws: Draws, names: readonly string[] | undefined): [string, Chains][] {
  if (Array.isArray(draws)) {
    if (draws.length === 0) throw new ValidationError('summary(): no draws')
    const single = draws[0] instanceof Float64Array
    const list = (single ? [draws] : draws) as readonly Chains[]
    const named = names ?? (single ? ['x'] : list.map((_, i) => `x[${i}]`))
    if (named.length !== list.length)
      throw new ValidationError(`summary(): ${named.length} names for ${list.length} parameters`, 'names')
    return list.map((chains, i) => [named[i]!, chains])
  }
  if (typeof draws !== 'object' || draws === null)
    throw new ValidationError('summary(): draws must be chains, a list of parameters, or a record of them')
  if (names !== undefined)
    throw new ValidationError(
      'summary(): `names` is for draws given as an array; a record names its parameters',
      'names',
    )
  const entries = Object.entries(draws as Readonly<Record<string, Chains>>)
  if (entries.length === 0) throw new ValidationError('summary(): no parameters')
  return entries
}

/**
 * The summary row of each parameter, in the order given. Draws are C chains × N draws per
 * parameter (`Float64Array[]`); for an ensemble run, see `walkerChains`. Shapes are checked
 * first: a ValidationError names the parameter and the problem (no chains, no draws, ragged
 * chains).
 */
export function summary(draws: Draws, options: SummaryOptions = {}): SummaryRow[] {
  checkOptionKeys(options, SUMMARY_OPTION_KEYS, 'summary() options')
  const hdiProb = numberIn(options.hdiProb ?? 0.94, 'hdiProb', { above: 0, below: 1 })
  const parameters = namedChains(draws, options.names)
  for (const [name, chains] of parameters) checkChains(chains, `summary(): parameter "${name}"`)
  return parameters.map(([name, chains]) => {
    const all = pooled(chains)
    const [hdiLow, hdiHigh] = hdi(all, hdiProb)
    return {
      name,
      mean: mean(all),
      sd: Math.sqrt(variance(all, 1)),
      hdiLow,
      hdiHigh,
      hdiProb,
      mcseMean: mcseMean(chains),
      mcseSd: mcseSd(chains),
      essBulk: essBulk(chains),
      essTail: essTail(chains),
      rHat: rankNormalizedSplitRHat(chains),
    }
  })
}
