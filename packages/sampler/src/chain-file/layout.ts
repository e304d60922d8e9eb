// The chain file's layout: emcee's HDFBackend group, and parafit's group beside it.
//
//   /<group>                      (default 'mcmc'), exactly as emcee 3's HDFBackend writes it:
//     attrs version (string), nwalkers, ndim, iteration (int64), has_blobs (int8, always 0)
//     chain (N, W, D) float64, log_prob (N, W) float64: chunked, unlimited along axis 0,
//       pre-grown a block at a time, so N ≥ iteration; rows past iteration are not steps
//     accepted (W,) float64: accepted proposals per walker
//   /parafit/<group>              what emcee does not keep, one row per step like the chain:
//     attrs format, format_version, parafit_version, seed, nwalkers, ndim, moves,
//       parameter_names (when given), iteration (int64: parafit's own steps)
//     random_state (N, S) float64: the random stream's state after each step
//     accepted (N, W) int8: 1 where the walker's proposal was accepted at that step
//     bad_values (N,) float64: proposals rejected for a NaN log-probability at that step
//     blobs (N, W, K) float64 with attr names (K strings), blob_kind (N, W) int8: the numeric
//       blobs (0 none, 1 saved, 2 not saved: not numbers only); absent when nothing was numeric
//
// No random_state_* attributes in /<group>: emcee would hand them to numpy's RandomState, which
// is not parafit's generator. Rows are written before `iteration` moves past them, so a file
// cut short by a crash never counts a step it does not hold.

import { createRequire } from 'node:module'

export const FORMAT = 'parafit-chain-file'
export const FORMAT_VERSION = 1
export const DEFAULT_GROUP = 'mcmc'
export const PARAFIT_GROUP = 'parafit'

/** The version of @parafit/sampler, written into the file. */
export const PARAFIT_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version

/** Where parafit keeps its part of the chain in `group`. */
export function parafitPath(group: string): string {
  return `${PARAFIT_GROUP}/${group}`
}

/** Rows per chunk (and per growth): ~64 KiB of the chain's float64 rows, at least one. */
export function blockRows(nWalkers: number, nDim: number): number {
  return Math.max(1, Math.floor(65_536 / (8 * nWalkers * nDim)))
}

/** What makes a chain file belong to a problem: checked before a file is resumed. */
export interface ChainFileProblem {
  readonly nWalkers: number
  readonly nDim: number
  /** The moves and their weights, e.g. "stretch(a=2)" or "stretch(a=2) 0.8, de(sigma=0.00001) 0.2". */
  readonly moves: string
  readonly parameterNames: readonly string[] | undefined
  readonly seed: number
}

/** The moves as a sampler draws them: names, and weights (summing to 1) when there are several. */
export function describeMoves(moves: readonly (readonly [{ readonly name: string }, number])[]): string {
  if (moves.length === 1) return moves[0]![0].name
  const total = moves.reduce((s, [, w]) => s + w, 0)
  return moves.map(([m, w]) => `${m.name} ${w / total}`).join(', ')
}

/**
 * How the file's problem differs from this sampler's, one phrase each; empty when it matches.
 * Parameter names and the seed are compared only when the sampler's options give them.
 */
export function problemDifferences(
  file: ChainFileProblem,
  sampler: ChainFileProblem,
  given: { readonly seed: boolean; readonly parameterNames: boolean },
): string[] {
  const out: string[] = []
  const differ = (what: string, a: unknown, b: unknown) => out.push(`${what}: file ${a}, sampler ${b}`)
  if (file.nWalkers !== sampler.nWalkers) differ('nWalkers', file.nWalkers, sampler.nWalkers)
  if (file.nDim !== sampler.nDim) differ('nDim', file.nDim, sampler.nDim)
  if (file.moves !== sampler.moves) differ('moves', file.moves, sampler.moves)
  const names = (n: readonly string[] | undefined) => (n === undefined ? 'none' : `[${n.join(', ')}]`)
  if (given.parameterNames && names(file.parameterNames) !== names(sampler.parameterNames))
    differ('parameterNames', names(file.parameterNames), names(sampler.parameterNames))
  if (given.seed && file.seed !== sampler.seed) differ('seed', file.seed, sampler.seed)
  return out
}
