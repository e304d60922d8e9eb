// corner.py's contour levels. A level is the mass of a 2-D Gaussian inside n σ, 1 - exp(-n²/2):
// the "1σ" contour holds 39.3 %, not 68 %. The threshold for a level is the histogram value at
// which the cells at or above it hold that share of the total, and the histogram is padded by
// two cells per side so that contours close outside the plotted range.

/** 1 - exp(-s²/2) for s = 0.5, 1, 1.5, 2: 0.118, 0.393, 0.675, 0.865. */
export const DEFAULT_LEVELS: readonly number[] = [0.5, 1, 1.5, 2].map((s) => 1 - Math.exp(-0.5 * s * s))

export interface Thresholds {
  /** The histogram value for each level, ascending (the largest level has the lowest value). */
  readonly V: Float64Array
  /** Two levels fell on the same value and were pulled apart (corner.py: "Too few points"). */
  readonly duplicates: boolean
}

/**
 * For each level v: sort the cells in decreasing order and take the cumulative share of the
 * total; the threshold is the last value whose share is ≤ v, or the largest value when even the
 * first exceeds v. Then ascending, and equal neighbours are separated by scaling the lower one
 * of each pair by (1 - 1e-4), one pair at a time, until all differ. Null when H holds no mass.
 */
export function contourThresholds(H: readonly Float64Array[], levels: readonly number[]): Thresholds | null {
  const cells: number[] = []
  for (const row of H) for (const v of row) cells.push(v)
  cells.sort((a, b) => b - a)
  const cumulative = new Float64Array(cells.length)
  let sum = 0
  for (let k = 0; k < cells.length; k++) {
    sum += cells[k]!
    cumulative[k] = sum
  }
  if (!(sum > 0)) return null
  for (let k = 0; k < cells.length; k++) cumulative[k]! /= sum
  const V = new Float64Array(levels.length)
  levels.forEach((level, l) => {
    let last = -1
    for (let k = 0; k < cells.length && cumulative[k]! <= level; k++) last = k
    V[l] = last < 0 ? cells[0]! : cells[last]!
  })
  V.sort()
  let duplicates = false
  // Each pass separates the first equal pair; a positive value always moves, so this ends.
  for (let pass = 0; pass < 64 * V.length; pass++) {
    let k = 0
    while (k < V.length - 1 && V[k] !== V[k + 1]) k++
    if (k >= V.length - 1) break
    duplicates = true
    V[k]! *= 1 - 1e-4
  }
  V.sort()
  return { V, duplicates }
}

/** H grown by two cells per side, with where its cell centres sit in data coordinates. */
export interface PaddedHistogram {
  /** (nx + 4) rows of (ny + 4) values. */
  readonly H2: Float64Array[]
  /** The data coordinates of cell (0, 0)'s centre, and the spacing of the centres. */
  readonly x0: number
  readonly y0: number
  readonly dx: number
  readonly dy: number
}

/**
 * The outer ring holds H's minimum; the inner ring repeats H's edge rows, columns and corners,
 * so a contour that reaches the range's edge runs on past it (and is clipped there) instead of
 * closing along it. The centres continue two spacings beyond the first and last bin.
 */
export function padHistogram(
  H: readonly Float64Array[],
  xEdges: Float64Array,
  yEdges: Float64Array,
): PaddedHistogram {
  const nx = H.length
  const ny = H[0]!.length
  let min = Number.POSITIVE_INFINITY
  for (const row of H) for (const v of row) min = Math.min(min, v)
  const H2 = Array.from({ length: nx + 4 }, () => new Float64Array(ny + 4).fill(min))
  const clampX = (i: number) => Math.min(nx - 1, Math.max(0, i))
  const clampY = (j: number) => Math.min(ny - 1, Math.max(0, j))
  for (let i = 1; i < nx + 3; i++) {
    for (let j = 1; j < ny + 3; j++) H2[i]![j] = H[clampX(i - 2)]![clampY(j - 2)]!
  }
  const dx = (xEdges[nx]! - xEdges[0]!) / nx
  const dy = (yEdges[ny]! - yEdges[0]!) / ny
  return {
    H2,
    x0: 0.5 * (xEdges[0]! + xEdges[1]!) - 2 * dx,
    y0: 0.5 * (yEdges[0]! + yEdges[1]!) - 2 * dy,
    dx,
    dy,
  }
}
