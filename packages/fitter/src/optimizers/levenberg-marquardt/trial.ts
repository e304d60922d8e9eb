// A trial step of Levenberg-Marquardt: the step within the trust radius (bent by geodesic
// acceleration where that applies, clipped to the box), the reduction its linear model predicts,
// how it fared, and MINPACK's update of the radius from that.

import { norm2, scaledNorm } from '../../least-squares/norms.ts'
import type { TrustRegionSubproblem } from '../../least-squares/trust-region-step.ts'
import { accelerationFor, type Curvature } from './acceleration.ts'
import { EPS } from './options.ts'

export interface Trial {
  readonly x: Float64Array
  readonly step: Float64Array
  readonly scaledNorm: number
  readonly lambda: number
  /** MINPACK's predicted relative reduction of the sum of squares, and its directional derivative. */
  readonly predicted: number
  readonly directional: number
  /** The plain Gauss-Newton step: undamped, not bent by acceleration, not clipped by a bound. */
  readonly gaussNewton: boolean
}

/** Where the step starts, and what it is taken on. */
export interface TrialInputs {
  readonly x: Float64Array
  readonly r: Float64Array
  readonly fnorm: number
  /** The Jacobian's columns, those of parameters held on a bound set to zero. */
  readonly columns: readonly Float64Array[]
  readonly d: Float64Array
  readonly radius: number
  readonly lower: Float64Array
  readonly upper: Float64Array
  readonly subproblem: TrustRegionSubproblem
  /** The residuals' curvature along the last step, for acceleration; undefined for none. */
  readonly curvature: Curvature | undefined
}

export function makeTrial(inputs: TrialInputs): Trial {
  const { x: from, r, fnorm, columns, d, lower, upper, subproblem, curvature } = inputs
  const n = from.length
  const step = subproblem.solve(inputs.radius)
  const acceleration =
    curvature === undefined
      ? undefined
      : accelerationFor(step.p, step.scaledNorm, step.lambda, curvature, d, subproblem)
  const x = new Float64Array(n)
  const taken = new Float64Array(n)
  let clipped = false
  for (let j = 0; j < n; j++) {
    const target = from[j]! + step.p[j]! + (acceleration?.[j] ?? 0)
    x[j] = Math.min(upper[j]!, Math.max(lower[j]!, target))
    if (x[j] !== target) clipped = true
    taken[j] = x[j]! - from[j]!
  }
  const gaussNewton = step.lambda === 0 && acceleration === undefined && !clipped
  if (!clipped) {
    // The reduction the linear model predicts for the step itself (for an accelerated step, for
    // its velocity, as Transtrum and Sethna rate it): MINPACK's form, free of the cancellation
    // in ‖r‖² - ‖r + Jp‖².
    const { lambda, predicted, directional } = step
    return { x, step: taken, scaledNorm: step.scaledNorm, lambda, predicted, directional, gaussNewton }
  }
  // Clipped: the prediction for the step actually taken.
  const jp = new Float64Array(r.length)
  for (let j = 0; j < n; j++) {
    if (taken[j] === 0) continue
    const column = columns[j]!
    for (let i = 0; i < r.length; i++) jp[i]! += column[i]! * taken[j]!
  }
  const linearised = norm2(jp.map((v, i) => r[i]! + v)) / fnorm
  const jpNorm = norm2(jp) / fnorm
  return {
    x,
    step: taken,
    scaledNorm: scaledNorm(d, taken),
    lambda: step.lambda,
    predicted: 1 - linearised * linearised,
    directional: -jpNorm * jpNorm,
    gaussNewton,
  }
}

/** How a trial fared: the actual relative reduction of the sum of squares and its ratio to the predicted one. */
export function outcomeOf(trial: Trial, fnorm: number, fnorm1: number): { actual: number; ratio: number } {
  const actual = 0.1 * fnorm1 < fnorm ? 1 - (fnorm1 / fnorm) ** 2 : -1
  return { actual, ratio: trial.predicted === 0 ? 0 : actual / trial.predicted }
}

/** MINPACK's radius after a trial: shrunk when the model overpromised, widened when it kept its word. */
export function radiusAfter(
  radius: number,
  trial: Trial,
  outcome: { actual: number; ratio: number },
  norms: { fnorm: number; fnorm1: number },
): number {
  const { actual, ratio } = outcome
  if (ratio <= 0.25) {
    let factor = actual >= 0 ? 0.5 : (0.5 * trial.directional) / (trial.directional + 0.5 * actual)
    if (0.1 * norms.fnorm1 >= norms.fnorm || factor < 0.1) factor = 0.1
    return factor * Math.min(radius, trial.scaledNorm / 0.1)
  }
  if (trial.lambda === 0 || ratio >= 0.75) return trial.scaledNorm / 0.5
  return radius
}

/**
 * MINPACK's convergence tests after a trial, or undefined: both reductions below ftol, the radius
 * below xtol times ‖D x‖, or either at machine precision.
 */
export function minpackConvergence(
  trial: Trial,
  { actual, ratio }: { actual: number; ratio: number },
  { radius, xnorm }: { radius: number; xnorm: number },
  { ftol, xtol }: { ftol: number; xtol: number },
): string | undefined {
  if (Math.abs(actual) <= ftol && trial.predicted <= ftol && 0.5 * ratio <= 1)
    return `converged: relative reduction of the sum of squares below ftol (${ftol})`
  if (radius <= xtol * xnorm) return `converged: relative step size below xtol (${xtol})`
  if (Math.abs(actual) <= EPS && trial.predicted <= EPS && 0.5 * ratio <= 1)
    return 'converged: no further reduction of the sum of squares is possible at machine precision'
  if (radius <= EPS * xnorm)
    return 'converged: no further improvement of the parameters is possible at machine precision'
  return undefined
}
