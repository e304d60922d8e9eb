// What a Levenberg-Marquardt run saves between rounds to continue exactly where it was. A trial
// step being asked is not saved: it follows from the rest, and ask() computes it again.

import type { Curvature } from './acceleration.ts'
import type { JacobianState } from './jacobian.ts'
import type { LevenbergMarquardtSettings } from './options.ts'

export type Phase = 'start' | 'trial' | 'jacobian' | 'final-jacobian'

export interface LevenbergMarquardtState {
  readonly settings: LevenbergMarquardtSettings
  readonly phase: Phase
  readonly stopReason: string | undefined
  /** Why the run converged, while the Jacobian for the covariance is still being evaluated. */
  readonly finalReason: string | undefined
  /** True once converged with forward differences and polishing with central ones... */
  readonly polishing: boolean
  /** ...and why the forward differences stopped. */
  readonly polishReason: string | undefined
  /** The start's Jacobian had to be asked again: the scaling is initialised when it comes. */
  readonly scalingPending: boolean
  readonly x: Float64Array
  readonly r: Float64Array | undefined
  readonly jacobian: JacobianState
  /** Whether the Jacobian holds at x (false after a longer step, until a new one is evaluated). */
  readonly jacobianCurrent: boolean
  readonly d: Float64Array
  readonly radius: number
  readonly iterations: number
  /** The last accepted step and the residuals before it, until the Jacobian after it is known. */
  readonly previous: { step: Float64Array; r: Float64Array } | undefined
  readonly curvature: Curvature | undefined
}

/** Copies of every array, so that a saved state shares nothing with the running optimizer. */
export function copyState(state: LevenbergMarquardtState): LevenbergMarquardtState {
  const copy = (v: Float64Array) => Float64Array.from(v)
  const { jacobian, previous, curvature } = state
  return {
    ...state,
    settings: { ...state.settings },
    x: copy(state.x),
    r: state.r === undefined ? undefined : copy(state.r),
    jacobian: {
      absoluteStep: [...jacobian.absoluteStep],
      columns: jacobian.columns?.map(copy),
      at: jacobian.at === undefined ? undefined : copy(jacobian.at),
      reach: jacobian.reach === undefined ? undefined : copy(jacobian.reach),
    },
    d: copy(state.d),
    previous: previous === undefined ? undefined : { step: copy(previous.step), r: copy(previous.r) },
    curvature:
      curvature === undefined
        ? undefined
        : { direction: copy(curvature.direction), rdd: copy(curvature.rdd) },
  }
}
