// Red-blue ensemble moves: each walker of the moving half gets a proposal built from the other
// half only, so the half's proposals are independent of each other (Goodman & Weare 2010;
// Foreman-Mackey et al. 2013). A move first draws each proposal's plan (which walkers of the other
// half it uses, and its random numbers), then builds it once those walkers' positions are known.

import type { Random } from '@parafit/core'
import { checkOptionKeys, finiteNumber, ValidationError } from '@parafit/core'

/** What one walker's proposal needs, drawn before anything is evaluated. */
export interface MovePlan {
  /** The walkers of the other half it uses (indices into that half). */
  readonly partners: readonly number[]
  /** The move's random numbers for this proposal. */
  readonly draws: readonly number[]
}

export interface Move {
  readonly name: string
  /**
   * Draws, from `random` only, the plan of each of `nMoving` proposals: the sampler can then
   * start a proposal as soon as the walkers it uses have their positions for this half-step.
   */
  plan(nMoving: number, nOthers: number, nDim: number, random: Random): MovePlan[]
  /** The proposal for the walker at `x`, from its partners' positions; ln of its asymmetry factor. */
  propose(
    x: Float64Array,
    partners: readonly Float64Array[],
    plan: MovePlan,
  ): { point: Float64Array; logFactor: number }
}

/**
 * The affine-invariant stretch move: X' = Y + z (X - Y) with Y a walker of the other half and
 * z drawn from g(z) ∝ 1/√z on [1/a, a]. `a` (default 2) sets the step size.
 */
export function stretchMove(options: { a?: number } = {}): Move {
  checkOptionKeys(options, ['a'], 'stretchMove() options')
  const a = finiteNumber(options.a ?? 2, 'a', { above: 1 })
  return {
    name: `stretch(a=${a})`,
    plan(nMoving, nOthers, _nDim, random) {
      return Array.from({ length: nMoving }, () => {
        const u = (a - 1) * random.uniform() + 1
        return { draws: [(u * u) / a], partners: [random.int(nOthers)] }
      })
    },
    propose(x, [y], { draws: [z] }) {
      const q = new Float64Array(x.length)
      for (let d = 0; d < x.length; d++) q[d] = y![d]! - (y![d]! - x[d]!) * z!
      return { point: q, logFactor: (x.length - 1) * Math.log(z!) }
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
  checkOptionKeys(options, ['sigma', 'gamma0'], 'deMove() options')
  const sigma = finiteNumber(options.sigma ?? 1e-5, 'sigma', { min: 0 })
  const gamma0 =
    options.gamma0 === undefined ? undefined : finiteNumber(options.gamma0, 'gamma0', { above: 0 })
  return {
    name: `de(sigma=${sigma}${gamma0 === undefined ? '' : `, gamma0=${gamma0}`})`,
    plan(nMoving, nOthers, nDim, random) {
      if (nOthers < 2) throw new ValidationError('deMove needs at least 2 walkers in each half', 'moves')
      const g0 = gamma0 ?? 2.38 / Math.sqrt(2 * nDim)
      return Array.from({ length: nMoving }, () => {
        const i = random.int(nOthers)
        let j = random.int(nOthers - 1)
        if (j >= i) j++
        return { partners: [i, j], draws: [g0 * (1 + sigma * random.normal())] }
      })
    },
    propose(x, [y1, y2], { draws: [gamma] }) {
      const q = new Float64Array(x.length)
      for (let d = 0; d < x.length; d++) q[d] = x[d]! + gamma! * (y1![d]! - y2![d]!)
      return { point: q, logFactor: 0 }
    },
  }
}

export type MoveSpec = Move | readonly (readonly [Move, number])[]

/** Normalises `moves` to [move, cumulative weight] with weights summing to 1. */
export function moveTable(spec: MoveSpec | undefined): { moves: Move[]; cumulative: number[] } {
  if (spec === undefined) return { moves: [stretchMove()], cumulative: [1] }
  if (!Array.isArray(spec)) {
    if (typeof (spec as Move).plan !== 'function')
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
      typeof move?.plan !== 'function' ||
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
