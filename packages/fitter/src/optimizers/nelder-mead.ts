// Nelder-Mead with box bounds, as an ask/tell state machine. Each iteration asks all four
// candidates along the worst vertex's line at once (reflection, expansion, outside and inside
// contraction), so one round on the pool decides the move that classic Nelder-Mead finds in up
// to three sequential evaluations; a shrink asks its n new vertices as one batch too.
// Coefficients are Gao and Han's (2012), which adapt to the dimension and keep the simplex from
// stalling above five or so parameters. When the simplex has converged the search restarts
// from the best vertex with a fresh full-size simplex, and stops when a restart no longer
// improves the best loss: a collapsed simplex is Nelder-Mead's usual failure and a restart its
// usual cure. Bounds are handled by reflection (bounds.ts): the simplex lives in an unbounded
// space and each vertex is evaluated at its mirror image inside the box.

import { checkOptionKeys, finiteNumber, optionKeys, ValidationError, wholeNumber } from '@parafit/core'
import { initialScales, reflectIntoBox } from '../bounds.ts'
import type { Optimizer, OptimizerState, OptimizerStop, Problem, Told } from './optimizer.ts'
import { SavedState, savedStop, stateHeader } from './saved-state.ts'

export interface NelderMeadOptions {
  /** Initial simplex edge for each parameter, relative to bounds.ts's initial scales. Default 1. */
  readonly initialStep?: number
  /** Converged when every vertex is within xtol (relative to the initial scales) of the best. Default 1e-9. */
  readonly xtol?: number
  /** ... and every vertex's loss within ftol·|best| + fatol of the best loss. Default 1e-12. */
  readonly ftol?: number
  /** The absolute part of the loss test, for a minimum whose loss is zero. Default 1e-20. */
  readonly fatol?: number
  /** Restarts from the best vertex after converging, while they keep improving. Default 5. */
  readonly restarts?: number
}

export const NELDER_MEAD_OPTION_KEYS = optionKeys<NelderMeadOptions>()([
  'initialStep',
  'xtol',
  'ftol',
  'fatol',
  'restarts',
])

type Settings = Required<NelderMeadOptions>

const STATE_KIND = 'nelder-mead'
const STATE_VERSION = 1
const PHASES: readonly Phase[] = ['simplex', 'line', 'shrink']

/** The settings with their defaults; throws a ValidationError (key path relative to `options`) on bad input. */
export function nelderMeadSettings(options: NelderMeadOptions): Settings {
  checkOptionKeys(options, NELDER_MEAD_OPTION_KEYS, 'Nelder-Mead options')
  const atLeastZero = { min: 0 }
  return {
    initialStep: finiteNumber(options.initialStep ?? 1, 'initialStep', atLeastZero),
    xtol: finiteNumber(options.xtol ?? 1e-9, 'xtol', atLeastZero),
    ftol: finiteNumber(options.ftol ?? 1e-12, 'ftol', atLeastZero),
    fatol: finiteNumber(options.fatol ?? 1e-20, 'fatol', atLeastZero),
    restarts: wholeNumber(options.restarts ?? 5, 'restarts'),
  }
}

type Phase = 'simplex' | 'line' | 'shrink'

interface Vertex {
  u: Float64Array
  loss: number
}

export class NelderMead implements Optimizer {
  readonly method = 'nelder-mead' as const
  readonly #problem: Problem
  readonly #s: Settings
  readonly #scales: Float64Array
  readonly #n: number
  /** Coefficients: reflection, expansion, contraction, shrink (Gao-Han). */
  readonly #chi: number
  readonly #gamma: number
  readonly #sigma: number
  #phase: Phase = 'simplex'
  #start: Float64Array
  #simplex: Vertex[] = []
  #restartsLeft: number
  #lossAtRestart = Number.POSITIVE_INFINITY
  #stop: OptimizerStop | undefined
  /** The points of the last ask() in the unbounded space; empty once told. */
  #asked: Float64Array[] = []

  /** A run from `problem.x0`. Nelder-Mead draws nothing at random: the seed is accepted for the common shape, and unused. */
  constructor(problem: Problem, options: NelderMeadOptions = {}, _seed?: number) {
    if (problem.x0.length === 0) throw new ValidationError('Nelder-Mead needs at least one parameter')
    this.#problem = problem
    this.#s = nelderMeadSettings(options)
    this.#n = problem.x0.length
    const n = this.#n
    this.#chi = 1 + 2 / n
    this.#gamma = 0.75 - 1 / (2 * n)
    this.#sigma = n === 1 ? 0.5 : 1 - 1 / n
    this.#scales = initialScales(problem.x0, problem.lower, problem.upper)
    this.#start = Float64Array.from(problem.x0)
    this.#restartsLeft = this.#s.restarts
  }

  get stop(): OptimizerStop | undefined {
    return this.#stop
  }

  ask(): Float64Array[] {
    if (this.#stop !== undefined)
      throw new ValidationError(`ask() after Nelder-Mead stopped (${this.#stop.reason})`)
    this.#asked = this.#candidates()
    return this.#asked.map((u) => reflectIntoBox(u, this.#problem.lower, this.#problem.upper))
  }

  #candidates(): Float64Array[] {
    const n = this.#n
    if (this.#phase === 'simplex') {
      const points = [Float64Array.from(this.#start)]
      for (let j = 0; j < n; j++) {
        const vertex = Float64Array.from(this.#start)
        // Step away from a near bound, so the first vertices are distinct points of the box.
        const step = this.#s.initialStep * this.#scales[j]!
        vertex[j] = vertex[j]! + (vertex[j]! + step <= this.#problem.upper[j]! ? step : -step)
        points.push(vertex)
      }
      return points
    }
    if (this.#phase === 'shrink') {
      const best = this.#simplex[0]!.u
      return this.#simplex.slice(1).map((v) => v.u.map((x, j) => best[j]! + this.#sigma * (x - best[j]!)))
    }
    const centroid = new Float64Array(n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += this.#simplex[i]!.u[j]! / n
    const worst = this.#simplex[n]!.u
    const along = (t: number) => centroid.map((c, j) => c + t * (c - worst[j]!))
    return [along(1), along(this.#chi), along(this.#gamma), along(-this.#gamma)]
  }

  tell(results: readonly Told[]): void {
    if (this.#asked.length === 0) throw new ValidationError('tell() without a preceding ask()')
    if (results.length !== this.#asked.length)
      throw new ValidationError(
        `tell() expected ${this.#asked.length} results (one per point asked), got ${results.length}`,
      )
    const losses = results.map((r) => (Number.isFinite(r.loss) ? r.loss : Number.POSITIVE_INFINITY))
    if (this.#phase === 'simplex') {
      this.#simplex = this.#asked.map((u, i) => ({ u, loss: losses[i]! }))
      this.#phase = 'line'
    } else if (this.#phase === 'shrink') {
      this.#asked.forEach((u, i) => {
        this.#simplex[i + 1] = { u, loss: losses[i]! }
      })
      this.#phase = 'line'
    } else {
      this.#move(losses)
    }
    this.#asked = []
    this.#simplex.sort((a, b) => a.loss - b.loss)
    if (this.#phase === 'line' && this.#converged()) this.#restartOrStop()
  }

  /** Classic Nelder-Mead decision, with all four candidates already evaluated. */
  #move(losses: number[]): void {
    const n = this.#n
    const [reflected, expanded, outside, inside] = losses as [number, number, number, number]
    const best = this.#simplex[0]!.loss
    const secondWorst = this.#simplex[n - 1]!.loss
    const worst = this.#simplex[n]!.loss
    const replace = (k: number) => {
      this.#simplex[n] = { u: this.#asked[k]!, loss: losses[k]! }
    }
    if (reflected < best) replace(expanded < reflected ? 1 : 0)
    else if (reflected < secondWorst) replace(0)
    else if (reflected < worst) {
      if (outside <= reflected) replace(2)
      else this.#phase = 'shrink'
    } else if (inside < worst) replace(3)
    else this.#phase = 'shrink'
  }

  #converged(): boolean {
    const best = this.#simplex[0]!
    const worst = this.#simplex[this.#n]!
    if (!Number.isFinite(best.loss)) return false
    const lossSpread = worst.loss - best.loss
    if (!(lossSpread <= this.#tolerance(best.loss))) return false
    for (const vertex of this.#simplex) {
      for (let j = 0; j < this.#n; j++) {
        if (Math.abs(vertex.u[j]! - best.u[j]!) > this.#s.xtol * this.#scales[j]!) return false
      }
    }
    return true
  }

  #tolerance(loss: number): number {
    return this.#s.ftol * Math.abs(loss) + this.#s.fatol
  }

  #restartOrStop(): void {
    const best = this.#simplex[0]!
    const improvement = this.#lossAtRestart - best.loss
    const improved = improvement > this.#tolerance(best.loss)
    if (this.#restartsLeft > 0 && improved) {
      this.#restartsLeft--
      this.#lossAtRestart = best.loss
      // Restart at the mirror image inside the box, so the new simplex starts from a real point.
      this.#start = reflectIntoBox(best.u, this.#problem.lower, this.#problem.upper)
      this.#phase = 'simplex'
      return
    }
    this.#stop = {
      kind: 'converged',
      reason: improved
        ? 'converged: the simplex has shrunk below xtol and ftol (no restarts left)'
        : 'converged: the simplex has shrunk below xtol and ftol, and a restart did not improve it',
    }
  }

  /** Plain arrays and finite numbers only (null for a failed loss), so that the state survives JSON. */
  saveState(): OptimizerState {
    const loss = (v: number) => (Number.isFinite(v) ? v : null)
    return {
      ...stateHeader(STATE_KIND, STATE_VERSION, this.#n),
      settings: { ...this.#s },
      phase: this.#phase,
      start: Array.from(this.#start),
      simplex: this.#simplex.map((v) => ({ u: Array.from(v.u), loss: loss(v.loss) })),
      restartsLeft: this.#restartsLeft,
      lossAtRestart: loss(this.#lossAtRestart),
      stop: savedStop(this.#stop),
    }
  }

  /** Continues the run that saved `state` (from saveState()) on the same problem. */
  static restore(problem: Problem, state: OptimizerState): NelderMead {
    const n = problem.x0.length
    const saved = SavedState.open(state, {
      kind: STATE_KIND,
      version: STATE_VERSION,
      n,
      label: 'Nelder-Mead',
    })
    const settings = saved.record('settings')
    const nm = new NelderMead(problem, {
      initialStep: settings.number('initialStep', { min: 0 }),
      xtol: settings.number('xtol', { min: 0 }),
      ftol: settings.number('ftol', { min: 0 }),
      fatol: settings.number('fatol', { min: 0 }),
      restarts: settings.number('restarts', { integer: true, min: 0 }),
    })
    nm.#phase = saved.choice('phase', PHASES)
    nm.#start = saved.vector('start', n)
    const simplex = saved.records('simplex')
    // Once started, the simplex always has its n + 1 vertices (before the first tell, none).
    if (simplex.length !== n + 1 && !(nm.#phase === 'simplex' && simplex.length === 0))
      saved.invalid('simplex', `has ${simplex.length} vertices, expected ${n + 1}`)
    nm.#simplex = simplex.map((v) => ({ u: v.vector('u', n), loss: v.loss('loss') }))
    nm.#restartsLeft = saved.number('restartsLeft', { integer: true, min: 0 })
    nm.#lossAtRestart = saved.loss('lossAtRestart')
    nm.#stop = saved.stop()
    return nm
  }
}
