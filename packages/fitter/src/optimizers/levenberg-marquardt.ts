// Levenberg-Marquardt for residual objectives, as an ask/tell state machine. The algorithm is
// MINPACK's lmdif (Moré 1978): a trust region in variables scaled by the Jacobian's column
// norms, MINPACK's rules for growing and shrinking the region and its convergence tests. What
// differs is where the evaluations go: every finite-difference column of the Jacobian is one
// point of a batch, so n columns cost one round on the pool, and by default the Jacobian at a
// trial point is asked together with the trial point itself (prefetch), so an accepted step
// costs one round, not two. A rejected step wastes those n evaluations; the iterates are the
// same either way, only the evaluation count differs.
//
// Bounds: a parameter sitting on a bound, whose gradient points out of the box, is held fixed
// for the step (active set); the remaining step is then clipped to the box, and the predicted
// reduction is computed for the clipped step, so the trust-region logic stays honest.

import { checkOptionKeys, optionKeys, ValidationError } from '@parafit/core'
import { TrustRegionSubproblem } from '../least-squares/trust-region-step.ts'
import type { Optimizer, OptimizerState, Problem, Told } from './optimizer.ts'

const EPS = 2.220446049250313e-16
/** ∛ε / √ε: the central-difference step for a polish after forward differences. */
const CENTRAL_FACTOR = Math.cbrt(EPS) / Math.sqrt(EPS)

export interface LevenbergMarquardtOptions {
  /** Finite differences for the Jacobian: 'forward' (n points) or 'central' (2n points). Default 'forward'. */
  readonly differences?: 'forward' | 'central'
  /** Relative difference step; default √ε for forward, ∛ε for central differences. */
  readonly relativeStep?: number
  /** Stop when the actual and predicted relative reductions of the sum of squares are both below this. Default 1e-14. */
  readonly ftol?: number
  /** Stop when the trust radius falls below xtol times the scaled norm of the parameters. Default 1e-14. */
  readonly xtol?: number
  /** Stop when the cosine between the residuals and every Jacobian column is below this. Default 0. */
  readonly gtol?: number
  /** Ask the Jacobian at a trial point together with the trial point (one round per step). Default true. */
  readonly prefetchJacobian?: boolean
  /**
   * After converging with forward differences, go on from there with central differences until
   * converged again. Forward differences shift the minimum of a problem with large residuals by
   * about √ε relative to its condition number; the polish removes that for a few more rounds. Default true.
   */
  readonly polish?: boolean
  /** The first trust radius is this times ‖D x0‖ (MINPACK's `factor`, whose default is 100). Default 1. */
  readonly stepBound?: number
}

export const LM_OPTION_KEYS = optionKeys<LevenbergMarquardtOptions>()([
  'differences',
  'relativeStep',
  'ftol',
  'xtol',
  'gtol',
  'prefetchJacobian',
  'polish',
  'stepBound',
])

type Settings = Required<LevenbergMarquardtOptions>

/** The settings with their defaults; throws a ValidationError (key path relative to `options`) on bad input. */
export function levenbergMarquardtSettings(options: LevenbergMarquardtOptions): Settings {
  checkOptionKeys(options, LM_OPTION_KEYS, 'Levenberg-Marquardt options')
  const differences = options.differences ?? 'forward'
  if (differences !== 'forward' && differences !== 'central') {
    throw new ValidationError(
      `differences must be 'forward' or 'central', got ${String(differences)}`,
      'differences',
    )
  }
  const s: Settings = {
    differences,
    relativeStep: options.relativeStep ?? (differences === 'forward' ? Math.sqrt(EPS) : Math.cbrt(EPS)),
    ftol: options.ftol ?? 1e-14,
    xtol: options.xtol ?? 1e-14,
    gtol: options.gtol ?? 0,
    prefetchJacobian: options.prefetchJacobian ?? true,
    polish: options.polish ?? true,
    // MINPACK's 100 lets the first step leap onto plateaus (BoxBOD from its far start); 1 costs
    // no accuracy on the NIST problems and fewer evaluations on the hard ones (MGH09).
    stepBound: options.stepBound ?? 1,
  }
  for (const key of ['relativeStep', 'ftol', 'xtol', 'gtol', 'stepBound'] as const) {
    if (!(Number.isFinite(s[key]) && s[key] >= 0)) {
      throw new ValidationError(`${key} must be a finite number ≥ 0, got ${s[key]}`, key)
    }
  }
  return s
}

/** For one Jacobian column: the parameter offsets asked (one, or two for central differences). */
interface ColumnPlan {
  readonly offsets: number[]
}

type Phase = 'start' | 'trial' | 'jacobian' | 'final-jacobian'

interface Trial {
  readonly x: Float64Array
  readonly step: Float64Array
  readonly scaledNorm: number
  readonly predicted: number
  readonly directional: number
}

export class LevenbergMarquardt implements Optimizer {
  readonly method = 'lm' as const
  readonly #problem: Problem
  readonly #s: Settings
  #phase: Phase = 'start'
  #stopReason: string | undefined
  /** Current iterate, its residuals and ‖r‖. */
  #x: Float64Array
  #r: Float64Array | undefined
  #fnorm = Number.POSITIVE_INFINITY
  /** Jacobian at #x, by columns, and whether it is current (false after a step without prefetch). */
  #columns: Float64Array[] | undefined
  #jacobianCurrent = false
  #d: Float64Array
  #radius = 0
  #lambda = 0
  #iterations = 0
  #subproblem: TrustRegionSubproblem | undefined
  /** What the last ask() asked, so tell() can read the results back. */
  #pendingTrial: Trial | undefined
  #pendingPlans: ColumnPlan[] | undefined
  /** Why the run converged, while the last Jacobian (for the covariance) is still being evaluated. */
  #finalReason: string | undefined
  /** True once converged with forward differences and going on with central ones. */
  #polishing = false
  /** Parameters whose difference step is absolute (see #askJacobian). */
  #absoluteStep: boolean[]
  /** The start's Jacobian had to be asked again: the scaling is initialised when it comes. */
  #scalingPending = false

  constructor(problem: Problem, options: LevenbergMarquardtOptions = {}) {
    this.#problem = problem
    this.#s = levenbergMarquardtSettings(options)
    this.#x = Float64Array.from(problem.x0)
    this.#d = new Float64Array(problem.x0.length)
    this.#absoluteStep = new Array<boolean>(problem.x0.length).fill(false)
  }

  get stopReason(): string | undefined {
    return this.#stopReason
  }

  /** The current iterate, its residuals and the Jacobian there (columns), when known. */
  get solution(): {
    x: Float64Array
    residuals: Float64Array | undefined
    jacobian: Float64Array[] | undefined
  } {
    return {
      x: Float64Array.from(this.#x),
      residuals: this.#r,
      jacobian: this.#jacobianCurrent ? this.#columns : undefined,
    }
  }

  get iterations(): number {
    return this.#iterations
  }

  ask(): Float64Array[] {
    if (this.#stopReason !== undefined) throw new Error('ask() after the optimizer stopped')
    switch (this.#phase) {
      case 'start':
        // The start point and the Jacobian there, in one batch.
        return [Float64Array.from(this.#x), ...this.#askJacobian(this.#x)]
      case 'jacobian':
      case 'final-jacobian':
        return this.#askJacobian(this.#x)
      case 'trial': {
        const trial = this.#makeTrial()
        this.#pendingTrial = trial
        return this.#s.prefetchJacobian ? [trial.x, ...this.#askJacobian(trial.x)] : [trial.x]
      }
    }
  }

  tell(results: readonly Told[]): void {
    switch (this.#phase) {
      case 'start': {
        const start = results[0]!
        if (!Number.isFinite(start.loss)) {
          this.#stopReason = 'failed: the objective failed at the start point'
          return
        }
        this.#r = residualsOf(start)
        this.#fnorm = Math.sqrt(start.loss)
        if (this.#takeJacobian(results.slice(1), this.#r)) {
          this.#scalingPending = true
          this.#phase = 'jacobian'
          return
        }
        this.#initialiseScaling()
        this.#afterJacobian()
        return
      }
      case 'jacobian':
        if (this.#takeJacobian(results, this.#r!)) return // blind columns: ask it again
        if (this.#scalingPending) this.#initialiseScaling()
        else this.#updateScaling()
        this.#scalingPending = false
        this.#afterJacobian()
        return
      case 'final-jacobian':
        if (this.#takeJacobian(results, this.#r!)) return
        this.#stopReason = this.#finalReason
        return
      case 'trial':
        this.#tellTrial(results)
    }
  }

  /** Points for a finite-difference Jacobian at `x`, each inside the bounds. */
  #askJacobian(x: Float64Array): Float64Array[] {
    const { lower, upper } = this.#problem
    const plans: ColumnPlan[] = []
    const points: Float64Array[] = []
    for (let j = 0; j < x.length; j++) {
      // As MINPACK: relative to |x|, or absolute at zero. A parameter whose relative step once gave
      // a blind (all-zero) column, e.g. an offset that starts at 1e-90, gets an absolute step from then on.
      const scale = this.#absoluteStep[j] ? Math.max(1, Math.abs(x[j]!)) : Math.abs(x[j]!) || 1
      const roomUp = upper[j]! - x[j]!
      const roomDown = x[j]! - lower[j]!
      let offsets: number[]
      const central = this.#s.differences === 'central' || this.#polishing
      const h =
        this.#s.relativeStep * (central && this.#s.differences === 'forward' ? CENTRAL_FACTOR : 1) * scale
      if (central && roomUp >= h && roomDown >= h) offsets = [h, -h]
      else if (roomUp >= h) offsets = [h]
      else if (roomDown >= h) offsets = [-h]
      else offsets = [roomUp >= roomDown ? roomUp : -roomDown] // a box narrower than the step
      const exact: number[] = []
      for (const offset of offsets) {
        const point = Float64Array.from(x)
        point[j] = x[j]! + offset
        exact.push(point[j]! - x[j]!) // the step actually taken, after rounding
        points.push(point)
      }
      plans.push({ offsets: exact })
    }
    this.#pendingPlans = plans
    return points
  }

  /**
   * Builds the Jacobian columns from the results of #askJacobian around a point with residuals `r`.
   * Returns true when a column came out blind with a relative step (now switched to absolute), so
   * the Jacobian must be asked again.
   */
  #takeJacobian(results: readonly Told[], r: Float64Array): boolean {
    let blind = false
    const plans = this.#pendingPlans!
    const columns: Float64Array[] = []
    let k = 0
    for (const plan of plans) {
      const column = new Float64Array(r.length)
      const told = plan.offsets.map(() => results[k++]!)
      const ok = told.every((t) => Number.isFinite(t.loss))
      if (ok && plan.offsets.length === 2) {
        const plus = residualsOf(told[0]!, r.length)
        const minus = residualsOf(told[1]!, r.length)
        const width = plan.offsets[0]! - plan.offsets[1]!
        for (let i = 0; i < r.length; i++) column[i] = (plus[i]! - minus[i]!) / width
      } else if (ok && plan.offsets[0] !== 0) {
        const shifted = residualsOf(told[0]!, r.length)
        for (let i = 0; i < r.length; i++) column[i] = (shifted[i]! - r[i]!) / plan.offsets[0]!
      }
      const j = columns.length
      if (
        ok &&
        !this.#absoluteStep[j] &&
        Math.abs(plan.offsets[0]!) < this.#s.relativeStep &&
        column.every((v) => v === 0)
      ) {
        this.#absoluteStep[j] = true
        blind = true
      }
      // A failed difference point leaves the column zero: that parameter is held for this step.
      columns.push(column)
    }
    this.#columns = columns
    this.#jacobianCurrent = !blind
    this.#pendingPlans = undefined
    return blind
  }

  #columnNorms(): Float64Array {
    const norms = new Float64Array(this.#columns!.length)
    // A loop, not Math.hypot(...column): spreading a long residual vector overflows the call stack.
    this.#columns!.forEach((column, j) => {
      let sum = 0
      for (let i = 0; i < column.length; i++) sum += column[i]! * column[i]!
      norms[j] = Math.sqrt(sum)
    })
    return norms
  }

  #initialiseScaling(): void {
    const norms = this.#columnNorms()
    for (let j = 0; j < norms.length; j++) this.#d[j] = norms[j]! === 0 ? 1 : norms[j]!
    const xnorm = this.#scaledNorm(this.#x)
    this.#radius = this.#s.stepBound * xnorm || this.#s.stepBound
  }

  /** MINPACK mode 1: each scale only grows, so the trust region never widens by rescaling alone. */
  #updateScaling(): void {
    const norms = this.#columnNorms()
    for (let j = 0; j < norms.length; j++) this.#d[j] = Math.max(this.#d[j]!, norms[j]!)
  }

  #scaledNorm(v: Float64Array): number {
    let sum = 0
    for (let j = 0; j < v.length; j++) sum += (this.#d[j]! * v[j]!) ** 2
    return Math.sqrt(sum)
  }

  /** After a new Jacobian: test the gradient, then get ready to step. */
  #afterJacobian(): void {
    this.#subproblem = undefined
    if (this.#fnorm === 0) {
      this.#stopReason = 'converged: the residuals are zero'
      return
    }
    const cosine = this.#gradientCosine()
    if (cosine <= this.#s.gtol) {
      this.#stopReason = `converged: the gradient is orthogonal to the residuals (cosine ${cosine.toExponential(2)})`
      return
    }
    if (cosine <= EPS) {
      this.#stopReason = 'converged: the gradient is zero to machine precision'
      return
    }
    this.#phase = 'trial'
  }

  /** max_j |J_jᵀ r| / (‖J_j‖ ‖r‖), MINPACK's gnorm; over the columns that are free to move. */
  #gradientCosine(): number {
    const r = this.#r!
    let worst = 0
    this.#columns!.forEach((column, j) => {
      let norm = 0
      let dot = 0
      for (let i = 0; i < r.length; i++) {
        norm += column[i]! * column[i]!
        dot += column[i]! * r[i]!
      }
      if (norm === 0 || this.#pinned(j, dot)) return
      worst = Math.max(worst, Math.abs(dot) / (Math.sqrt(norm) * this.#fnorm))
    })
    return worst
  }

  /** Whether parameter j sits on a bound with the descent direction (-Jᵀr) pointing out of the box. */
  #pinned(j: number, gradient: number): boolean {
    const { lower, upper } = this.#problem
    return (this.#x[j]! <= lower[j]! && gradient > 0) || (this.#x[j]! >= upper[j]! && gradient < 0)
  }

  #makeTrial(): Trial {
    const n = this.#x.length
    const r = this.#r!
    // Pinned parameters get a zero column: the step leaves them where they are.
    const columns = this.#columns!.map((column, j) => {
      let dot = 0
      for (let i = 0; i < r.length; i++) dot += column[i]! * r[i]!
      return this.#pinned(j, dot) ? new Float64Array(r.length) : column
    })
    this.#subproblem ??= new TrustRegionSubproblem(columns, this.#d, r)
    const step = this.#subproblem.solve(this.#radius)
    this.#lambda = step.lambda
    const x = new Float64Array(n)
    const taken = new Float64Array(n)
    let clipped = false
    for (let j = 0; j < n; j++) {
      const target = this.#x[j]! + step.p[j]!
      x[j] = Math.min(this.#problem.upper[j]!, Math.max(this.#problem.lower[j]!, target))
      if (x[j] !== target) clipped = true
      taken[j] = x[j]! - this.#x[j]!
    }
    const fnorm2 = this.#fnorm * this.#fnorm
    let predicted: number
    let directional: number
    if (!clipped) {
      // MINPACK's form, free of the cancellation in ‖r‖² - ‖r + Jp‖².
      predicted = (step.jpSquared + 2 * step.dampingSquared) / fnorm2
      directional = -(step.jpSquared + step.dampingSquared) / fnorm2
    } else {
      let linearised = 0
      let jp2 = 0
      for (let i = 0; i < r.length; i++) {
        let jp = 0
        for (let j = 0; j < n; j++) jp += columns[j]![i]! * taken[j]!
        linearised += (r[i]! + jp) ** 2
        jp2 += jp * jp
      }
      predicted = 1 - linearised / fnorm2
      directional = -jp2 / fnorm2
    }
    return { x, step: taken, scaledNorm: this.#scaledNorm(taken), predicted, directional }
  }

  #tellTrial(results: readonly Told[]): void {
    const trial = this.#pendingTrial!
    this.#pendingTrial = undefined
    const told = results[0]!
    const fnorm1 = Number.isFinite(told.loss) ? Math.sqrt(told.loss) : Number.POSITIVE_INFINITY
    if (this.#iterations === 0 && this.#radius > trial.scaledNorm) this.#radius = trial.scaledNorm
    const actual = 0.1 * fnorm1 < this.#fnorm ? 1 - (fnorm1 / this.#fnorm) ** 2 : -1
    const ratio = trial.predicted === 0 ? 0 : actual / trial.predicted

    // MINPACK's radius update.
    if (ratio <= 0.25) {
      let factor = actual >= 0 ? 0.5 : (0.5 * trial.directional) / (trial.directional + 0.5 * actual)
      if (0.1 * fnorm1 >= this.#fnorm || factor < 0.1) factor = 0.1
      this.#radius = factor * Math.min(this.#radius, trial.scaledNorm / 0.1)
      this.#lambda /= factor
    } else if (this.#lambda === 0 || ratio >= 0.75) {
      this.#radius = trial.scaledNorm / 0.5
      this.#lambda *= 0.5
    }

    const accepted = ratio >= 1e-4
    if (accepted) {
      this.#x = trial.x
      this.#r = residualsOf(told, this.#r!.length)
      this.#fnorm = fnorm1
      this.#iterations++
      this.#subproblem = undefined
      this.#jacobianCurrent = false
    }

    const xnorm = this.#scaledNorm(this.#x)
    const { ftol, xtol } = this.#s
    let reason: string | undefined
    if (Math.abs(actual) <= ftol && trial.predicted <= ftol && 0.5 * ratio <= 1) {
      reason = `converged: relative reduction of the sum of squares below ftol (${ftol})`
    } else if (this.#radius <= xtol * xnorm) {
      reason = `converged: relative step size below xtol (${xtol})`
    } else if (Math.abs(actual) <= EPS && trial.predicted <= EPS && 0.5 * ratio <= 1) {
      reason = 'converged: no further reduction of the sum of squares is possible at machine precision'
    } else if (this.#radius <= EPS * xnorm) {
      reason = 'converged: no further improvement of the parameters is possible at machine precision'
    } else if (this.#fnorm === 0) {
      reason = 'converged: the residuals are zero'
    }

    if (accepted && this.#s.prefetchJacobian && results.length > 1) {
      // When stopping (or polishing next) the plain path never sees this Jacobian's column norms;
      // leaving the scaling alone keeps both paths on the same iterates, bit for bit.
      if (!this.#takeJacobian(results.slice(1), this.#r!) && reason === undefined) this.#updateScaling()
    }
    if (reason !== undefined) {
      this.#finish(reason)
      return
    }
    if (!accepted) return // same Jacobian, smaller radius: the next ask() is another trial
    if (this.#jacobianCurrent) this.#afterJacobian()
    else this.#phase = 'jacobian'
  }

  /** Stops, after a central-difference polish and one more Jacobian round when needed. */
  #finish(reason: string): void {
    if (this.#s.polish && this.#s.differences === 'forward' && !this.#polishing) {
      this.#polishing = true
      this.#radius = Math.max(this.#radius, 1e-3 * this.#scaledNorm(this.#x))
      this.#phase = 'jacobian'
      return
    }
    if (this.#jacobianCurrent) {
      this.#stopReason = reason
      return
    }
    this.#phase = 'final-jacobian'
    this.#finalReason = reason
  }

  /** Checkpoints are taken between rounds, so nothing pending needs saving: ask() recomputes the trial. */
  saveState(): OptimizerState {
    return {
      settings: { ...this.#s },
      phase: this.#phase,
      stopReason: this.#stopReason,
      finalReason: this.#finalReason,
      polishing: this.#polishing,
      absoluteStep: [...this.#absoluteStep],
      scalingPending: this.#scalingPending,
      x: Float64Array.from(this.#x),
      r: this.#r === undefined ? undefined : Float64Array.from(this.#r),
      fnorm: this.#fnorm,
      columns: this.#columns?.map((c) => Float64Array.from(c)),
      jacobianCurrent: this.#jacobianCurrent,
      d: Float64Array.from(this.#d),
      radius: this.#radius,
      lambda: this.#lambda,
      iterations: this.#iterations,
    }
  }

  static restore(problem: Problem, state: OptimizerState): LevenbergMarquardt {
    const s = state as ReturnType<LevenbergMarquardt['saveState']> & {
      settings: Settings
      phase: Phase
      stopReason: string | undefined
      finalReason: string | undefined
      polishing: boolean
      absoluteStep: boolean[]
      scalingPending: boolean
      x: Float64Array
      r: Float64Array | undefined
      fnorm: number
      columns: Float64Array[] | undefined
      jacobianCurrent: boolean
      d: Float64Array
      radius: number
      lambda: number
      iterations: number
    }
    const lm = new LevenbergMarquardt(problem, s.settings)
    lm.#phase = s.phase
    lm.#stopReason = s.stopReason
    lm.#finalReason = s.finalReason
    lm.#polishing = s.polishing
    lm.#absoluteStep = [...s.absoluteStep]
    lm.#scalingPending = s.scalingPending
    lm.#x = Float64Array.from(s.x)
    lm.#r = s.r === undefined ? undefined : Float64Array.from(s.r)
    lm.#fnorm = s.fnorm
    lm.#columns = s.columns?.map((c) => Float64Array.from(c))
    lm.#jacobianCurrent = s.jacobianCurrent
    lm.#d = Float64Array.from(s.d)
    lm.#radius = s.radius
    lm.#lambda = s.lambda
    lm.#iterations = s.iterations
    return lm
  }
}

function residualsOf(told: Told, expected?: number): Float64Array {
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
