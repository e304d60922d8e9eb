import { Random } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { CubeMixture } from '../../../src/nested/geometry/cube-mixture.ts'
import { Ellipsoid } from '../../../src/nested/geometry/ellipsoid.ts'
import { buildEnvelope, splitNonOverlapping } from '../../../src/nested/geometry/envelope.ts'
import { overlapMinimum } from '../../../src/nested/geometry/overlap.ts'
import { Union } from '../../../src/nested/geometry/union.ts'
import { ball, cloneRandom, gaussianBlob, lensArea } from './helpers.ts'

// Two discs of radius 0.2 whose centres are 0.2 apart, well inside the unit square.
const R = 0.2
const C1 = [0.4, 0.5]
const C2 = [0.6, 0.5]
const LENS = lensArea(R, R, 0.2)
const UNION_AREA = 2 * Math.PI * R * R - LENS

function inDisc(x: Float64Array, c: readonly number[]): boolean {
  return (x[0]! - c[0]!) ** 2 + (x[1]! - c[1]!) ** 2 <= R * R
}

describe('Union sampling and volume', () => {
  test('two overlapping discs are sampled uniformly, the lens included', () => {
    const union = Union.fromMembers([ball(C1, R), ball(C2, R)])
    const rng = Random.fromSeed(1)
    const n = 40000
    const counts = [0, 0, 0] // only disc 1, lens, only disc 2
    for (const x of union.sample(n, rng)) {
      const a = inDisc(x, C1)
      const b = inDisc(x, C2)
      expect(a || b).toBe(true)
      counts[a && b ? 1 : a ? 0 : 2]!++
    }
    const expected = [
      (Math.PI * R * R - LENS) / UNION_AREA,
      LENS / UNION_AREA,
      (Math.PI * R * R - LENS) / UNION_AREA,
    ]
    let chi2 = 0
    for (let k = 0; k < 3; k++) chi2 += (counts[k]! - n * expected[k]!) ** 2 / (n * expected[k]!)
    // χ² with 2 degrees of freedom: 0.1% above 13.8. Without the 1/n(x) thinning the lens would
    // hold about twice its share.
    expect(chi2).toBeLessThan(13.8)
    const lensShare = counts[1]! / n
    expect(Math.abs(lensShare - expected[1]!)).toBeLessThan(
      4 * Math.sqrt((expected[1]! * (1 - expected[1]!)) / n),
    )
  })

  test('draws are uniform over a grid of the union (χ² on cells fully inside one disc)', () => {
    const union = Union.fromMembers([ball(C1, R), ball(C2, R)])
    const rng = Random.fromSeed(2)
    const n = 60000
    const cells = 20 // cells of side 0.6/20 over [0.2, 0.8] × [0.3, 0.7]
    const side = 0.6 / cells
    const counts = new Map<number, number>()
    for (const x of union.sample(n, rng)) {
      const key = Math.floor((x[0]! - 0.2) / side) * 100 + Math.floor((x[1]! - 0.3) / side)
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    // A cell whose four corners lie in one disc lies wholly in it (both are convex), so it
    // expects n·side²/area; lens cells and one-disc cells must come out alike.
    const expected = (n * side * side) / UNION_AREA
    let chi2 = 0
    let used = 0
    for (let i = 0; i < cells; i++) {
      for (let j = 0; j < cells; j++) {
        const corners = [0, 1].flatMap((a) =>
          [0, 1].map((b) => new Float64Array([0.2 + (i + a) * side, 0.3 + (j + b) * side])),
        )
        const whole = corners.every((c) => inDisc(c, C1)) || corners.every((c) => inDisc(c, C2))
        if (!whole) continue
        chi2 += ((counts.get(i * 100 + j) ?? 0) - expected) ** 2 / expected
        used++
      }
    }
    expect(used).toBeGreaterThan(100)
    // Mean used, standard deviation √(2·used): allow 4.5σ.
    expect(chi2).toBeLessThan(used + 4.5 * Math.sqrt(2 * used))
  })

  test('the Monte Carlo volume converges to the area of two overlapping discs', () => {
    const union = Union.fromMembers([ball(C1, R), ball(C2, R)])
    const rng = Random.fromSeed(3)
    expect(() => union.logVolume()).toThrow()
    const first = union.logVolume(rng)
    expect(union.nSample).toBeGreaterThanOrEqual(1000)
    expect(Math.abs(first - Math.log(UNION_AREA))).toBeLessThan(0.1)
    expect(union.logVolumeUpperBound()).toBeCloseTo(Math.log(2 * Math.PI * R * R), 12)
    union.sample(100000, rng)
    const later = union.logVolume()
    // The reject share is the lens share of the sum of member areas, p ≈ 0.2; after ~120k draws
    // its standard error is ~0.1%.
    expect(Math.abs(later - Math.log(UNION_AREA))).toBeLessThan(0.01)
    expect(union.nReject / union.nSample).toBeCloseTo(LENS / (2 * Math.PI * R * R), 2)
    const p = 1 - union.nReject / union.nSample
    expect(union.volumeRelativeVariance()).toBeCloseTo((1 - p) / (p * union.nSample), 15)
    expect(union.dimensions).toBe(2)
  })

  test('a union clipped by the cube has the right volume', () => {
    const rng = Random.fromSeed(4)
    // Half a disc sticks out below y = 0; an eighth of a ball sits in the corner of the 3-cube.
    const half = Union.fromMembers([ball([0.5, 0], 0.3)])
    half.sample(100000, rng)
    expect(Math.abs(half.logVolume() - Math.log((Math.PI * 0.09) / 2))).toBeLessThan(0.015)
    const eighth = Union.fromMembers([ball([0, 0, 0], 0.4)])
    const pts = eighth.sample(20000, rng)
    expect(Math.abs(eighth.logVolume() - Math.log((4 / 3) * Math.PI * 0.064 * 0.125))).toBeLessThan(0.03)
    for (const x of pts) expect(eighth.contains(x)).toBe(true)
    // Two clipped discs overlapping inside the square: the lens and the clipping at once.
    const two = Union.fromMembers([ball([0.5, 0], 0.3), ball([0.5, 0.2], 0.3)])
    two.sample(100000, rng)
    // Brute force on a fine grid for the truth.
    let inside = 0
    const g = 1000
    for (let i = 0; i < g; i++) {
      for (let j = 0; j < g; j++) if (two.contains([(i + 0.5) / g, (j + 0.5) / g])) inside++
    }
    expect(Math.abs(two.logVolume() - Math.log(inside / (g * g)))).toBeLessThan(0.015)
  })

  test('contains needs the cube and one member; count counts members', () => {
    const union = Union.fromMembers([ball([0.1, 0.5], 0.2), ball([0.25, 0.5], 0.2)])
    expect(union.contains([0.2, 0.5])).toBe(true)
    expect(union.count([0.2, 0.5])).toBe(2)
    expect(union.count([0.0, 0.5])).toBe(1)
    expect(union.contains([-0.05, 0.5])).toBe(false)
    expect(union.count([-0.05, 0.5])).toBe(1)
    expect(union.contains([0.9, 0.5])).toBe(false)
    expect(union.count([0.9, 0.5])).toBe(0)
  })

  test('data round-trips through JSON: the restored union continues identically', () => {
    const rng = Random.fromSeed(5)
    const pts = [
      ...gaussianBlob(rng, 300, [0.3, 0.3, 0.4], 0.05),
      ...gaussianBlob(rng, 300, [0.7, 0.6, 0.5], 0.05),
    ]
    for (const cubeMixture of [false, true]) {
      const union = Union.compute(pts, { cubeMixture })
      expect(union.split(true, rng)).toBe(true)
      union.sample(1234, rng)
      const restored = Union.fromData(JSON.parse(JSON.stringify(union.toData())))
      expect(restored.nSample).toBe(union.nSample)
      expect(restored.nReject).toBe(union.nReject)
      expect(restored.pendingCount).toBe(union.pendingCount)
      expect(restored.logVolume()).toBe(union.logVolume())
      const a = cloneRandom(rng)
      const b = cloneRandom(rng)
      expect(restored.sample(2500, b).map((x) => Array.from(x))).toEqual(
        union.sample(2500, a).map((x) => Array.from(x)),
      )
      expect(restored.logVolume()).toBe(union.logVolume())
      // Splitting goes on identically too.
      expect(restored.split(true, b)).toBe(union.split(true, a))
      expect(JSON.stringify(restored.toData())).toBe(JSON.stringify(union.toData()))
      // Without the points it can still be sampled, but not split.
      const light = Union.fromData(union.toData({ points: false }))
      expect(light.sample(10, cloneRandom(rng)).length).toBe(10)
      expect(() => light.split(true, rng)).toThrow()
    }
  })
})

describe('Union splitting and trimming', () => {
  test('splitting two separated Gaussian blobs gives two smaller members, overlap allowed or not', () => {
    for (const d of [2, 5]) {
      for (const allowOverlap of [true, false]) {
        const rng = Random.fromSeed(10 + d)
        const a = gaussianBlob(rng, 400, Array(d).fill(0.3), 0.04)
        const b = gaussianBlob(rng, 300, Array(d).fill(0.7), 0.03)
        const union = Union.compute([...a, ...b])
        const before = union.logVolumeUpperBound()
        expect(union.split(allowOverlap, rng)).toBe(true)
        expect(union.members.length).toBe(2)
        // A thin 2-D cloud gains little; in 5-D the single ellipsoid is mostly empty.
        expect(union.logVolumeUpperBound()).toBeLessThan(before - (d === 2 ? 0.05 : 1))
        expect([...union.memberPointCounts].sort((x, y) => x - y)).toEqual([300, 400])
        for (const x of [...a, ...b]) expect(union.count(x)).toBeGreaterThanOrEqual(1)
        expect(overlapMinimum(union.members[0] as Ellipsoid, union.members[1] as Ellipsoid)).toBeLessThan(0)
      }
    }
  })

  test('a split that does not shrink the volume blocks the member instead', () => {
    const rng = Random.fromSeed(20)
    // Uniform points in a disc: any two-way split of a round cloud gives two ellipsoids whose
    // enlarged volumes are not smaller than the one.
    const pts: Float64Array[] = []
    while (pts.length < 400) {
      const x = new Float64Array([rng.uniform(), rng.uniform()])
      if ((x[0]! - 0.5) ** 2 + (x[1]! - 0.5) ** 2 < 0.1) pts.push(x)
    }
    const union = Union.compute(pts)
    const split = union.split(true, rng)
    if (split) expect(union.logVolumeUpperBound()).toBeLessThan(Ellipsoid.fit(pts).logVolume)
    else expect(union.blocked.every((b) => b)).toBe(true)
    while (union.split(true, rng)) {}
    expect(union.blocked.every((b) => b)).toBe(true)
  })

  test('members with fewer than 2·nPointsMin points are not split; the smaller cluster is topped up', () => {
    const rng = Random.fromSeed(21)
    const a = gaussianBlob(rng, 200, [0.3, 0.3], 0.03)
    const b = gaussianBlob(rng, 10, [0.8, 0.8], 0.01)
    const small = Union.compute([...a, ...b], { nPointsMin: 106 })
    expect(small.blocked).toEqual([true])
    expect(small.split(true, rng)).toBe(false)
    const union = Union.compute([...a, ...b], { nPointsMin: 30 })
    expect(union.split(true, rng)).toBe(true)
    expect([...union.memberPointCounts].sort((x, y) => x - y)).toEqual([30, 180])
    expect(() => Union.compute(a, { nPointsMin: 2 })).toThrow(RangeError)
    expect(() => Union.compute(a, { cubeMixture: true }).split(false, rng)).toThrow(RangeError)
  })

  test('trim drops a member far sparser than the others', () => {
    const rng = Random.fromSeed(22)
    const dense = gaussianBlob(rng, 300, [0.2, 0.2, 0.2], 0.005)
    const sparse = gaussianBlob(rng, 60, [0.7, 0.7, 0.7], 0.1)
    const union = Union.compute([...dense, ...sparse])
    expect(union.split(true, rng)).toBe(true)
    union.sample(10, rng)
    expect(union.trim()).toBe(true)
    expect(union.members.length).toBe(1)
    expect(union.memberPointCounts).toEqual([300])
    expect(union.nSample).toBe(0)
    expect(union.trim()).toBe(false)
  })
})

describe('envelope and regions', () => {
  test('buildEnvelope covers every point, meets the volume target or cannot split further, and is reproducible', () => {
    const d = 6
    const rng = Random.fromSeed(30)
    const pts = [
      ...gaussianBlob(rng, 800, Array(d).fill(0.3), 0.03),
      ...gaussianBlob(rng, 800, Array(d).fill(0.7), 0.03),
    ]
    const options = { nPointsMin: d + 50, logVolumeLive: Math.log(1e-7) }
    const env = buildEnvelope(pts, options, Random.fromSeed(31))
    expect(env.cubeMixture).toBe(true)
    expect(env.members.every((m) => m instanceof CubeMixture)).toBe(true)
    expect(env.members.length).toBeGreaterThanOrEqual(2)
    for (const x of pts) expect(env.contains(x)).toBe(true)
    const limit = options.logVolumeLive + Math.log(100) + d * Math.log(1.1)
    expect(env.logVolume() <= limit || env.blocked.every((b) => b)).toBe(true)
    const again = buildEnvelope(pts, options, Random.fromSeed(31))
    expect(JSON.stringify(again.toData())).toBe(JSON.stringify(env.toData()))
    // A generous target needs no split at all.
    expect(buildEnvelope(pts, { ...options, logVolumeLive: 0 }, rng).members.length).toBe(1)
  })

  test('splitNonOverlapping separates three blobs into disjoint ellipsoids covering every point', () => {
    const rng = Random.fromSeed(40)
    const pts = [
      ...gaussianBlob(rng, 300, [0.2, 0.2, 0.5], 0.03),
      ...gaussianBlob(rng, 300, [0.8, 0.3, 0.5], 0.03),
      ...gaussianBlob(rng, 300, [0.5, 0.8, 0.5], 0.03),
    ]
    const regions = splitNonOverlapping(pts, { nPointsMin: 53 }, rng)
    expect(regions.length).toBeGreaterThanOrEqual(3)
    for (let i = 0; i < regions.length; i++) {
      for (let j = i + 1; j < regions.length; j++)
        expect(overlapMinimum(regions[i]!, regions[j]!)).toBeLessThanOrEqual(0)
    }
    for (const x of pts) expect(regions.some((e) => e.contains(x))).toBe(true)
  })
})
