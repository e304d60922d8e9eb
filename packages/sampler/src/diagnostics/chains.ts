// Draws of one parameter as C chains of N draws (`Float64Array[]`): the shape checks every
// diagnostic starts with, splitting chains in halves, and the moments over chains.

import { ValidationError } from '@parafit/core'
import { describeValue } from '@parafit/core/internal'

/** One parameter's draws: chains[c][t], every chain the same length. */
export type Chains = readonly Float64Array[]

/**
 * Checks the shape of `chains` and returns it as { nChains, nDraws }. A ValidationError names the
 * problem (no chains, no draws, chains of different lengths); `label` says whose input it is.
 */
export function checkChains(chains: Chains, label: string): { nChains: number; nDraws: number } {
  if (!Array.isArray(chains) || chains.length === 0)
    throw new ValidationError(
      `${label}: no chains; give an array of chains (Float64Array), each of the same length`,
    )
  chains.forEach((chain, c) => {
    if (!(chain instanceof Float64Array))
      throw new ValidationError(`${label}: chain ${c} is not a Float64Array (${describeValue(chain)})`)
  })
  const nDraws = chains[0]!.length
  if (nDraws === 0) throw new ValidationError(`${label}: the chains have no draws`)
  chains.forEach((chain, c) => {
    if (chain.length !== nDraws)
      throw new ValidationError(
        `${label}: ragged chains: chain 0 has ${nDraws} draws but chain ${c} has ${chain.length}`,
      )
  })
  return { nChains: chains.length, nDraws }
}

/**
 * Each chain becomes two: its first ⌊N/2⌋ draws and its last ⌊N/2⌋, so for odd N the middle
 * draw is dropped (arviz, Stan). A chain that drifts then shows up as two chains that disagree.
 */
export function splitChains(chains: Chains): Float64Array[] {
  const { nDraws } = checkChains(chains, 'splitChains()')
  if (nDraws < 2) throw new ValidationError(`splitChains(): need at least 2 draws per chain, got ${nDraws}`)
  const half = Math.floor(nDraws / 2)
  return chains.flatMap((chain) => [chain.slice(0, half), chain.slice(nDraws - half)])
}

/** Every draw of every chain, chain after chain. */
export function pooled(chains: Chains): Float64Array {
  const n = chains[0]?.length ?? 0
  const all = new Float64Array(chains.length * n)
  chains.forEach((chain, c) => {
    all.set(chain, c * n)
  })
  return all
}

export function hasNaN(chains: Chains): boolean {
  return chains.some((chain) => chain.some(Number.isNaN))
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]!
  return sum / values.length
}

/** The variance with `ddof` degrees of freedom removed (ddof = 1: the unbiased estimate). */
export function variance(values: ArrayLike<number>, ddof: number): number {
  const m = mean(values)
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2
  return sum / (values.length - ddof)
}

/** The same shape, each draw through `f`. */
export function mapDraws(chains: Chains, f: (x: number) => number): Float64Array[] {
  return chains.map((chain) => chain.map(f))
}
