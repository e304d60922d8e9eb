import { fc, test } from '@fast-check/vitest'
import { Random } from '@parafit/core'
import { describe, expect } from 'vitest'
import { CubeMixture } from '../../../src/nested/geometry/cube-mixture.ts'
import { Ellipsoid } from '../../../src/nested/geometry/ellipsoid.ts'
import { cloneRandom, gaussianBlob, uniformBox } from './helpers.ts'

// Points filling the cube along `cubeAxes` and a narrow Gaussian blob along the other axes.
function partlyFilling(rng: Random, n: number, d: number, cubeAxes: readonly number[]): Float64Array[] {
  const pts = gaussianBlob(rng, n, Array(d).fill(0.5), 0.02)
  for (const p of pts) for (const a of cubeAxes) p[a] = rng.uniform()
  return pts
}

describe('CubeMixture', () => {
  test('moves the axes the points fill to the cube side and is smaller than one ellipsoid', () => {
    const rng = Random.fromSeed(1)
    const pts = partlyFilling(rng, 800, 6, [1, 4])
    const m = CubeMixture.fit(pts)
    expect(Array.from(m.cubeAxes)).toEqual([1, 4])
    expect(Array.from(m.ellipsoidAxes)).toEqual([0, 2, 3, 5])
    for (const p of pts) expect(m.contains(p)).toBe(true)
    // Each filled axis saves roughly a factor 1.3 over the round, enlarged ellipsoid.
    const wide = partlyFilling(rng, 800, 10, [0, 1, 2, 3, 4])
    const w = CubeMixture.fit(wide)
    expect(Array.from(w.cubeAxes)).toEqual([0, 1, 2, 3, 4])
    expect(w.logVolume).toBeLessThan(Ellipsoid.fit(wide).logVolume - 0.8)
  })

  test('is a plain ellipsoid for a compact blob and the whole cube for uniform points', () => {
    const rng = Random.fromSeed(2)
    const blob = gaussianBlob(rng, 500, [0.4, 0.5, 0.6, 0.5], 0.03)
    const m = CubeMixture.fit(blob)
    expect(m.cubeAxes.length).toBe(0)
    expect(m.logVolume).toBe(Ellipsoid.fit(blob).logVolume)

    const uniform = uniformBox(rng, 500, 4)
    const all = CubeMixture.fit(uniform)
    expect(all.cubeAxes.length).toBe(4)
    expect(all.ellipsoid).toBeNull()
    expect(all.logVolume).toBe(0)
    for (const p of uniform) expect(all.contains(p)).toBe(true)
    expect(all.contains([0.5, 0.5, 1, 0.5])).toBe(false)
  })

  test.prop(
    [fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 63 })],
    {
      numRuns: 25,
      seed: 5,
    },
  )('contains its points; draws lie inside and are uniform along the cube axes', (seed, d, mask) => {
    const rng = Random.fromSeed(seed)
    const cubeAxes = Array.from({ length: d }, (_, a) => a).filter((a) => (mask >> a) & 1)
    const pts = partlyFilling(rng, 200, d, cubeAxes)
    const m = CubeMixture.fit(pts)
    for (const p of pts) expect(m.contains(p)).toBe(true)
    const n = 2000
    const mean = new Float64Array(d)
    const x = new Float64Array(d)
    for (let i = 0; i < n; i++) {
      m.sampleInto(rng, x)
      expect(m.contains(x)).toBe(true)
      for (let a = 0; a < d; a++) mean[a]! += x[a]! / n
    }
    // U(0, 1) has standard deviation 1/√12.
    for (const a of m.cubeAxes) expect(Math.abs(mean[a]! - 0.5)).toBeLessThan(4.5 / Math.sqrt(12 * n))
  })

  test('toFrame maps cube axes to 2x − 1 and the others into the ellipsoid frame', () => {
    const rng = Random.fromSeed(3)
    const m = CubeMixture.fit(partlyFilling(rng, 400, 5, [0, 3]))
    expect(Array.from(m.cubeAxes)).toEqual([0, 3])
    const x = m.sample(rng)
    const f = m.toFrame(x)
    expect(f[0]).toBeCloseTo(2 * x[0]! - 1, 14)
    expect(f[3]).toBeCloseTo(2 * x[3]! - 1, 14)
    const sub = m.ellipsoid!.toUnitBall([x[1]!, x[2]!, x[4]!])
    expect([f[1], f[2], f[4]]).toEqual(Array.from(sub))
    let r2 = 0
    for (const v of sub) r2 += v * v
    expect(r2).toBeLessThanOrEqual(1)
  })

  test('data round-trips through JSON and gives identical draws', () => {
    const rng = Random.fromSeed(4)
    const m = CubeMixture.fit(partlyFilling(rng, 300, 4, [2]))
    const restored = CubeMixture.fromData(JSON.parse(JSON.stringify(m.toData())))
    expect(Array.from(restored.cubeAxes)).toEqual(Array.from(m.cubeAxes))
    expect(restored.logVolume).toBe(m.logVolume)
    const a = cloneRandom(rng)
    const b = cloneRandom(rng)
    for (let i = 0; i < 20; i++) expect(Array.from(restored.sample(b))).toEqual(Array.from(m.sample(a)))
  })
})
