// Red-blue ensemble moves: each walker of the moving half gets a proposal built from the other
// half only, so the half's proposals are independent of each other and go to the pool as one
// batch (Goodman & Weare 2010; Foreman-Mackey et al. 2013). A move returns the proposals and
// the log of each one's proposal-density factor for the acceptance test.

import { ValidationError } from '@parafit/core'
import type { Random } from '../random.ts'

export interface Proposal {
  readonly points: Float64Array[]
  /** ln of the proposal's asymmetry factor, added to the log-probability difference. */
  readonly logFactors: Float64Array
}

export interface Move {
  readonly name: string
  /** Proposals for the walkers `moving`, built from `others`; draws only from `random`. */
  propose(moving: readonly Float64Array[], others: readonly Float64Array[], random: Random): Proposal
}

/**
 * The affine-invariant stretch move: X' = Y + z (X - Y) with Y a walker of the other half and
 * z drawn from g(z) ∝ 1/√z on [1/a, a]. `a` (default 2) sets the step size.
 */
export function stretchMove(options: { a?: number } = {}): Move {
  const a = options.a ?? 2
  if (!(Number.isFinite(a) && a > 1)) throw new ValidationError(`stretchMove: a must be > 1, got ${a}`, 'a')
  return {
    name: `stretch(a=${a})`,
    propose(moving, others, random) {
      const nDim = moving[0]!.length
      const points: Float64Array[] = []
      const logFactors = new Float64Array(moving.length)
      for (let k = 0; k < moving.length; k++) {
        const u = (a - 1) * random.uniform() + 1
        const z = (u * u) / a
        const x = moving[k]!
        const y = others[random.int(others.length)]!
        const q = new Float64Array(nDim)
        for (let d = 0; d < nDim; d++) q[d] = y[d]! - (y[d]! - x[d]!) * z
        points.push(q)
        logFactors[k] = (nDim - 1) * Math.log(z)
      }
      return { points, logFactors }
    },
  }
}

/**
 * The differential-evolution move (ter Braak 2006; Nelson et al. 2014): X' = X + γ (Y1 - Y2)
 * for two distinct walkers of the other half, γ = γ0 (1 + σ N(0, 1)), γ0 = 2.38 / √(2 nDim) by
 * default. Symmetric, so every log factor is 0. Mixed with the stretch move it helps on
 * multimodal targets.
 */
export function deMove(options: { sigma?: number; gamma0?: number } = {}): Move {
  const sigma = options.sigma ?? 1e-5
  if (!(Number.isFinite(sigma) && sigma >= 0))
    throw new ValidationError(`deMove: sigma must be ≥ 0, got ${sigma}`, 'sigma')
  const gamma0 = options.gamma0
  if (gamma0 !== undefined && !(Number.isFinite(gamma0) && gamma0 > 0))
    throw new ValidationError(`deMove: gamma0 must be > 0, got ${gamma0}`, 'gamma0')
  return {
    name: `de(sigma=${sigma}${gamma0 === undefined ? '' : `, gamma0=${gamma0}`})`,
    propose(moving, others, random) {
      if (others.length < 2) throw new ValidationError('deMove needs at least 2 walkers in each half')
      const nDim = moving[0]!.length
      const g0 = gamma0 ?? 2.38 / Math.sqrt(2 * nDim)
      const points = moving.map((x) => {
        const i = random.int(others.length)
        let j = random.int(others.length - 1)
        if (j >= i) j++
        const gamma = g0 * (1 + sigma * random.normal())
        const y1 = others[i]!
        const y2 = others[j]!
        const q = new Float64Array(nDim)
        for (let d = 0; d < nDim; d++) q[d] = x[d]! + gamma * (y1[d]! - y2[d]!)
        return q
      })
      return { points, logFactors: new Float64Array(moving.length) }
    },
  }
}

export type MoveSpec = Move | readonly (readonly [Move, number])[]

/** Normalises `moves` to [move, cumulative weight] with weights summing to 1. */
export function moveTable(spec: MoveSpec | undefined): { moves: Move[]; cumulative: number[] } {
  if (spec === undefined) return { moves: [stretchMove()], cumulative: [1] }
  if (!Array.isArray(spec)) {
    if (typeof (spec as Move).propose !== 'function')
      throw new ValidationError(
        'moves must be a move (stretchMove(), deMove()) or [[move, weight], ...]',
        'moves',
      )
    return { moves: [spec as Move], cumulative: [1] }
  }
  const pairs = spec as readonly (readonly [Move, number])[]
  if (pairs.length === 0)
    throw new ValidationError('moves is empty; give at least one [move, weight]', 'moves')
  let total = 0
  for (const [i, pair] of pairs.entries()) {
    const [move, weight] = pair ?? []
    if (
      typeof move?.propose !== 'function' ||
      !(typeof weight === 'number' && weight > 0 && Number.isFinite(weight))
    )
      throw new ValidationError(`moves[${i}] must be [move, weight > 0]`, 'moves')
    total += weight
  }
  let sum = 0
  return {
    moves: pairs.map(([m]) => m),
    cumulative: pairs.map(([, w]) => {
      sum += w / total
      return sum
    }),
  }
}
