// The two unions nautilus builds from the points above a new likelihood threshold
// (bounds/nautilus.py, NautilusBound.compute): the non-overlapping ellipsoids that become the
// neural regions, and the sampling envelope, a union of cube/ellipsoid mixtures.
// Its errors are internal checks: only the nested sampler calls it, with data it made.

import type { Random } from '@parafit/core'
import type { Ellipsoid } from './ellipsoid.ts'
import { Union } from './union.ts'

/** Options of `buildEnvelope`. */
export interface EnvelopeOptions {
  /** Per-axis enlargement of every member (default 1.1). */
  readonly enlargePerDim?: number
  /** Fewest points per member (default d + 1; nautilus's sampler passes d + 50). */
  readonly nPointsMin?: number
  /** Split while the volume exceeds this × enlargePerDim^d × V_live (default 100). */
  readonly splitThreshold?: number
  /** ln V_live, the volume the top n_live points stand for. */
  readonly logVolumeLive: number
}

/**
 * The sampling envelope of a bound, as nautilus builds it: a union of cube/ellipsoid mixtures
 * fitted to the above-threshold points; while its Monte Carlo volume exceeds
 * splitThreshold·enlargePerDim^d·V_live, split its largest member (overlap allowed) until no
 * split is possible; then, while it is still too large, trim members of low density. The volume
 * estimates draw from `rng`; the accepted draws stay pending in the union for its `sample`.
 */
export function buildEnvelope(
  pointsAbove: readonly Float64Array[],
  options: EnvelopeOptions,
  rng: Random,
): Union {
  if (pointsAbove.length === 0) throw new RangeError('buildEnvelope: no points')
  const d = pointsAbove[0]!.length
  const enlargePerDim = options.enlargePerDim ?? 1.1
  const splitThreshold = options.splitThreshold ?? 100
  const union = Union.compute(pointsAbove, {
    enlargePerDim,
    ...(options.nPointsMin === undefined ? {} : { nPointsMin: options.nPointsMin }),
    cubeMixture: true,
  })
  const limit = options.logVolumeLive + Math.log(splitThreshold) + d * Math.log(enlargePerDim)
  while (union.logVolume(rng) > limit) {
    if (!union.split(true, rng)) break
  }
  while (union.logVolume(rng) > limit) {
    if (!union.trim()) break
  }
  return union
}

/** Options of `splitNonOverlapping`. */
export interface RegionOptions {
  /** Per-axis enlargement of every ellipsoid (default 1.1). */
  readonly enlargePerDim?: number
  /** Fewest points per ellipsoid (default d + 1). */
  readonly nPointsMin?: number
}

/**
 * The regions nautilus trains its networks on: one ellipsoid fitted to the above-threshold
 * points, split again and again as long as no two ellipsoids overlap (and splitting shrinks the
 * volume). Returns the final ellipsoids.
 */
export function splitNonOverlapping(
  pointsAbove: readonly Float64Array[],
  options: RegionOptions,
  rng: Random,
): Ellipsoid[] {
  const union = Union.compute(pointsAbove, { ...options, cubeMixture: false })
  while (union.split(false, rng)) {
    // Each successful split replaces one ellipsoid by two; stop at the first refusal.
  }
  return union.members as Ellipsoid[]
}
