// A straight line y = a + b·x through 30 points with noise σ = 0.2, as a residual objective
// ((y − model)/σ), the form a Fitter fits; the data are made from a seeded stream.
import { defineObjective, Random } from '@parafit/core'

export const sigma = 0.2
const random = Random.fromSeed(7)
export const xs = Float64Array.from({ length: 30 }, (_, i) => i / 10)
export const ys = Float64Array.from(xs, (x) => 1 + 2 * x + sigma * random.normal())

export const initial = { line: { a: 0.5, b: 1.5 } }
export const bounds = { line: { a: [-10, 10] as const, b: [-5, 5] as const } }

// `statedSigma`: the σ the residuals are divided by (default the true one), to test a σ scale.
export default defineObjective(
  (init: { statedSigma?: number } = {}) =>
    (p: typeof initial) =>
      Float64Array.from(xs, (x, i) => (ys[i]! - p.line.a - p.line.b * x) / (init.statedSigma ?? sigma)),
)
