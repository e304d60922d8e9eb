// One dataset of an exponential-decay experiment, fitted by (amplitude, rate). The model is
// integrated numerically on a fine grid, so one evaluation costs real CPU time, as a physics
// model would. `init` (the data) reaches each worker once.
import { defineObjective, hooks } from '@parafit/core'

export interface DecayData {
  label: string
  t: Float64Array
  y: Float64Array
  /** Integration steps per data point: the cost knob. */
  steps: number
}

export type DecayParams = { amplitude: number; rate: Record<string, number> }

export default defineObjective((data: DecayData) => (p: DecayParams, ctx) => {
  const k = p.rate[data.label]!
  const residuals = new Float64Array(data.t.length)
  for (let i = 0; i < data.t.length; i++) {
    // Integrate dy/dt = -k y from 0 to t[i] with explicit Euler steps.
    const dt = data.t[i]! / data.steps
    let y = p.amplitude
    for (let s = 0; s < data.steps; s++) y -= k * y * dt
    residuals[i] = y - data.y[i]!
  }
  ctx.meta.dataset = data.label
  ctx.quantities = { points: data.t.length, maxAbsResidual: Math.max(...residuals.map(Math.abs)) }
  return residuals
}).withHooks(hooks.timing())
