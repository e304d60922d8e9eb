// A two-component, full-covariance Gaussian mixture fitted by EM, the clustering nautilus uses to
// split a union member (sklearn's GaussianMixture with n_init=10). Every initialisation starts from
// a seeded 2-means clustering; the fit with the largest likelihood wins.
// Its errors are internal checks: only the nested sampler calls it, with data it made.

import type { Random } from '@parafit/core'
import { logAddExp } from '../log-sum-exp.ts'
import { cholesky, invertLower } from './linear-algebra.ts'

/** A fitted two-component mixture. */
export interface GaussianMixture2 {
  readonly dim: number
  readonly weights: readonly [number, number]
  readonly means: readonly [Float64Array, Float64Array]
  /** Row-major d×d, ridge included. */
  readonly covariances: readonly [Float64Array, Float64Array]
  /** The mean log-likelihood per point at these parameters. */
  readonly meanLogLikelihood: number
}

/** Options of `fitGaussianMixture2`; the defaults are sklearn's. */
export interface GaussianMixtureOptions {
  /** Initialisations, each from its own 2-means start (default 10; at least one is made). */
  readonly nInit?: number
  /** EM iterations per initialisation at most (default 100). */
  readonly maxIterations?: number
  /** Stop when the mean log-likelihood changes by less than this (default 1e-3). */
  readonly tolerance?: number
  /** Added to every covariance's diagonal so a component cannot collapse onto a point (default 1e-6). */
  readonly ridge?: number
}

const LOG_2PI = Math.log(2 * Math.PI)
// As sklearn: a component that owns no points keeps a tiny weight instead of dividing by zero.
const MIN_OCCUPATION = 10 * Number.EPSILON

/**
 * Fits a two-component full-covariance Gaussian mixture to the points by EM, restarting `nInit`
 * times from seeded 2-means clusterings and keeping the fit with the largest likelihood. Draws
 * only from `rng`, so the result is reproducible. Needs at least two points.
 */
export function fitGaussianMixture2(
  points: readonly Float64Array[],
  rng: Random,
  options: GaussianMixtureOptions = {},
): GaussianMixture2 {
  const n = points.length
  if (n < 2) throw new RangeError('fitGaussianMixture2: needs at least two points')
  const d = points[0]!.length
  const nInit = options.nInit ?? 10
  const maxIterations = options.maxIterations ?? 100
  const tolerance = options.tolerance ?? 1e-3
  const ridge = options.ridge ?? 1e-6
  const x = new Float64Array(n * d)
  for (let i = 0; i < n; i++) x.set(points[i]!, i * d)

  // Responsibility of component 0 for each point; component 1 has the rest.
  const r = new Float64Array(n)
  const fitOnce = (): GaussianMixture2 => {
    twoMeansLabels(x, n, d, rng, r)
    let model = maximise(x, n, d, r, ridge)
    let previous = Number.NEGATIVE_INFINITY
    for (let iteration = 0; iteration < maxIterations; iteration++) {
      const ll = expectation(x, n, d, model, r)
      model = { ...model, meanLogLikelihood: ll }
      if (Math.abs(ll - previous) < tolerance) break
      previous = ll
      model = maximise(x, n, d, r, ridge)
    }
    if (!Number.isFinite(model.meanLogLikelihood))
      model = { ...model, meanLogLikelihood: expectation(x, n, d, model, r) }
    return model
  }
  let best = fitOnce()
  for (let init = 1; init < nInit; init++) {
    const model = fitOnce()
    if (model.meanLogLikelihood > best.meanLogLikelihood) best = model
  }
  return best
}

/**
 * ln(weight_k) + ln N(x; mean_k, cov_k) for every point and both components, as a flat array
 * (point i's values at 2i and 2i + 1).
 */
export function componentLogDensities(
  model: GaussianMixture2,
  points: readonly Float64Array[],
): Float64Array {
  const n = points.length
  const d = model.dim
  const out = new Float64Array(2 * n)
  const diff = new Float64Array(d)
  for (let k = 0; k < 2; k++) {
    const { inverseFactor, logNorm } = componentFactor(model.covariances[k]!, d)
    const offset = Math.log(model.weights[k]!) + logNorm
    const mean = model.means[k]!
    for (let i = 0; i < n; i++) {
      const p = points[i]!
      for (let a = 0; a < d; a++) diff[a] = p[a]! - mean[a]!
      out[2 * i + k] = offset - 0.5 * squaredNorm(inverseFactor, diff, d)
    }
  }
  return out
}

/** The component with the larger ln(weight) + ln density, per point (ties go to component 0). */
export function labelsByDensity(logDensities: Float64Array): Uint8Array {
  const n = logDensities.length / 2
  const labels = new Uint8Array(n)
  for (let i = 0; i < n; i++) labels[i] = logDensities[2 * i + 1]! > logDensities[2 * i]! ? 1 : 0
  return labels
}

// Hard 2-means labels into r (1 = component 0): k-means++ seeding, then Lloyd's iterations.
function twoMeansLabels(x: Float64Array, n: number, d: number, rng: Random, r: Float64Array): void {
  const centres = [new Float64Array(d), new Float64Array(d)]
  const first = rng.int(n)
  centres[0]!.set(x.subarray(first * d, first * d + d))
  const dist = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    dist[i] = squaredDistance(x, i * d, centres[0]!, d)
    total += dist[i]!
  }
  // The second seed is drawn with probability ∝ squared distance to the first.
  let target = rng.uniform() * total
  let second = n - 1
  for (let i = 0; i < n; i++) {
    target -= dist[i]!
    if (target < 0) {
      second = i
      break
    }
  }
  centres[1]!.set(x.subarray(second * d, second * d + d))
  const labels = new Uint8Array(n).fill(255)
  const counts = [0, 0]
  for (let iteration = 0; iteration < 100; iteration++) {
    let changed = false
    counts[0] = 0
    counts[1] = 0
    for (let i = 0; i < n; i++) {
      const label =
        squaredDistance(x, i * d, centres[1]!, d) < squaredDistance(x, i * d, centres[0]!, d) ? 1 : 0
      if (labels[i] !== label) changed = true
      labels[i] = label
      counts[label]!++
    }
    if (!changed) break
    for (let k = 0; k < 2; k++) {
      // An emptied cluster keeps its centre (only identical points can empty one).
      if (counts[k] === 0) continue
      centres[k]!.fill(0)
    }
    for (let i = 0; i < n; i++) {
      const c = centres[labels[i]!]!
      for (let a = 0; a < d; a++) c[a]! += x[i * d + a]!
    }
    for (let k = 0; k < 2; k++) if (counts[k]! > 0) for (let a = 0; a < d; a++) centres[k]![a]! /= counts[k]!
  }
  for (let i = 0; i < n; i++) r[i] = labels[i] === 0 ? 1 : 0
}

// M-step: weights, means and covariances (plus the ridge) from the responsibilities.
function maximise(x: Float64Array, n: number, d: number, r: Float64Array, ridge: number): GaussianMixture2 {
  const weights: [number, number] = [0, 0]
  const means: [Float64Array, Float64Array] = [new Float64Array(d), new Float64Array(d)]
  const covariances: [Float64Array, Float64Array] = [new Float64Array(d * d), new Float64Array(d * d)]
  const diff = new Float64Array(d)
  for (let k = 0; k < 2; k++) {
    const mean = means[k]!
    const cov = covariances[k]!
    let nk = 0
    for (let i = 0; i < n; i++) {
      const ri = k === 0 ? r[i]! : 1 - r[i]!
      nk += ri
      for (let a = 0; a < d; a++) mean[a]! += ri * x[i * d + a]!
    }
    nk += MIN_OCCUPATION
    for (let a = 0; a < d; a++) mean[a]! /= nk
    for (let i = 0; i < n; i++) {
      const ri = k === 0 ? r[i]! : 1 - r[i]!
      if (ri === 0) continue
      for (let a = 0; a < d; a++) diff[a] = x[i * d + a]! - mean[a]!
      for (let a = 0; a < d; a++) {
        const f = ri * diff[a]!
        for (let b = 0; b <= a; b++) cov[a * d + b]! += f * diff[b]!
      }
    }
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const v = cov[a * d + b]! / nk
        cov[a * d + b] = v
        cov[b * d + a] = v
      }
      cov[a * d + a]! += ridge
    }
    weights[k] = nk / (n + 2 * MIN_OCCUPATION)
  }
  return { dim: d, weights, means, covariances, meanLogLikelihood: Number.NaN }
}

// E-step: responsibilities into r; returns the mean log-likelihood.
function expectation(
  x: Float64Array,
  n: number,
  d: number,
  model: GaussianMixture2,
  r: Float64Array,
): number {
  const f0 = componentFactor(model.covariances[0], d)
  const f1 = componentFactor(model.covariances[1], d)
  const o0 = Math.log(model.weights[0]) + f0.logNorm
  const o1 = Math.log(model.weights[1]) + f1.logNorm
  const diff = new Float64Array(d)
  let total = 0
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) diff[a] = x[i * d + a]! - model.means[0][a]!
    const l0 = o0 - 0.5 * squaredNorm(f0.inverseFactor, diff, d)
    for (let a = 0; a < d; a++) diff[a] = x[i * d + a]! - model.means[1][a]!
    const l1 = o1 - 0.5 * squaredNorm(f1.inverseFactor, diff, d)
    const ll = logAddExp(l0, l1)
    r[i] = Math.exp(l0 - ll)
    total += ll
  }
  return total / n
}

// The inverse Cholesky factor of a covariance and −½(d ln 2π + ln det); the ridge is raised
// until the factorisation succeeds, so a degenerate component never stops the fit.
function componentFactor(cov: Float64Array, d: number): { inverseFactor: Float64Array; logNorm: number } {
  let l = cholesky(cov, d)
  let extra = 1e-10
  while (l === undefined) {
    const widened = Float64Array.from(cov)
    for (let a = 0; a < d; a++) widened[a * d + a]! += extra
    l = cholesky(widened, d)
    extra *= 10
  }
  let logDet = 0
  for (let a = 0; a < d; a++) logDet += 2 * Math.log(l[a * d + a]!)
  return { inverseFactor: invertLower(l, d), logNorm: -0.5 * (d * LOG_2PI + logDet) }
}

// |L⁻¹·v|² for a lower triangular L⁻¹.
function squaredNorm(inverseFactor: Float64Array, v: Float64Array, d: number): number {
  let sum = 0
  for (let a = 0; a < d; a++) {
    let s = 0
    for (let b = 0; b <= a; b++) s += inverseFactor[a * d + b]! * v[b]!
    sum += s * s
  }
  return sum
}

function squaredDistance(x: Float64Array, offset: number, c: Float64Array, d: number): number {
  let sum = 0
  for (let a = 0; a < d; a++) {
    const t = x[offset + a]! - c[a]!
    sum += t * t
  }
  return sum
}
