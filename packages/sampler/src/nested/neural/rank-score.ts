// The regression target of a nautilus neural region and the score a point must beat to be inside.
// The network never sees log-likelihood values, only their ranks, so a likelihood's scale and
// steepness cannot make training ill-conditioned.
// Its errors are internal checks: only the nested sampler calls it, with data it made.

/**
 * Ranks of `values[i]` for the indices in `subset`, 1-based, ties sharing the average of the ranks
 * they span (scipy's `rankdata` with `method='average'`), written to `rank[subset[j]]`.
 */
function averageRanks(values: Float64Array, subset: Uint32Array, rank: Float64Array): void {
  const order = subset.slice()
  order.sort((a, b) => {
    const va = values[a]!
    const vb = values[b]!
    return va < vb ? -1 : va > vb ? 1 : 0
  })
  let start = 0
  while (start < order.length) {
    let end = start + 1
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++
    // Positions start..end-1 (0-based) hold equal values: each gets the mean 1-based rank.
    const shared = (start + 1 + end) / 2
    for (let j = start; j < end; j++) rank[order[j]!] = shared
    start = end
  }
}

/**
 * nautilus's rank scores. Points with `logL[i] >= logLMin` (nautilus counts a point exactly at the
 * threshold as above) are ranked among themselves, ties sharing their average rank, and mapped to
 * `0.5 + 0.5·(rank − 0.5)/nAbove`, which lies in (0.5, 1). The other points are mapped the same way
 * among themselves into (0, 0.5). `-Infinity` is allowed (it ranks lowest); NaN is a RangeError.
 */
export function rankScores(logL: Float64Array, logLMin: number): Float64Array {
  const n = logL.length
  let nAbove = 0
  for (let i = 0; i < n; i++) {
    const v = logL[i]!
    if (Number.isNaN(v)) throw new RangeError(`rankScores: logL[${i}] is NaN`)
    if (v >= logLMin) nAbove++
  }
  const above = new Uint32Array(nAbove)
  const below = new Uint32Array(n - nAbove)
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (logL[i]! >= logLMin) above[a++] = i
    else below[b++] = i
  }
  const score = new Float64Array(n)
  averageRanks(logL, above, score)
  averageRanks(logL, below, score)
  for (const i of above) score[i] = 0.5 + (0.5 * (score[i]! - 0.5)) / nAbove
  for (const i of below) score[i] = (0.5 * (score[i]! - 0.5)) / below.length
  return score
}

/**
 * The score of the lowest-ranked point at or above the threshold, `0.5 + 0.5·(r − 0.5)/nAbove`
 * with r its (tie-averaged) rank: the true score the acceptance threshold is read off at.
 * Undefined when no score is above 0.5.
 */
export function lowestAboveScore(scores: Float64Array): number | undefined {
  let lowest: number | undefined
  for (const s of scores) if (s > 0.5 && (lowest === undefined || s < lowest)) lowest = s
  return lowest
}

/**
 * nautilus's acceptance threshold: the least-squares cubic polynomial of `predicted` against
 * `trueScores`, evaluated at `atScore` (the lowest above-threshold true score). Reading the
 * threshold off a smooth fit rather than off the single lowest point keeps one badly predicted
 * point from moving the region's boundary. With fewer than four distinct true scores the degree
 * drops to what the data determine.
 */
export function cubicThreshold(predicted: Float64Array, trueScores: Float64Array, atScore: number): number {
  const n = trueScores.length
  if (predicted.length !== n) {
    throw new RangeError(`cubicThreshold: ${predicted.length} predictions for ${n} true scores`)
  }
  if (n === 0) throw new RangeError('cubicThreshold: no points')
  // Fit in t = 2s − 1 (scores lie in (0, 1), so t in (−1, 1)): the same cubic, better conditioned.
  const coef = leastSquaresPolynomial(trueScores, predicted, 3, 2, -1)
  const t = 2 * atScore - 1
  let value = 0
  for (let k = coef.length - 1; k >= 0; k--) value = value * t + coef[k]!
  return value
}

/**
 * Coefficients c[0..degree] (lowest power first) minimising Σ (y − Σ c_k t^k)² with t = a·x + b,
 * by Householder QR of the Vandermonde matrix. A column that the earlier ones already span (too few
 * distinct x) gets coefficient 0, so the fit falls back to a lower degree instead of blowing up.
 */
function leastSquaresPolynomial(
  x: Float64Array,
  y: Float64Array,
  degree: number,
  a: number,
  b: number,
): Float64Array {
  const n = x.length
  const m = degree + 1
  // Column-major n×m Vandermonde in t, and a copy of y that the reflections act on.
  const v = new Float64Array(n * m)
  for (let i = 0; i < n; i++) {
    const t = a * x[i]! + b
    let p = 1
    for (let k = 0; k < m; k++) {
      v[k * n + i] = p
      p *= t
    }
  }
  const r = y.slice()
  const diag = new Float64Array(m)
  // pivot[k]: the row whose reflector reduced column k, or -1 when column k was dropped.
  const pivot = new Int32Array(m).fill(-1)
  let row = 0
  for (let k = 0; k < m && row < n; k++) {
    const col = k * n
    let norm2 = 0
    for (let i = row; i < n; i++) norm2 += v[col + i]! * v[col + i]!
    let full2 = norm2
    for (let i = 0; i < row; i++) full2 += v[col + i]! * v[col + i]!
    // The part of the column outside the span of the kept columns is negligible: drop the column.
    if (norm2 <= 1e-24 * full2) continue
    const alpha = v[col + row]! > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2)
    // Reflector u = column − alpha·e_row stored in place; H = I − 2uuᵀ/(uᵀu).
    v[col + row] = v[col + row]! - alpha
    let uu = 0
    for (let i = row; i < n; i++) uu += v[col + i]! * v[col + i]!
    for (let j = k + 1; j < m; j++) {
      const cj = j * n
      let s = 0
      for (let i = row; i < n; i++) s += v[col + i]! * v[cj + i]!
      const f = (2 * s) / uu
      for (let i = row; i < n; i++) v[cj + i] = v[cj + i]! - f * v[col + i]!
    }
    let s = 0
    for (let i = row; i < n; i++) s += v[col + i]! * r[i]!
    const f = (2 * s) / uu
    for (let i = row; i < n; i++) r[i] = r[i]! - f * v[col + i]!
    diag[k] = alpha
    pivot[k] = row++
  }
  // Back substitution over the kept columns: R[pivot[k]][j] sits at v[j*n + pivot[k]] for j > k.
  const coef = new Float64Array(m)
  for (let k = m - 1; k >= 0; k--) {
    const p = pivot[k]!
    if (p < 0) continue
    let s = r[p]!
    for (let j = k + 1; j < m; j++) if (pivot[j]! >= 0) s -= v[j * n + p]! * coef[j]!
    coef[k] = s / diag[k]!
  }
  return coef
}
