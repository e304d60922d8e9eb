// A damped oscillator, x(t) = A e^(-γt) cos(ωt + φ), fitted to 40 noisy measurements. The model
// is not evaluated from that formula but integrated from its differential equation with many
// small Runge-Kutta steps, so that one evaluation costs real CPU time (tens of milliseconds),
// as a simulation would. Fit it on every core:
//
//   npx parafit fit examples/fit/oscillator.ts            (or: npm run demo)

import { defineObjective } from '@parafit/core'

export type OscillatorParams = { amplitude: number; damping: number; frequency: number; phase: number }

interface Data {
  t: number[]
  y: number[]
  /** Runge-Kutta steps per unit of time: the cost of one evaluation. */
  stepsPerUnit: number
}

/** Integrates x'' = -2γx' - (ω² + γ²)x from t = 0 and samples x at each t (ascending). */
function simulate(p: OscillatorParams, t: readonly number[], stepsPerUnit: number): Float64Array {
  const { amplitude: a, damping: g, frequency: w, phase: phi } = p
  const k = w * w + g * g
  let x = a * Math.cos(phi)
  let v = -a * (g * Math.cos(phi) + w * Math.sin(phi))
  const out = new Float64Array(t.length)
  const h = 1 / stepsPerUnit
  let now = 0
  for (let i = 0; i < t.length; i++) {
    while (now + h <= t[i]!) {
      const ax = (px: number, pv: number) => -2 * g * pv - k * px
      const k1x = v
      const k1v = ax(x, v)
      const k2x = v + 0.5 * h * k1v
      const k2v = ax(x + 0.5 * h * k1x, v + 0.5 * h * k1v)
      const k3x = v + 0.5 * h * k2v
      const k3v = ax(x + 0.5 * h * k2x, v + 0.5 * h * k2v)
      const k4x = v + h * k3v
      const k4v = ax(x + h * k3x, v + h * k3v)
      x += (h / 6) * (k1x + 2 * k2x + 2 * k3x + k4x)
      v += (h / 6) * (k1v + 2 * k2v + 2 * k3v + k4v)
      now += h
    }
    out[i] = x
  }
  return out
}

// Synthetic measurements from known parameters, with deterministic noise of 1% of the amplitude.
const truth: OscillatorParams = { amplitude: 2, damping: 0.35, frequency: 3.1, phase: 0.4 }
const t = Array.from({ length: 40 }, (_, i) => 0.15 * (i + 1))
const clean = simulate(truth, t, 2000)
const y = t.map((ti, i) => clean[i]! + 0.02 * Math.sin(12.9898 * ti * 43758.5453))

/**
 * The measurements, for `parafit fit --plots`: the data, the fit and the residuals in one figure
 * (`residual`: the objective below returns (model − data)/σ, as lmfit's do).
 */
export const data = { x: t, y, sigma: t.map(() => 0.02), residual: 'model - data' as const }

/** Handed to the objective factory once per worker. */
export const init: Data = { t, y, stepsPerUnit: 100_000 }

export const initial: OscillatorParams = { amplitude: 1.5, damping: 0.5, frequency: 2.9, phase: 0 }

export const bounds = {
  amplitude: [0, 10],
  damping: [0, 5],
  frequency: [0.1, 10],
  phase: [-Math.PI, Math.PI],
} as const

export const objective = defineObjective((data: Data) => (p: OscillatorParams, ctx) => {
  const model = simulate(p, data.t, data.stepsPerUnit)
  const residuals = model.map((m, i) => (m - data.y[i]!) / 0.02)
  ctx.quantities = { maxAbsResidual: Math.max(...residuals.map(Math.abs)) }
  return residuals
})
