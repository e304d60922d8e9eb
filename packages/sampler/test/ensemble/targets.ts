// Known targets for the sampler's statistical tests, and the statistics to check a chain against
// them. Each target is an in-process ln p(θ) with its exact mean and covariance, and a JSON spec
// that emcee-reference.py builds the same function from (the matrices travel as numbers, so both
// sides use the very same ones).
//
// Correlated Gaussians: Σ = D (A Aᵀ + 0.05 I) D with A's entries N(0, 1) and A's columns shifted
// by a common factor (strong correlations), D a diagonal of scales spread over ~2 decades, all
// from a fixed seed; mean μ likewise. The stretch move is affine-invariant, so neither the
// correlations nor the scales should change its behaviour: they are there to catch code that
// is not.
//
// Rosenbrock density (Goodman & Weare 2010, emcee's docs): ln p = -(100 (x2 - x1²)² + (1 - x1)²) / 20.
// Integrating x2 out: x2 | x1 ~ N(x1², 1/10), a normalisation independent of x1, so x1 ~ N(1, 10).
// With x1 = 1 + √10 Z: E[x2] = E[x1²] = 10 + 1 = 11; x1² = 1 + 2√10 Z + 10 Z², so
// Var(x1²) = 40 + 100·Var(Z²) = 240 (Cov(Z, Z²) = 0, Var(Z²) = 2) and Var(x2) = 240 + 1/10 = 240.1;
// Cov(x1, x2) = Cov(√10 Z, 2√10 Z + 10 Z²) = 20.

import { Random } from '@parafit/core'

export type TargetSpec =
  | { kind: 'gaussian'; mean: number[]; cov: number[][]; precision: number[][] }
  | { kind: 'rosenbrock' }

export interface Target {
  readonly name: string
  readonly nDim: number
  readonly logProb: (theta: Float64Array) => number
  /** The exact mean and covariance. */
  readonly mean: Float64Array
  readonly cov: Float64Array[]
  /** What emcee-reference.py needs to build the same ln p. */
  readonly spec: TargetSpec
  /** One exact, independent draw from the target. */
  readonly draw: (random: Random) => Float64Array
  /**
   * Per momentVector entry, the standard deviation of its one-point estimator under the target
   * (of x_d for a mean, of (x_i - μ_i)(x_j - μ_j) for a covariance entry): the yardstick for
   * whether a standard error is small.
   */
  readonly scales: Float64Array
}

/**
 * A generator for test data (walkers, matrices) whose seeds all give unrelated streams. Not
 * Random.fromSeed: that puts the seed into xoroshiro128+'s state almost as it is, so the first
 * uniform of every small seed is within ~1e-6 of 1 and the second is affine in the seed, and a
 * first normal deviate is always 2-7 standard deviations out (see the report on random.ts). Here
 * the seed is spread over all 128 bits of the state by an integer hash (murmur3's finaliser).
 */
export function testRandom(seed: number): Random {
  const mix = (x: number): number => {
    let h = x | 0
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
    return (h ^ (h >>> 16)) | 0
  }
  const state = [1, 2, 3, 4].map((i) => mix(mix(seed) + Math.imul(i, 0x9e3779b9)))
  if (!state.some((w) => w !== 0)) state[0] = 1 // xoroshiro128+ must not start at all zeros
  return Random.fromState(state)
}

/** Lower-triangular L with L Lᵀ = m (m symmetric positive definite). */
export function cholesky(m: readonly Float64Array[]): Float64Array[] {
  const n = m.length
  const l = Array.from({ length: n }, () => new Float64Array(n))
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i]![j]!
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!
      if (i === j) {
        if (!(s > 0)) throw new Error(`cholesky: not positive definite at ${i}`)
        l[i]![i] = Math.sqrt(s)
      } else {
        l[i]![j] = s / l[j]![j]!
      }
    }
  }
  return l
}

/** The inverse of a symmetric positive definite matrix, through its Cholesky factor. */
export function inverseSpd(m: readonly Float64Array[]): Float64Array[] {
  const n = m.length
  const l = cholesky(m)
  // Solve L Y = I (forward), then Lᵀ X = Y (backward), column by column.
  const inv = Array.from({ length: n }, () => new Float64Array(n))
  const y = new Float64Array(n)
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0
      for (let k = 0; k < i; k++) s -= l[i]![k]! * y[k]!
      y[i] = s / l[i]![i]!
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!
      for (let k = i + 1; k < n; k++) s -= l[k]![i]! * inv[k]![c]!
      inv[i]![c] = s / l[i]![i]!
    }
  }
  // Symmetrise away the rounding, so the quadratic form is exactly that of a symmetric matrix.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = (inv[i]![j]! + inv[j]![i]!) / 2
      inv[i]![j] = v
      inv[j]![i] = v
    }
  }
  return inv
}

/** The deterministic covariance and mean of the correlated Gaussian in `nDim` dimensions. */
export function correlatedGaussianMoments(
  nDim: number,
  seed: number,
): { mean: Float64Array; cov: Float64Array[] } {
  const random = testRandom(seed)
  const a = Array.from({ length: nDim }, () => new Float64Array(nDim))
  // Column j gets a common factor f_j on every row: strongly correlated rows.
  const common = Float64Array.from({ length: nDim }, () => 2 * random.normal())
  for (let i = 0; i < nDim; i++) for (let j = 0; j < nDim; j++) a[i]![j] = random.normal() + common[j]!
  const scale = Float64Array.from({ length: nDim }, () => Math.exp(1.2 * random.normal()))
  const cov = Array.from({ length: nDim }, () => new Float64Array(nDim))
  for (let i = 0; i < nDim; i++) {
    for (let j = 0; j < nDim; j++) {
      let s = i === j ? 0.05 : 0
      for (let k = 0; k < nDim; k++) s += a[i]![k]! * a[j]![k]!
      cov[i]![j] = scale[i]! * s * scale[j]!
    }
  }
  const mean = Float64Array.from({ length: nDim }, (_, i) => 3 * random.normal() * Math.sqrt(cov[i]![i]!))
  return { mean, cov }
}

export function correlatedGaussian(nDim: number, seed = 20_240 + nDim): Target {
  const { mean, cov } = correlatedGaussianMoments(nDim, seed)
  const precision = inverseSpd(cov)
  const factor = cholesky(cov)
  const diff = new Float64Array(nDim)
  const logProb = (theta: Float64Array): number => {
    for (let i = 0; i < nDim; i++) diff[i] = theta[i]! - mean[i]!
    let q = 0
    for (let i = 0; i < nDim; i++) {
      const row = precision[i]!
      let s = 0
      for (let j = 0; j < nDim; j++) s += row[j]! * diff[j]!
      q += diff[i]! * s
    }
    return -0.5 * q
  }
  return {
    name: `gaussian-${nDim}d`,
    nDim,
    logProb,
    mean,
    cov,
    spec: {
      kind: 'gaussian',
      mean: [...mean],
      cov: cov.map((r) => [...r]),
      precision: precision.map((r) => [...r]),
    },
    scales: gaussianMomentScales(cov),
    draw: (random) => {
      const z = Float64Array.from({ length: nDim }, () => random.normal())
      return Float64Array.from(mean, (m, i) => {
        let s = m
        for (let k = 0; k <= i; k++) s += factor[i]![k]! * z[k]!
        return s
      })
    },
  }
}

export function rosenbrock(): Target {
  return {
    name: 'rosenbrock',
    nDim: 2,
    logProb: (theta) => {
      const x1 = theta[0]!
      const x2 = theta[1]!
      return -(100 * (x2 - x1 * x1) ** 2 + (1 - x1) ** 2) / 20
    },
    mean: Float64Array.of(1, 11),
    cov: [Float64Array.of(10, 20), Float64Array.of(20, 240.1)],
    spec: { kind: 'rosenbrock' },
    // With d1 = x1 - 1 = √10 Z and d2 = x2 - 11 = 2√10 Z + 10 (Z² - 1) + W/√10 (Z, W standard
    // normal): Var d1² = 100 Var Z² = 200; E (d1 d2)² = 400 E Z⁴ + 1000 E (Z³ - Z)² + 1 = 11201,
    // so Var d1 d2 = 11201 - 20² = 10801; E d2⁴ = E U⁴ + 6 E U² / 10 + 3 / 100 with U = d2's Z part,
    // E U² = 240, E U⁴ = 48·100 + 6·4000·E (Z³ - Z)² + 10⁴ E (Z² - 1)⁴ = 4800 + 240000 + 600000,
    // so Var d2² = 844944.03 - 240.1² = 787296.02. (Monte Carlo on 2·10⁷ draws: 14.14, 103.9, 888.)
    scales: Float64Array.of(
      Math.sqrt(10),
      Math.sqrt(240.1),
      Math.sqrt(200),
      Math.sqrt(10801),
      Math.sqrt(787296.02),
    ),
    // x1 ~ N(1, 10), then x2 | x1 ~ N(x1², 1/10).
    draw: (random) => {
      const x1 = 1 + Math.sqrt(10) * random.normal()
      return Float64Array.of(x1, x1 * x1 + Math.sqrt(0.1) * random.normal())
    },
  }
}

/**
 * nWalkers points in a Gaussian ball around `center`, coordinate d with standard deviation
 * scale[d], from `seed` (testRandom: the same ball on every machine).
 */
export function gaussianBall(
  center: ArrayLike<number>,
  scale: ArrayLike<number>,
  nWalkers: number,
  seed: number,
): Float64Array[] {
  const random = testRandom(seed)
  return Array.from({ length: nWalkers }, () =>
    Float64Array.from({ length: center.length }, (_, d) => center[d]! + scale[d]! * random.normal()),
  )
}

/** nWalkers exact draws from the target, from `seed`: an ensemble that needs no burn-in. */
export function exactDraws(target: Target, nWalkers: number, seed: number): Float64Array[] {
  const random = testRandom(seed)
  return Array.from({ length: nWalkers }, () => target.draw(random))
}

/** Standard deviations: the square roots of the covariance's diagonal. */
export function sigmas(cov: readonly Float64Array[]): Float64Array {
  return Float64Array.from(cov, (row, i) => Math.sqrt(row[i]!))
}

/** Sample mean and covariance (divisor n - 1) of a flat list of points. */
export function meanCov(points: readonly Float64Array[]): { mean: Float64Array; cov: Float64Array[] } {
  const n = points.length
  const nDim = points[0]!.length
  const mean = new Float64Array(nDim)
  for (const p of points) for (let d = 0; d < nDim; d++) mean[d] = mean[d]! + p[d]!
  for (let d = 0; d < nDim; d++) mean[d] = mean[d]! / n
  const cov = Array.from({ length: nDim }, () => new Float64Array(nDim))
  const diff = new Float64Array(nDim)
  for (const p of points) {
    for (let d = 0; d < nDim; d++) diff[d] = p[d]! - mean[d]!
    for (let i = 0; i < nDim; i++) {
      const row = cov[i]!
      for (let j = 0; j <= i; j++) row[j] = row[j]! + diff[i]! * diff[j]!
    }
  }
  for (let i = 0; i < nDim; i++) {
    for (let j = 0; j <= i; j++) {
      const v = cov[i]![j]! / (n - 1)
      cov[i]![j] = v
      cov[j]![i] = v
    }
  }
  return { mean, cov }
}

/** The statistics checked, as one vector: every mean, then every covariance entry (i ≤ j). */
export function momentVector(mean: ArrayLike<number>, cov: readonly ArrayLike<number>[]): Float64Array {
  const nDim = mean.length
  const out: number[] = []
  for (let d = 0; d < nDim; d++) out.push(mean[d]!)
  for (let i = 0; i < nDim; i++) for (let j = i; j < nDim; j++) out.push(cov[i]![j]!)
  return Float64Array.from(out)
}

/** Names for momentVector's entries: mean[0], ..., cov[0,0], cov[0,1], ... */
export function momentNames(nDim: number): string[] {
  const out: string[] = []
  for (let d = 0; d < nDim; d++) out.push(`mean[${d}]`)
  for (let i = 0; i < nDim; i++) for (let j = i; j < nDim; j++) out.push(`cov[${i},${j}]`)
  return out
}

/** momentVector of the sample mean and covariance of the points. */
export function sampleMoments(points: readonly Float64Array[]): Float64Array {
  const { mean, cov } = meanCov(points)
  return momentVector(mean, cov)
}

/**
 * Standard errors from independent (or nearly independent) blocks of points: `statistic` is
 * computed on each block, and SE = sd(block values) / √(number of blocks), for each component.
 * Returns the statistic of all the points pooled alongside, which is the estimate checked.
 */
export function blockStandardErrors(
  blocks: readonly (readonly Float64Array[])[],
  statistic: (points: readonly Float64Array[]) => Float64Array,
): { value: Float64Array; se: Float64Array } {
  const nBlocks = blocks.length
  if (nBlocks < 2) throw new Error(`blockStandardErrors: need at least 2 blocks, got ${nBlocks}`)
  const values = blocks.map((b) => statistic(b))
  const m = values[0]!.length
  const se = new Float64Array(m)
  for (let i = 0; i < m; i++) {
    let mean = 0
    for (const v of values) mean += v[i]!
    mean /= nBlocks
    let ss = 0
    for (const v of values) ss += (v[i]! - mean) ** 2
    se[i] = Math.sqrt(ss / (nBlocks - 1) / nBlocks)
  }
  return { value: statistic(blocks.flat()), se }
}

/**
 * Monte Carlo standard errors by batch means: the kept chain (chain[step][walker]) is cut into
 * `nBatches` consecutive blocks of steps, and the statistic of each block (all its walkers'
 * points) goes to blockStandardErrors. Valid for any statistic that is a smooth function of
 * averages (means, covariances) when each block is much longer than the autocorrelation time τ,
 * so that the block values are nearly independent: with blocks of L steps, neighbouring block
 * means correlate by about τ / (4L), so L ≥ 5τ understates the SE by a few percent at most.
 */
export function batchMeans(
  chain: readonly (readonly Float64Array[])[],
  nBatches: number,
  statistic: (points: readonly Float64Array[]) => Float64Array,
): { value: Float64Array; se: Float64Array; blockLength: number } {
  const blockLength = Math.floor(chain.length / nBatches)
  if (blockLength < 1) throw new Error(`batchMeans: ${chain.length} steps cannot make ${nBatches} blocks`)
  const blocks = Array.from({ length: nBatches }, (_, b) =>
    chain.slice(b * blockLength, (b + 1) * blockLength).flat(),
  )
  // The pooled value is that of every kept step, including the few left over after the blocks.
  const { se } = blockStandardErrors(blocks, statistic)
  return { value: statistic(chain.flat()), se, blockLength }
}

/**
 * Target.scales for a Gaussian: σ_d for a mean, √(Σ_ii Σ_jj + Σ_ij²) for a covariance entry
 * (the standard deviation of (x_i - μ_i)(x_j - μ_j) under a Gaussian, by Isserlis' theorem).
 */
export function gaussianMomentScales(cov: readonly Float64Array[]): Float64Array {
  const nDim = cov.length
  const out: number[] = []
  for (let d = 0; d < nDim; d++) out.push(Math.sqrt(cov[d]![d]!))
  for (let i = 0; i < nDim; i++) {
    for (let j = i; j < nDim; j++) out.push(Math.sqrt(cov[i]![i]! * cov[j]![j]! + cov[i]![j]! ** 2))
  }
  return Float64Array.from(out)
}
