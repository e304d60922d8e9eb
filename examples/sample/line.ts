// emcee's first tutorial, "Fitting a model to data": a straight line through 50 points whose
// error bars are underestimated by an unknown fraction f, so the model has m, b and ln f. The
// same file serves both samplers of `parafit sample`:
//
//   parafit sample examples/sample/line.ts --method ensemble -o line.h5   emcee's way: τ, the chain
//   parafit sample examples/sample/line.ts -o line.json                   nested sampling: log Z too
//
// The data are made from a seeded stream, so every worker that loads this module has the same.
import { Random } from '@parafit/core'
import { Prior, uniform } from '@parafit/sampler'
import { defineLikelihood } from '@parafit/sampler/likelihood'
import { defineLogProb } from '@parafit/sampler/log-prob'

const truth = { m: -0.9594, b: 4.294, f: 0.534 }
const random = Random.fromSeed(123)
const n = 50
const x = Float64Array.from({ length: n }, () => 10 * random.uniform()).sort()
const yErr = Float64Array.from({ length: n }, () => 0.1 + 0.5 * random.uniform())
const y = Float64Array.from(x, (xi, i) => {
  const line = truth.m * xi + truth.b
  return line + Math.abs(truth.f * line) * random.normal() + yErr[i]! * random.normal()
})

/** ln L of the line with errors underestimated by e^logF (emcee's tutorial, up to a constant). */
function lineLogLikelihood(m: number, b: number, logF: number): number {
  let sum = 0
  for (let i = 0; i < n; i++) {
    const model = m * x[i]! + b
    const s2 = yErr[i]! ** 2 + model * model * Math.exp(2 * logF)
    sum += (y[i]! - model) ** 2 / s2 + Math.log(s2)
  }
  return -0.5 * sum
}

/** The tutorial's flat priors, as bounds. */
export const prior = new Prior({ m: uniform(-5, 0.5), b: uniform(0, 10), logF: uniform(-10, 1) })

/** Where the ensemble's walkers start (the tutorial starts them near the maximum likelihood). */
export const initial = { m: -1, b: 4.5, logF: -0.7 }

/** For the ensemble sampler: ln prior + ln L of θ = (m, b, ln f). */
export const logProb = defineLogProb(() => (theta) => {
  const [m, b, logF] = [theta[0]!, theta[1]!, theta[2]!]
  if (!(-5 < m && m < 0.5 && 0 < b && b < 10 && -10 < logF && logF < 1)) return Number.NEGATIVE_INFINITY
  return lineLogLikelihood(m, b, logF)
})

/** For nested sampling: ln L of the named parameters (the prior is `prior`). */
export const logLikelihood = defineLikelihood(
  () =>
    ({ m, b, logF }: { m: number; b: number; logF: number }) =>
      lineLogLikelihood(m, b, logF),
)
