// The finite-difference Jacobian of Levenberg-Marquardt: which points to ask for it, how to build
// its columns from their residuals, and how far from where it was taken it still holds.

import { ValidationError } from '@parafit/core'
import type { Told } from '../optimizer.ts'
import { EPS } from './options.ts'

/** ∛ε / √ε: the central-difference step for a polish after forward differences. */
const CENTRAL_FACTOR = Math.cbrt(EPS) / Math.sqrt(EPS)

/** What one Jacobian was asked with, kept until its results come back. */
interface Asked {
  readonly x: Float64Array
  /** For each column, the offsets of its parameter actually taken (one, or two for central differences). */
  readonly offsets: number[][]
}

/** The Jacobian's part of a saved state. */
export interface JacobianState {
  readonly absoluteStep: boolean[]
  readonly columns: Float64Array[] | undefined
  readonly at: Float64Array | undefined
  readonly reach: Float64Array | undefined
}

export class FiniteDifferenceJacobian {
  readonly #lower: Float64Array
  readonly #upper: Float64Array
  readonly #relativeStep: number
  readonly #central: boolean
  /** Parameters whose difference step is absolute (see ask). */
  #absoluteStep: boolean[]
  #asked: Asked | undefined
  /** The columns ∂r/∂x_j of the last Jacobian built, the point it was taken at, and its reach. */
  #columns: Float64Array[] | undefined
  #at: Float64Array | undefined
  #reach: Float64Array | undefined

  constructor(
    bounds: { lower: Float64Array; upper: Float64Array },
    settings: { relativeStep: number; differences: 'forward' | 'central' },
  ) {
    this.#lower = bounds.lower
    this.#upper = bounds.upper
    this.#relativeStep = settings.relativeStep
    this.#central = settings.differences === 'central'
    this.#absoluteStep = new Array<boolean>(bounds.lower.length).fill(false)
  }

  get columns(): Float64Array[] | undefined {
    return this.#columns
  }

  /** Points for a Jacobian at `x`, each inside the bounds; `central` for central differences. */
  ask(x: Float64Array, central: boolean): Float64Array[] {
    const points: Float64Array[] = []
    const offsets: number[][] = []
    const twoSided = this.#central || central
    const relative = this.#relativeStep * (twoSided && !this.#central ? CENTRAL_FACTOR : 1)
    for (let j = 0; j < x.length; j++) {
      // As MINPACK: relative to |x|, or absolute at zero. A parameter whose relative step once gave
      // a blind (all-zero) column, e.g. an offset that starts at 1e-90, gets an absolute step from then on.
      const scale = this.#absoluteStep[j] ? Math.max(1, Math.abs(x[j]!)) : Math.abs(x[j]!) || 1
      const h = relative * scale
      const roomUp = this.#upper[j]! - x[j]!
      const roomDown = x[j]! - this.#lower[j]!
      let wanted: number[]
      if (twoSided && roomUp >= h && roomDown >= h) wanted = [h, -h]
      else if (roomUp >= h) wanted = [h]
      else if (roomDown >= h) wanted = [-h]
      else wanted = [roomUp >= roomDown ? roomUp : -roomDown] // a box narrower than the step
      const taken: number[] = []
      for (const offset of wanted) {
        const point = Float64Array.from(x)
        point[j] = x[j]! + offset
        taken.push(point[j]! - x[j]!) // the step actually taken, after rounding
        points.push(point)
      }
      offsets.push(taken)
    }
    this.#asked = { x: Float64Array.from(x), offsets }
    return points
  }

  /**
   * Builds the columns from the results of ask() around a point with residuals `r`. Returns
   * false when a column came out blind with a relative step (now switched to absolute): then
   * the Jacobian must be asked again.
   */
  tell(results: readonly Told[], r: Float64Array): boolean {
    const asked = this.#asked
    if (asked === undefined) throw new Error('FiniteDifferenceJacobian.tell() without ask()')
    this.#asked = undefined
    let blind = false
    let k = 0
    const columns = asked.offsets.map((offsets, j) => {
      const column = new Float64Array(r.length)
      const told = offsets.map(() => results[k++]!)
      const ok = told.every((t) => !failed(t))
      if (ok && offsets.length === 2) {
        const plus = residualsOf(told[0]!, r.length)
        const minus = residualsOf(told[1]!, r.length)
        const width = offsets[0]! - offsets[1]!
        for (let i = 0; i < r.length; i++) column[i] = (plus[i]! - minus[i]!) / width
      } else if (ok && offsets[0] !== 0) {
        const shifted = residualsOf(told[0]!, r.length)
        for (let i = 0; i < r.length; i++) column[i] = (shifted[i]! - r[i]!) / offsets[0]!
      }
      if (
        ok &&
        !this.#absoluteStep[j] &&
        Math.abs(offsets[0]!) < this.#relativeStep &&
        column.every((v) => v === 0)
      ) {
        this.#absoluteStep[j] = true
        blind = true
      }
      // A failed difference point leaves the column zero: that parameter is held for this step.
      return column
    })
    this.#columns = columns
    this.#at = asked.x
    this.#reach = Float64Array.from(asked.offsets, (offsets) => 0.5 * Math.min(...offsets.map(Math.abs)))
    return !blind
  }

  /**
   * Whether the Jacobian taken at another point still holds at `x`: every parameter has moved
   * less than half its difference step, so a new one would differ by less than the error the
   * differences already carry. Levenberg-Marquardt then steps on without asking a new one.
   */
  holdsAt(x: Float64Array): boolean {
    const at = this.#at
    const reach = this.#reach
    if (at === undefined || reach === undefined) return false
    for (let j = 0; j < x.length; j++) if (!(Math.abs(x[j]! - at[j]!) <= reach[j]!)) return false
    return true
  }

  /** The state to save (shared, not copied: the caller copies). */
  saveState(): JacobianState {
    return { absoluteStep: this.#absoluteStep, columns: this.#columns, at: this.#at, reach: this.#reach }
  }

  /** Takes over a saved state (not copied: the caller passes its own copy). */
  restoreState(state: JacobianState): void {
    this.#absoluteStep = state.absoluteStep
    this.#columns = state.columns
    this.#at = state.at
    this.#reach = state.reach
  }
}

/**
 * Whether an evaluation failed: no finite loss, or residuals that are not all finite. Finite
 * residuals whose sum of squares overflowed (a loss of Infinity) are a point like any other.
 */
export function failed(told: Told): boolean {
  return told.residuals === undefined ? !Number.isFinite(told.loss) : !told.residuals.every(Number.isFinite)
}

/** The residuals an evaluation returned; refuses a scalar objective and a change in their number. */
export function residualsOf(told: Told, expected?: number): Float64Array {
  if (told.residuals === undefined) {
    throw new ValidationError(
      "method 'lm' needs an objective that returns its residuals (a Float64Array); " +
        "this one returned a number. Return the residual vector, or use 'nelder-mead', 'cmaes' or 'de'",
    )
  }
  if (expected !== undefined && told.residuals.length !== expected) {
    throw new ValidationError(
      `the objective returned ${told.residuals.length} residuals here and ${expected} at the start point; ` +
        'a least-squares objective must return the same number of residuals at every point',
    )
  }
  return told.residuals
}
