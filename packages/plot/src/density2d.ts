// corner.py's hist2d as numbers, without drawing: the 2-D histogram (weighted), the optional
// Gaussian smoothing, the thresholds for the levels, and the contour polygons in data
// coordinates, traced by d3-contour's marching squares on the padded histogram.

import { contours } from 'd3-contour'
import { check, option } from './errors.ts'
import { gaussianFilter2d } from './gaussian-filter.ts'
import { binEdges, histogram2d } from './histogram.ts'
import {
  contourThresholds,
  DEFAULT_LEVELS,
  type PaddedHistogram,
  padHistogram,
  type Thresholds,
} from './levels.ts'
import { checkWeights } from './samples.ts'

/** A ring of [x, y] points (closed: the last equals the first). */
export type Ring = [number, number][]
/** An outer ring, then its holes. */
export type Polygon = Ring[]

export interface Density2dOptions {
  /** Bins per axis (corner's default 20). */
  readonly bins?: number | readonly [number, number]
  /** [[xlo, xhi], [ylo, yhi]]; default each variable's [min, max]. */
  readonly range?: readonly [readonly [number, number], readonly [number, number]]
  /** One weight per point; undefined: all 1. */
  readonly weights?: ArrayLike<number> | undefined
  /** σ of the Gaussian smoothing, in bins; undefined: none. */
  readonly smooth?: number | undefined
  /** Masses the contours enclose (default DEFAULT_LEVELS). */
  readonly levels?: readonly number[]
}

export interface ContourLevel {
  /** The mass this contour should enclose. */
  readonly level: number
  /** The histogram value it is drawn at. */
  readonly threshold: number
  /** Where the (padded) histogram is ≥ threshold, in data coordinates. */
  readonly polygons: Polygon[]
}

export interface Density2d {
  readonly xEdges: Float64Array
  readonly yEdges: Float64Array
  /** The histogram after smoothing: H[i][j] for x bin i, y bin j. */
  readonly H: Float64Array[]
  readonly max: number
  readonly min: number
  readonly padded: PaddedHistogram
  /** Null when no sample fell in the range. */
  readonly thresholds: Thresholds | null
  /** Ascending thresholds, so descending levels: the outermost contour first. */
  readonly contours: ContourLevel[]
}

function extent(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (let n = 0; n < values.length; n++) {
    lo = Math.min(lo, values[n]!)
    hi = Math.max(hi, values[n]!)
  }
  return [lo, hi]
}

export function checkLevels(levels: readonly number[]): void {
  for (const level of levels) option.numberIn(level, 'levels', { above: 0, below: 1 })
}

export function density2d(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: Density2dOptions = {},
): Density2d {
  check(x.length === y.length, `x and y differ in length (${x.length}, ${y.length})`)
  check(x.length > 0, 'no samples')
  for (let k = 0; k < x.length; k++) {
    check(Number.isFinite(x[k]!) && Number.isFinite(y[k]!), `sample ${k} is not finite (${x[k]}, ${y[k]})`)
  }
  const weights = checkWeights(options.weights, x.length)
  const [bx, by] =
    typeof options.bins === 'number' || options.bins === undefined
      ? [options.bins ?? 20, options.bins ?? 20]
      : options.bins
  for (const b of [bx, by]) option.wholeNumber(b, 'bins', { min: 2 })
  const [xr, yr] = options.range ?? [extent(x), extent(y)]
  check(xr[1] > xr[0] && yr[1] > yr[0], `the range must be increasing, got [${xr}] and [${yr}]`)
  const levels = options.levels ?? DEFAULT_LEVELS
  checkLevels(levels)
  const hist = histogram2d(x, y, binEdges(xr[0], xr[1], bx), binEdges(yr[0], yr[1], by), weights)
  const H = options.smooth === undefined ? hist.H : gaussianFilter2d(hist.H, options.smooth)
  let max = Number.NEGATIVE_INFINITY
  let min = Number.POSITIVE_INFINITY
  for (const row of H) {
    for (const v of row) {
      max = Math.max(max, v)
      min = Math.min(min, v)
    }
  }
  const padded = padHistogram(H, hist.xEdges, hist.yEdges)
  const thresholds = contourThresholds(H, levels)
  const ascendingLevels = [...levels].sort((a, b) => b - a)
  const contourList =
    thresholds === null
      ? []
      : Array.from(thresholds.V, (threshold, k) => ({
          level: ascendingLevels[k]!,
          threshold,
          polygons: superlevelPolygons(padded, threshold),
        }))
  return { xEdges: hist.xEdges, yEdges: hist.yEdges, H, max, min, padded, thresholds, contours: contourList }
}

/**
 * The region where the padded histogram is ≥ value, in data coordinates. d3-contour puts grid
 * element (i, j) at (i + 0.5, j + 0.5), so u maps to x0 + (u - 0.5)·dx.
 */
export function superlevelPolygons(padded: PaddedHistogram, value: number): Polygon[] {
  const nx = padded.H2.length
  const ny = padded.H2[0]!.length
  // d3 wants rows of constant y: element (i, j) at i + j·nx.
  const values = new Array<number>(nx * ny)
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) values[i + j * nx] = padded.H2[i]![j]!
  const [multi] = contours().size([nx, ny]).thresholds([value])(values) // one per threshold
  const { x0, y0, dx, dy } = padded
  return multi!.coordinates.map((polygon) =>
    polygon.map((ring) =>
      ring.map(([u, v]) => [x0 + (u! - 0.5) * dx, y0 + (v! - 0.5) * dy] as [number, number]),
    ),
  )
}
