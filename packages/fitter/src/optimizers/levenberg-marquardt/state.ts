// What a Levenberg-Marquardt run holds between rounds, and how it is saved and read back. A batch
// asked but not told is saved as a flag only: it follows from the rest, and restore() asks it
// again, so the copy goes on with exactly the same points.

import { ValidationError } from '@parafit/core'
import type { OptimizerState, OptimizerStop } from '../optimizer.ts'
import { SavedState, savedStop, stateHeader } from '../saved-state.ts'
import type { Curvature } from './acceleration.ts'
import type { JacobianState } from './jacobian.ts'
import { type LevenbergMarquardtSettings, levenbergMarquardtSettings } from './options.ts'

export const STATE_KIND = 'lm'
export const STATE_VERSION = 1

const PHASES = ['start', 'trial', 'jacobian', 'final-jacobian'] as const
export type Phase = (typeof PHASES)[number]

/** Everything that changes during a run; saveState writes exactly this (plus the settings). */
export interface LevenbergMarquardtState {
  readonly phase: Phase
  /** A batch was asked and not yet told. */
  readonly asked: boolean
  readonly stop: OptimizerStop | undefined
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

const list = (v: Float64Array | undefined) => (v === undefined ? null : Array.from(v))

/** Plain arrays, booleans, strings and finite numbers only: the state survives JSON and structuredClone. */
export function saveLevenbergMarquardt(
  state: LevenbergMarquardtState,
  settings: LevenbergMarquardtSettings,
): OptimizerState {
  const { jacobian, previous, curvature } = state
  return {
    ...stateHeader(STATE_KIND, STATE_VERSION, state.x.length),
    options: { ...settings },
    phase: state.phase,
    asked: state.asked,
    stop: savedStop(state.stop),
    finalReason: state.finalReason ?? null,
    polishing: state.polishing,
    polishReason: state.polishReason ?? null,
    scalingPending: state.scalingPending,
    x: Array.from(state.x),
    r: list(state.r),
    jacobian: {
      absoluteStep: jacobian.absoluteStep.map((absolute) => (absolute ? 1 : 0)),
      columns: jacobian.columns?.map((c) => Array.from(c)) ?? null,
      at: list(jacobian.at),
      reach: list(jacobian.reach),
    },
    jacobianCurrent: state.jacobianCurrent,
    d: Array.from(state.d),
    radius: state.radius,
    iterations: state.iterations,
    previous: previous === undefined ? null : { step: Array.from(previous.step), r: Array.from(previous.r) },
    curvature:
      curvature === undefined
        ? null
        : { direction: Array.from(curvature.direction), rdd: Array.from(curvature.rdd) },
  }
}

/** Reads a saved state back for a problem of n parameters and the given bounds; OptimizerStateError when it cannot be one. */
export function readLevenbergMarquardt(
  state: unknown,
  bounds: { lower: Float64Array; upper: Float64Array },
): { settings: LevenbergMarquardtSettings; state: LevenbergMarquardtState } {
  const n = bounds.lower.length
  const saved = SavedState.open(state, {
    kind: STATE_KIND,
    version: STATE_VERSION,
    n,
    label: 'Levenberg-Marquardt',
  })
  const settings = readSettings(saved)
  const phase = saved.choice('phase', PHASES)
  const x = saved.vector('x', n)
  for (let j = 0; j < n; j++)
    if (!(x[j]! >= bounds.lower[j]! && x[j]! <= bounds.upper[j]!))
      saved.invalid('x', `has x[${j}] outside the bounds`)
  const r = saved.optionalVector('r')
  if (r !== undefined && r.length === 0) saved.invalid('r', 'is empty')
  if (r === undefined && phase !== 'start') saved.invalid('r', `is missing in phase '${phase}'`)
  const m = r?.length
  const jacobian = readJacobian(saved.record('jacobian'), n, m)
  if (jacobian.columns === undefined && (phase === 'trial' || phase === 'final-jacobian'))
    saved.invalid('jacobian', `has no columns in phase '${phase}'`)
  const finalReason = saved.optionalText('finalReason')
  if (phase === 'final-jacobian' && finalReason === undefined) saved.invalid('finalReason', 'is missing')
  const polishing = saved.boolean('polishing')
  const polishReason = saved.optionalText('polishReason')
  if (polishing && polishReason === undefined) saved.invalid('polishReason', 'is missing while polishing')
  const scalingPending = saved.boolean('scalingPending')
  // The scales are set from the start point's Jacobian, and positive from then on.
  const d = saved.vector('d', n)
  const scaled = phase !== 'start' && !scalingPending
  if (d.some((dj) => (scaled ? !(dj > 0) : dj < 0))) saved.invalid('d', 'holds a scale that is not positive')
  const previous = saved.present('previous') ? saved.record('previous') : undefined
  const curvature = saved.present('curvature') ? saved.record('curvature') : undefined
  if (m === undefined && (previous !== undefined || curvature !== undefined))
    saved.invalid(previous === undefined ? 'curvature' : 'previous', 'is there without residuals')
  return {
    settings,
    state: {
      phase,
      asked: saved.boolean('asked'),
      stop: saved.stop(),
      finalReason,
      polishing,
      polishReason,
      scalingPending,
      x,
      r,
      jacobian,
      jacobianCurrent: saved.boolean('jacobianCurrent') && jacobian.columns !== undefined,
      d,
      radius: saved.number('radius', { min: 0 }),
      iterations: saved.number('iterations', { integer: true, min: 0 }),
      previous: previous && { step: previous.vector('step', n), r: previous.vector('r', m) },
      curvature: curvature && {
        direction: curvature.vector('direction', n),
        rdd: curvature.vector('rdd', m),
      },
    },
  }
}

function readSettings(saved: SavedState): LevenbergMarquardtSettings {
  const options = saved.record('options')
  const read = {
    differences: options.choice('differences', ['forward', 'central'] as const),
    relativeStep: options.number('relativeStep', { min: 0 }),
    ftol: options.number('ftol', { min: 0 }),
    xtol: options.number('xtol', { min: 0 }),
    gtol: options.number('gtol', { min: 0 }),
    prefetchJacobian: options.boolean('prefetchJacobian'),
    polish: options.boolean('polish'),
    acceleration: options.boolean('acceleration'),
    stepBound: options.number('stepBound', { min: 0 }),
  }
  try {
    return levenbergMarquardtSettings(read)
  } catch (error) {
    if (error instanceof ValidationError) saved.invalid('options', error.message)
    throw error
  }
}

function readJacobian(saved: SavedState, n: number, m: number | undefined): JacobianState {
  const flags = saved.vector('absoluteStep', n)
  if (flags.some((f) => f !== 0 && f !== 1))
    saved.invalid('absoluteStep', 'holds something other than 0 and 1')
  let columns: Float64Array[] | undefined
  if (saved.present('columns')) {
    if (m === undefined) saved.invalid('columns', 'are there without residuals')
    columns = saved.vectors('columns', m, n)
  }
  const reach = saved.optionalVector('reach', n)
  if (reach?.some((v) => v < 0)) saved.invalid('reach', 'holds a negative distance')
  return {
    absoluteStep: Array.from(flags, (f) => f === 1),
    columns,
    at: saved.optionalVector('at', n),
    reach,
  }
}
