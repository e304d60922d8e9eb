// scipy.ndimage.gaussian_filter with its defaults, which corner.py relies on for `smooth` and
// `smooth1d`: a normalised kernel exp(-x²/2σ²) over radius int(4σ + 0.5) (truncate = 4), and
// mode 'reflect', which mirrors the array about its edges including the edge value
// (d c b a | a b c d | d c b a). d3-array's blur2 (three box blurs) would not give the same
// numbers. The 2-D filter is the 1-D one along each axis in turn (the kernel is separable).

import { option } from './errors.ts'

/** The normalised kernel for σ in bins: weights for offsets -r..r. */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  option.finiteNumber(sigma, 'sigma', { above: 0 })
  const radius = Math.trunc(truncate * sigma + 0.5)
  const kernel = new Float64Array(2 * radius + 1)
  let sum = 0
  for (let k = -radius; k <= radius; k++) {
    const w = Math.exp((-0.5 * k * k) / (sigma * sigma))
    kernel[k + radius] = w
    sum += w
  }
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= sum
  return kernel
}

/** Index `i` of an array of length n under 'reflect' (period 2n, so any offset works). */
export function reflectIndex(i: number, n: number): number {
  const m = ((i % (2 * n)) + 2 * n) % (2 * n)
  return m < n ? m : 2 * n - 1 - m
}

/** gaussian_filter1d(values, sigma, mode='reflect', truncate=4). σ ≤ 0 returns a copy. */
export function gaussianFilter1d(values: ArrayLike<number>, sigma: number): Float64Array {
  const n = values.length
  const out = new Float64Array(n)
  if (!(sigma > 0)) {
    for (let i = 0; i < n; i++) out[i] = values[i]!
    return out
  }
  const kernel = gaussianKernel(sigma)
  const radius = (kernel.length - 1) / 2
  for (let i = 0; i < n; i++) {
    let acc = 0
    for (let k = -radius; k <= radius; k++) acc += kernel[k + radius]! * values[reflectIndex(i + k, n)]!
    out[i] = acc
  }
  return out
}

/** gaussian_filter(H, sigma) on a 2-D array of rows: along the first axis, then the second. */
export function gaussianFilter2d(rows: readonly Float64Array[], sigma: number): Float64Array[] {
  const nx = rows.length
  const ny = nx === 0 ? 0 : rows[0]!.length
  const out: Float64Array[] = rows.map((row) => Float64Array.from(row))
  if (!(sigma > 0) || nx === 0) return out
  const column = new Float64Array(nx)
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) column[i] = out[i]![j]!
    const smoothed = gaussianFilter1d(column, sigma)
    for (let i = 0; i < nx; i++) out[i]![j] = smoothed[i]!
  }
  for (let i = 0; i < nx; i++) out[i] = gaussianFilter1d(out[i]!, sigma)
  return out
}
