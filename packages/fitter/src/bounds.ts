// Box bounds for the derivative-free optimizers, by reflection: a point outside [lower, upper]
// is mirrored back in (periodically, for a box bounded on both sides). Unlike clipping, this
// never stacks several candidates on the same face, so a simplex or a CMA-ES population keeps
// its spread, and a minimum on a bound is still reached (the mirrored function is symmetric there).

/** Mirrors `x` into [lower, upper]; either bound may be infinite. Values inside are unchanged. */
export function reflect(x: number, lower: number, upper: number): number {
  if (x >= lower && x <= upper) return x
  const hasLower = Number.isFinite(lower)
  const hasUpper = Number.isFinite(upper)
  if (hasLower && hasUpper) {
    const width = upper - lower
    if (width === 0) return lower
    const period = 2 * width
    let t = (x - lower) % period
    if (t < 0) t += period
    const mirrored = t <= width ? lower + t : upper - (t - width)
    // Inside mathematically; rounding can leave it an ulp outside (x an ulp below lower gives
    // t = period, and upper - width can round below lower), so it is clamped.
    return Math.min(upper, Math.max(lower, mirrored))
  }
  if (hasLower) return lower + (lower - x)
  return upper - (x - upper)
}

/** `reflect` applied to each component; a new array. */
export function reflectIntoBox(x: ArrayLike<number>, lower: Float64Array, upper: Float64Array): Float64Array {
  const out = new Float64Array(x.length)
  for (let i = 0; i < x.length; i++) out[i] = reflect(x[i]!, lower[i]!, upper[i]!)
  return out
}

/** A typical scale for each parameter: a tenth of the box where it is finite, else of |x0| (or 0.1). */
export function initialScales(x0: Float64Array, lower: Float64Array, upper: Float64Array): Float64Array {
  const out = new Float64Array(x0.length)
  for (let i = 0; i < x0.length; i++) {
    const width = upper[i]! - lower[i]!
    // A start below 1e-100 in magnitude is a zero that picked up rounding, not a scale.
    const fromStart = Math.abs(x0[i]!) > 1e-100 ? 0.1 * Math.abs(x0[i]!) : 0.1
    out[i] =
      Number.isFinite(width) && width > 0
        ? Math.min(0.1 * width, Math.max(fromStart, 0.02 * width))
        : fromStart
  }
  return out
}
