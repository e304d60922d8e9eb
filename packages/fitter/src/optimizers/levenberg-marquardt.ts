// Levenberg-Marquardt for residual objectives, as an ask/tell state machine. The algorithm is
// MINPACK's lmdif (Moré 1978): a trust region in variables scaled by the Jacobian's column
// norms, MINPACK's rules for growing and shrinking the region and its convergence tests. What
// differs is where the evaluations go: every finite-difference column of the Jacobian is one
// point of a batch, so n columns cost one round on the pool, and by default the Jacobian at a
// trial point is asked together with the trial point itself (prefetch), so an accepted step
// costs one round, not two. A rejected step wastes those n evaluations; the iterates are the
// same either way, only the evaluation count differs.
//
// Three things MINPACK does not do, each for fewer evaluations at the same or better accuracy:
// - geodesic acceleration (./levenberg-marquardt/acceleration.ts) bends each step along the
//   curvature the last step showed, so the trust region follows long curved valleys;
// - a step shorter than half the difference step keeps the Jacobian (a new one would differ by
//   less than its own error), which saves the last Jacobians of a converging run;
// - after converging with forward differences, a polish: one central-difference Jacobian and
//   Gauss-Newton steps on it while they improve, which removes the √ε bias forward differences
//   leave on problems with large residuals.
//
// Bounds: a parameter sitting on a bound, whose gradient points out of the box, is held fixed
// for the step (active set); the remaining step is then clipped to the box, and the predicted
// reduction is computed for the clipped step, so the trust-region logic stays honest.
//
// Norms are computed as MINPACK's enorm does (least-squares/norms.ts), so residuals of 1e200 or
// 1e-200 work as well as residuals of 1.

import { ValidationError } from '@parafit/core'
import { cosine, norm2, scaledNorm } from '../least-squares/norms.ts'
import { TrustRegionSubproblem } from '../least-squares/trust-region-step.ts'
import { type Curvature, curvatureAlong } from './levenberg-marquardt/acceleration.ts'
import { FiniteDifferenceJacobian, failed, residualsOf } from './levenberg-marquardt/jacobian.ts'
import {
  EPS,
  type LevenbergMarquardtOptions,
  type LevenbergMarquardtSettings,
  levenbergMarquardtSettings,
} from './levenberg-marquardt/options.ts'
import { type Phase, readLevenbergMarquardt, saveLevenbergMarquardt } from './levenberg-marquardt/state.ts'
import {
  makeTrial,
  minpackConvergence,
  outcomeOf,
  radiusAfter,
  type Trial,
} from './levenberg-marquardt/trial.ts'
import type { Optimizer, OptimizerState, OptimizerStop, Problem, Told } from './optimizer.ts'

export {
  type LevenbergMarquardtOptions,
  LM_OPTION_KEYS,
  levenbergMarquardtSettings,
} from './levenberg-marquardt/options.ts'

export class LevenbergMarquardt implements Optimizer {
  readonly method = 'lm' as const
  readonly #problem: Problem
  readonly #s: LevenbergMarquardtSettings
  readonly #jacobian: FiniteDifferenceJacobian
  #phase: Phase = 'start'
  #stop: OptimizerStop | undefined
  /** How many points the last ask() returned, until they are told. */
  #asked: number | undefined
  #finalReason: string | undefined
  #polishing = false
  #polishReason: string | undefined
  #scalingPending = false
  /** Current iterate, its residuals and ‖r‖. */
  #x: Float64Array
  #r: Float64Array | undefined
  #fnorm = Number.POSITIVE_INFINITY
  #jacobianCurrent = false
  #d: Float64Array
  #radius = 0
  #iterations = 0
  #previous: { step: Float64Array; r: Float64Array } | undefined
  #curvature: Curvature | undefined
  /** Caches for the current iterate: the step's subproblem, and the trial being asked. */
  #subproblem: TrustRegionSubproblem | undefined
  #trial: Trial | undefined

  /** Levenberg-Marquardt draws no random numbers: `_seed` is taken only so that every optimizer is made alike. */
  constructor(problem: Problem, options: LevenbergMarquardtOptions = {}, _seed?: number) {
    this.#problem = problem
    this.#s = levenbergMarquardtSettings(options)
    this.#jacobian = new FiniteDifferenceJacobian(problem, this.#s)
    this.#x = Float64Array.from(problem.x0)
    this.#d = new Float64Array(problem.x0.length)
  }

  /** How the run stopped (all its stops are 'converged', but for a start point that failed). */
  get stop(): OptimizerStop | undefined {
    return this.#stop
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
      jacobian: this.#jacobianCurrent ? this.#jacobian.columns : undefined,
    }
  }

  get iterations(): number {
    return this.#iterations
  }

  // Past phase 'start' the iterate has residuals, and past the first Jacobian, columns: tell()
  // sets them in that order, and restore() refuses a saved state without them.
  get #residuals(): Float64Array {
    if (this.#r === undefined) throw this.#broken('no residuals')
    return this.#r
  }

  get #columns(): Float64Array[] {
    const { columns } = this.#jacobian
    if (columns === undefined) throw this.#broken('no Jacobian')
    return columns
  }

  #broken(what: string): Error {
    // An internal invariant, never the user's doing.
    return new Error(
      `Levenberg-Marquardt has ${what} at its iterate in phase '${this.#phase}' (a bug in parafit)`,
    )
  }

  ask(): Float64Array[] {
    if (this.#stop !== undefined)
      throw new ValidationError(`ask() after Levenberg-Marquardt stopped (${this.#stop.reason})`)
    const points = this.#points()
    this.#asked = points.length
    return points
  }

  /** The batch of the current phase; asked again before a tell, the same points. */
  #points(): Float64Array[] {
    switch (this.#phase) {
      case 'start':
        // The start point and the Jacobian there, in one batch.
        return [Float64Array.from(this.#x), ...this.#jacobian.ask(this.#x, this.#polishing)]
      case 'jacobian':
      case 'final-jacobian':
        return this.#jacobian.ask(this.#x, this.#polishing)
      case 'trial': {
        this.#trial ??= this.#makeTrial()
        const x = this.#trial.x
        return this.#s.prefetchJacobian ? [x, ...this.#jacobian.ask(x, this.#polishing)] : [x]
      }
    }
  }

  tell(results: readonly Told[]): void {
    if (this.#asked === undefined) throw new ValidationError('tell() without a preceding ask()')
    if (results.length !== this.#asked) {
      throw new ValidationError(
        `tell() expected ${this.#asked} results (one per point asked), got ${results.length}`,
      )
    }
    this.#asked = undefined
    switch (this.#phase) {
      case 'start': {
        const start = results[0]!
        if (failed(start)) {
          this.#stop = { kind: 'failed', reason: 'failed: the objective failed at the start point' }
          return
        }
        this.#r = residualsOf(start)
        this.#fnorm = norm2(this.#r)
        if (!this.#jacobian.tell(results.slice(1), this.#r)) {
          this.#scalingPending = true
          this.#phase = 'jacobian'
          return
        }
        this.#jacobianCurrent = true
        this.#initialiseScaling()
        this.#afterJacobian()
        return
      }
      case 'jacobian':
        if (!this.#jacobian.tell(results, this.#residuals)) return // blind columns: ask it again
        this.#jacobianCurrent = true
        if (this.#scalingPending) this.#initialiseScaling()
        else this.#updateScaling()
        this.#scalingPending = false
        this.#afterJacobian()
        return
      case 'final-jacobian':
        if (!this.#jacobian.tell(results, this.#residuals)) return
        this.#jacobianCurrent = true
        this.#stop = { kind: 'converged', reason: this.#finalReason ?? 'converged' }
        return
      case 'trial':
        this.#tellTrial(results)
    }
  }

  #initialiseScaling(): void {
    const columns = this.#columns
    for (let j = 0; j < columns.length; j++) this.#d[j] = norm2(columns[j]!) || 1
    this.#radius = this.#s.stepBound * scaledNorm(this.#d, this.#x) || this.#s.stepBound
  }

  /** MINPACK mode 1: each scale only grows, so the trust region never widens by rescaling alone. */
  #updateScaling(): void {
    const columns = this.#columns
    for (let j = 0; j < columns.length; j++) this.#d[j] = Math.max(this.#d[j]!, norm2(columns[j]!))
  }

  /** With a Jacobian that holds at x: test the gradient, then get the next trial ready. */
  #afterJacobian(): void {
    this.#subproblem = undefined
    const previous = this.#previous
    this.#previous = undefined
    if (previous !== undefined && this.#s.acceleration && !this.#polishing) {
      this.#curvature = curvatureAlong(previous.step, previous.r, this.#residuals, this.#columns)
    }
    if (this.#fnorm === 0) {
      this.#stop = { kind: 'converged', reason: 'converged: the residuals are zero' }
      return
    }
    const gradient = this.#gradientCosine()
    if (gradient <= this.#s.gtol) {
      const reason = `converged: the gradient is orthogonal to the residuals (cosine ${gradient.toExponential(2)})`
      this.#stop = { kind: 'converged', reason }
      return
    }
    if (gradient <= EPS) {
      this.#stop = { kind: 'converged', reason: 'converged: the gradient is zero to machine precision' }
      return
    }
    this.#nextTrial()
  }

  /** max_j |J_jᵀ r| / (‖J_j‖ ‖r‖), MINPACK's gnorm; over the columns that are free to move. */
  #gradientCosine(): number {
    let worst = 0
    this.#columns.forEach((column, j) => {
      const c = cosine(column, this.#residuals)
      if (!this.#pinned(j, c)) worst = Math.max(worst, Math.abs(c))
    })
    return worst
  }

  /** Whether parameter j sits on a bound with the descent direction (-Jᵀr) pointing out of the box. */
  #pinned(j: number, gradient: number): boolean {
    const { lower, upper } = this.#problem
    return (this.#x[j]! <= lower[j]! && gradient > 0) || (this.#x[j]! >= upper[j]! && gradient < 0)
  }

  /**
   * Makes the next trial. Before a polish, a Gauss-Newton step that promises less than ftol is
   * not evaluated: the run has converged on forward differences, and the polish takes that step
   * on a better Jacobian.
   */
  #nextTrial(): void {
    const trial = this.#makeTrial()
    // #makeTrial() has just made the subproblem.
    if (!this.#subproblem!.finite) {
      const reason = 'stalled: numerical breakdown (the Jacobian scaled by its column norms is not finite)'
      this.#stop = { kind: 'stalled', reason }
      return
    }
    if (this.#polishFollows() && trial.gaussNewton && trial.predicted <= this.#s.ftol) {
      this.#finish(
        `converged: the Gauss-Newton step would reduce the sum of squares by less than ftol (${this.#s.ftol})`,
      )
      return
    }
    this.#trial = trial
    this.#phase = 'trial'
  }

  #polishFollows(): boolean {
    return this.#s.polish && this.#s.differences === 'forward' && !this.#polishing
  }

  #makeTrial(): Trial {
    const r = this.#residuals
    // Pinned parameters get a zero column: the step leaves them where they are.
    const columns = this.#columns.map((column, j) =>
      this.#pinned(j, cosine(column, r)) ? new Float64Array(r.length) : column,
    )
    this.#subproblem ??= new TrustRegionSubproblem(columns, this.#d, r)
    const accelerate = this.#s.acceleration && !this.#polishing
    return makeTrial({
      x: this.#x,
      r,
      fnorm: this.#fnorm,
      columns,
      d: this.#d,
      radius: this.#radius,
      lower: this.#problem.lower,
      upper: this.#problem.upper,
      subproblem: this.#subproblem,
      curvature: accelerate ? this.#curvature : undefined,
    })
  }

  #tellTrial(results: readonly Told[]): void {
    const trial = this.#trial! // made by ask(), which tell() requires
    this.#trial = undefined
    const told = results[0]!
    const fnorm1 = failed(told) ? Number.POSITIVE_INFINITY : norm2(residualsOf(told, this.#residuals.length))
    if (this.#iterations === 0 && this.#radius > trial.scaledNorm) this.#radius = trial.scaledNorm
    const outcome = outcomeOf(trial, this.#fnorm, fnorm1)
    const { ratio } = outcome
    this.#radius = radiusAfter(this.#radius, trial, outcome, { fnorm: this.#fnorm, fnorm1 })

    // In the polish, a Gauss-Newton step that stays where the central-difference Jacobian holds
    // is exact up to rounding; so is its predicted reduction, and a sum of squares that rose by
    // less than that is rounding too (at the 1e-12 of Lanczos3 it often is).
    const settled = this.#polishing && trial.gaussNewton && this.#jacobian.holdsAt(trial.x)
    const accepted = ratio >= 1e-4 || (settled && ratio > -1)
    if (accepted) {
      this.#previous = { step: trial.step, r: this.#residuals }
      this.#x = trial.x
      this.#r = residualsOf(told)
      this.#fnorm = fnorm1
      this.#iterations++
      this.#subproblem = undefined
      this.#jacobianCurrent &&= this.#jacobian.holdsAt(this.#x)
    }

    const reason =
      minpackConvergence(
        trial,
        outcome,
        { radius: this.#radius, xnorm: scaledNorm(this.#d, this.#x) },
        this.#s,
      ) ??
      (this.#fnorm === 0 ? 'converged: the residuals are zero' : undefined) ??
      this.#polishEnded(accepted, settled)

    if (accepted && !this.#jacobianCurrent && this.#s.prefetchJacobian && results.length > 1) {
      // When stopping (or polishing next) the plain path never sees this Jacobian's column norms;
      // leaving the scaling alone keeps both paths on the same iterates, bit for bit.
      this.#jacobianCurrent = this.#jacobian.tell(results.slice(1), this.#residuals)
      if (this.#jacobianCurrent && reason === undefined) this.#updateScaling()
    }
    if (reason !== undefined) {
      this.#finish(reason)
      return
    }
    if (!accepted) {
      this.#nextTrial() // same Jacobian, smaller radius
      return
    }
    if (this.#jacobianCurrent) this.#afterJacobian()
    else this.#phase = 'jacobian'
  }

  /** The polish's end, or undefined to go on. */
  #polishEnded(accepted: boolean, settled: boolean): string | undefined {
    // A rejected step: the central-difference model finds no better point, what is left is
    // rounding. A full Gauss-Newton step that stays where the Jacobian holds: the next one would
    // correct the second order of this one's error only.
    return this.#polishing && (!accepted || settled) ? this.#polishReason : undefined
  }

  /** Stops, after a central-difference polish and one more Jacobian round when needed. */
  #finish(reason: string): void {
    if (this.#polishFollows()) {
      this.#polishing = true
      this.#polishReason = reason
      this.#radius = Math.max(this.#radius, 1e-3 * scaledNorm(this.#d, this.#x))
      this.#jacobianCurrent = false
      this.#phase = 'jacobian'
      return
    }
    if (this.#jacobianCurrent) {
      this.#stop = { kind: 'converged', reason }
      return
    }
    this.#phase = 'final-jacobian'
    this.#finalReason = reason
  }

  /** Everything needed to continue; a batch asked but not told is asked again by restore(). */
  saveState(): OptimizerState {
    return saveLevenbergMarquardt(
      {
        phase: this.#phase,
        asked: this.#asked !== undefined,
        stop: this.#stop,
        finalReason: this.#finalReason,
        polishing: this.#polishing,
        polishReason: this.#polishReason,
        scalingPending: this.#scalingPending,
        x: this.#x,
        r: this.#r,
        jacobian: this.#jacobian.saveState(),
        jacobianCurrent: this.#jacobianCurrent,
        d: this.#d,
        radius: this.#radius,
        iterations: this.#iterations,
        previous: this.#previous,
        curvature: this.#curvature,
      },
      this.#s,
    )
  }

  /** Continues a saved run exactly; an OptimizerStateError when `saved` is not one for this problem. */
  static restore(problem: Problem, saved: OptimizerState): LevenbergMarquardt {
    const { settings, state: s } = readLevenbergMarquardt(saved, problem)
    const lm = new LevenbergMarquardt(problem, settings)
    lm.#phase = s.phase
    lm.#stop = s.stop
    lm.#finalReason = s.finalReason
    lm.#polishing = s.polishing
    lm.#polishReason = s.polishReason
    lm.#scalingPending = s.scalingPending
    lm.#x = s.x
    lm.#r = s.r
    lm.#fnorm = s.r === undefined ? Number.POSITIVE_INFINITY : norm2(s.r)
    lm.#jacobian.restoreState(s.jacobian)
    lm.#jacobianCurrent = s.jacobianCurrent
    lm.#d = s.d
    lm.#radius = s.radius
    lm.#iterations = s.iterations
    lm.#previous = s.previous
    lm.#curvature = s.curvature
    // The trial made again (it follows from the rest), and the batch that was asked, asked again:
    // the same points, ready for their results.
    if (lm.#phase === 'trial' && lm.#stop === undefined) lm.#nextTrial()
    if (s.asked && lm.#stop === undefined) lm.ask()
    return lm
  }
}
