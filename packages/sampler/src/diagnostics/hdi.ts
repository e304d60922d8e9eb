// The highest density interval of a sample: the narrowest interval holding a share `prob` of
// the draws (arviz's default "nearest" method, for one mode). For a skewed posterior it sits
// nearer the mode than the equal-tailed interval and is shorter.

import { numberIn, ValidationError } from '@parafit/core'
import { type Chains, checkChains, pooled } from './chains.ts'

/**
 * [low, high], the narrowest [x₍ᵢ₎, x₍ᵢ₊ₖ₎] of the sorted draws with k = ⌊prob·S⌋ (the first if
 * several are as narrow). `draws` is one Float64Array or chains, pooled. [NaN, NaN] for any NaN.
 */
export function hdi(draws: Float64Array | Chains, prob = 0.94): [low: number, high: number] {
  numberIn(prob, 'prob', { above: 0, below: 1 })
  if (!(draws instanceof Float64Array)) checkChains(draws, 'hdi()')
  const all = draws instanceof Float64Array ? draws : pooled(draws)
  if (all.length === 0) throw new ValidationError('hdi(): no draws')
  if (all.some(Number.isNaN)) return [Number.NaN, Number.NaN]
  const sorted = all.slice().sort()
  const k = Math.floor(prob * sorted.length)
  let best = 0
  let width = Number.POSITIVE_INFINITY
  for (let i = 0; i + k < sorted.length; i++) {
    const w = sorted[i + k]! - sorted[i]!
    if (w < width) {
      width = w
      best = i
    }
  }
  return [sorted[best]!, sorted[best + k]!]
}
