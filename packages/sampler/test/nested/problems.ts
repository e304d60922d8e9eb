// Test problems with exact log Z (../shared/reference/nested-sampling.md §3), as likelihoods of
// named parameters x0, x1, ... under a uniform prior. The same definitions as the Python peers'
// nested/problems.py, so calls and errors compare with nautilus's on the same problem.

import { Prior, uniform } from '../../src/index.ts'
import { lowerTail } from '../../src/prior/standard-normal.ts'

export interface Problem {
  readonly name: string
  readonly dimensions: number
  readonly prior: Prior
  readonly logLikelihood: (params: Record<string, number>) => number
  readonly logZ: number
  /** Posterior mean and variances where they are known in closed form. */
  readonly mean?: readonly number[]
  readonly variance?: readonly number[]
}

function cube(d: number, low: number, high: number): Prior {
  const spec: Record<string, ReturnType<typeof uniform>> = {}
  for (let i = 0; i < d; i++) spec[`x${i}`] = uniform(low, high)
  return new Prior(spec)
}

function vector(params: Record<string, number>, d: number, out: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) out[i] = params[`x${i}`]!
  return out
}

const LOG_2PI = Math.log(2 * Math.PI)

/** A normalised Gaussian N(μ, σ²I) truncated to the unit cube: log Z = Σ ln P(0 < x_i < 1). */
export function gaussian(d: number, sigma = 0.1, centre = 0.5): Problem {
  const x = new Float64Array(d)
  const oneDim = Math.log(lowerTail((1 - centre) / sigma) - lowerTail(-centre / sigma))
  // Mean and variance of a truncated normal that is symmetric about the cube's centre.
  return {
    name: `gauss${d}`,
    dimensions: d,
    prior: cube(d, 0, 1),
    logLikelihood(params) {
      vector(params, d, x)
      let s = 0
      for (let i = 0; i < d; i++) s += (x[i]! - centre) ** 2
      return -s / (2 * sigma * sigma) - d * (Math.log(sigma) + 0.5 * LOG_2PI)
    },
    logZ: d * oneDim,
    ...(centre === 0.5 && sigma <= 0.1
      ? { mean: new Array(d).fill(0.5), variance: new Array(d).fill(sigma * sigma) }
      : {}),
  }
}

/** Two Gaussian shells, radius 2, width 0.1, centres (±3.5, 0, ...), prior U[-6, 6]^d. */
export function shells(d: number, logZ: number): Problem {
  const x = new Float64Array(d)
  const w = 0.1
  const norm = -0.5 * Math.log(2 * Math.PI * w * w)
  return {
    name: `shells${d}`,
    dimensions: d,
    prior: cube(d, -6, 6),
    logLikelihood(params) {
      vector(params, d, x)
      let r1 = (x[0]! - 3.5) ** 2
      let r2 = (x[0]! + 3.5) ** 2
      for (let i = 1; i < d; i++) {
        r1 += x[i]! ** 2
        r2 += x[i]! ** 2
      }
      const a = norm - (Math.sqrt(r1) - 2) ** 2 / (2 * w * w)
      const b = norm - (Math.sqrt(r2) - 2) ** 2 / (2 * w * w)
      const m = Math.max(a, b)
      return m + Math.log(Math.exp(a - m) + Math.exp(b - m))
    },
    logZ,
  }
}

/** The eggbox, prior U[0, 10π]², log Z = 235.856. */
export function eggbox(): Problem {
  return {
    name: 'eggbox',
    dimensions: 2,
    prior: cube(2, 0, 10 * Math.PI),
    logLikelihood: (p) => (2 + Math.cos(p.x0! / 2) * Math.cos(p.x1! / 2)) ** 5,
    logZ: 235.856,
  }
}

// ln of the LogGamma(c = 1, loc, scale 1/30) density: y − e^y + ln 30 with y = 30 (x − loc).
function logGamma(x: number, loc: number): number {
  const y = 30 * (x - loc)
  return y - Math.exp(y) + Math.log(30)
}

function logNormal(x: number, loc: number): number {
  const s = 1 / 30
  return -0.5 * ((x - loc) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI
}

function logMix(a: number, b: number): number {
  const m = Math.max(a, b)
  return m + Math.log(0.5 * Math.exp(a - m) + 0.5 * Math.exp(b - m))
}

/** The nautilus paper's LogGamma mixture in d ≥ 2 dimensions, log Z = 0 (four modes). */
export function logGammaMixture(d: number): Problem {
  const k = Math.floor((d + 2) / 2)
  const x = new Float64Array(d)
  return {
    name: `loggamma${d}`,
    dimensions: d,
    prior: cube(d, 0, 1),
    logLikelihood(params) {
      vector(params, d, x)
      let out = logMix(logGamma(x[0]!, 1 / 3), logGamma(x[0]!, 2 / 3))
      out += logMix(logNormal(x[1]!, 1 / 3), logNormal(x[1]!, 2 / 3))
      for (let i = 2; i < d; i++) out += i < k ? logGamma(x[i]!, 2 / 3) : logNormal(x[i]!, 2 / 3)
      return out
    },
    logZ: 0,
  }
}

/** Neal's funnel as in the nautilus paper (γ = 0.95), θ = 20(x − 0.5); exact log Z for d = 2 and 5. */
export function funnel(d: 2 | 5): Problem {
  const gamma = 0.95
  const x = new Float64Array(d)
  const m = d - 1
  return {
    name: `funnel${d}`,
    dimensions: d,
    prior: cube(d, 0, 1),
    logLikelihood(params) {
      vector(params, d, x)
      const t0 = 20 * (x[0]! - 0.5)
      // Covariance e^{t0}[γ11ᵀ + (1−γ)I] over the other m coordinates: its inverse and determinant in closed form.
      const v = Math.exp(t0)
      const a = (1 - gamma) * v
      const b = gamma * v
      let sum = 0
      let sumSq = 0
      for (let i = 1; i < d; i++) {
        const t = 20 * (x[i]! - 0.5)
        sum += t
        sumSq += t * t
      }
      const quad = (sumSq - (b / (a + m * b)) * sum * sum) / a
      const logDet = (m - 1) * Math.log(a) + Math.log(a + m * b)
      return -0.5 * t0 * t0 - 0.5 * LOG_2PI - 0.5 * (quad + logDet + m * LOG_2PI) + d * Math.log(20)
    },
    logZ: d === 2 ? -1.5e-4 : -2.5e-4,
  }
}
