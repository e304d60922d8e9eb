// numpy's histograms, as corner.py calls them: `bins` equal bins over [lo, hi] with edges
// linspace(lo, hi, bins + 1); a value belongs to the bin whose left edge it reaches, the last
// bin is closed on the right, and values outside [lo, hi] are dropped. Optional weights.

/** numpy.linspace(lo, hi, n + 1): the bins' edges, the last one exactly `hi`. */
export function binEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1)
  const step = (hi - lo) / bins
  for (let k = 0; k < bins; k++) edges[k] = lo + k * step
  edges[bins] = hi
  return edges
}

/**
 * The bin of `x` among `edges`, or -1 outside them. The guess from the arithmetic is corrected
 * against the edges themselves, so a value on an edge goes where numpy puts it.
 */
export function binIndex(x: number, edges: Float64Array): number {
  const bins = edges.length - 1
  const lo = edges[0]!
  const hi = edges[bins]!
  if (!(x >= lo && x <= hi)) return -1
  if (x === hi) return bins - 1
  let k = Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins))
  while (k > 0 && x < edges[k]!) k--
  while (k < bins - 1 && x >= edges[k + 1]!) k++
  return k
}

/** Counts (or summed weights) per bin. */
export function histogram1d(
  values: ArrayLike<number>,
  edges: Float64Array,
  weights?: ArrayLike<number>,
): Float64Array {
  const counts = new Float64Array(edges.length - 1)
  for (let n = 0; n < values.length; n++) {
    const k = binIndex(values[n]!, edges)
    if (k >= 0) counts[k]! += weights === undefined ? 1 : weights[n]!
  }
  return counts
}

/** A 2-D histogram as numpy.histogram2d returns it: H[i][j] for x in bin i, y in bin j. */
export interface Histogram2d {
  readonly xEdges: Float64Array
  readonly yEdges: Float64Array
  /** nx rows of ny values. */
  readonly H: Float64Array[]
}

export function histogram2d(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  xEdges: Float64Array,
  yEdges: Float64Array,
  weights?: ArrayLike<number>,
): Histogram2d {
  const nx = xEdges.length - 1
  const ny = yEdges.length - 1
  const H = Array.from({ length: nx }, () => new Float64Array(ny))
  for (let n = 0; n < x.length; n++) {
    const i = binIndex(x[n]!, xEdges)
    if (i < 0) continue
    const j = binIndex(y[n]!, yEdges)
    if (j < 0) continue
    H[i]![j]! += weights === undefined ? 1 : weights[n]!
  }
  return { xEdges, yEdges, H }
}
