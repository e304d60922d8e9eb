// The posterior from the importance samples: every point with its normalised ln weight, or an
// equal-weight draw (each point kept ⌊w/w_max·boost⌋ times, once more with the remainder's
// probability, as nautilus does).

import { finiteNumber, type ParamTree, Random } from '@parafit/core'
import type { Blob } from '../batch-results.ts'
import type { Prior } from '../prior/prior.ts'
import { STREAM } from './bound.ts'
import { logSumExp } from './log-sum-exp.ts'
import type { NestedState } from './nested-state.ts'
import { pointWeights } from './shells.ts'

export interface PosteriorOptions {
  /** Equal-weight samples instead of weighted ones. */
  readonly equalWeight?: boolean
  /** With equalWeight: the mean number of copies of the heaviest point (default 1: no duplicates). */
  readonly boost?: number
  /** With equalWeight: the seed of the draw (default: the run's). */
  readonly seed?: number
}

export interface Posterior<P extends ParamTree = ParamTree> {
  readonly points: P[]
  /** Unit-cube coordinates of the same points, in the prior's key order. */
  readonly unitPoints: Float64Array[]
  /** Normalised: logSumExp(logWeights) = 0 (all 0 - ln n for equal weights). */
  readonly logWeights: Float64Array
  readonly logLikelihoods: Float64Array
  /** What the likelihood wrote into its context at each point ({ quantities, meta }), or undefined. */
  readonly blobs: (Blob | undefined)[]
}

export function posterior<P extends ParamTree>(
  state: NestedState,
  prior: Prior<P>,
  runSeed: number,
  options: PosteriorOptions,
): Posterior<P> {
  const boost = finiteNumber(options.boost ?? 1, 'boost', { above: 0 })
  const discard = state.discard && state.explored
  const w = pointWeights(state.shells, state.stats(), discard)
  const total = logSumExp(w.logW)
  const unit: Float64Array[] = []
  const logL: number[] = []
  const logW: number[] = []
  const blobs: (Blob | undefined)[] = []
  const push = (k: number, lw: number) => {
    const shell = state.shells[w.shell[k]!]!
    unit.push(shell.points[w.index[k]!]!)
    logL.push(w.logL[k]!)
    logW.push(lw)
    blobs.push(shell.blobs[w.index[k]!])
  }
  if (options.equalWeight) {
    let max = Number.NEGATIVE_INFINITY
    for (const v of w.logW) if (v > max) max = v
    const rng = Random.fromSeed(options.seed ?? runSeed, STREAM.posterior)
    for (let k = 0; k < w.logW.length; k++) {
      const r = Math.exp(w.logW[k]! - max) * boost
      const copies = Math.floor(r) + (rng.uniform() < r - Math.floor(r) ? 1 : 0)
      for (let c = 0; c < copies; c++) push(k, 0)
    }
    const even = -Math.log(Math.max(unit.length, 1))
    logW.fill(even)
  } else {
    for (let k = 0; k < w.logW.length; k++)
      if (w.logW[k]! > Number.NEGATIVE_INFINITY) push(k, w.logW[k]! - total)
  }
  return {
    points: unit.map((u) => prior.transform(u)),
    unitPoints: unit,
    logWeights: Float64Array.from(logW),
    logLikelihoods: Float64Array.from(logL),
    blobs,
  }
}
