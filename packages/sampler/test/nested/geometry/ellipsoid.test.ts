import { fc, test } from '@fast-check/vitest'
import { Random } from '@parafit/core'
import { determinant, Matrix } from 'ml-matrix'
import { describe, expect } from 'vitest'
import { Ellipsoid, minimumVolumeEnclosingEllipsoid } from '../../../src/nested/geometry/ellipsoid.ts'
import { logUnitBallVolume } from '../../../src/nested/geometry/linear-algebra.ts'
import { cloneRandom, gaussianBlob, ksCritical, ksUniform, randomEllipsoid, uniformBox } from './helpers.ts'

// A point cloud of one of several kinds, some degenerate on purpose.
function cloud(seed: number, d: number, n: number, kind: number): Float64Array[] {
  const rng = Random.fromSeed(seed)
  const pts = uniformBox(rng, n, d)
  if (kind === 1) {
    // Anisotropic and correlated.
    for (const p of pts) {
      p[0] = 0.5 + 0.01 * (p[0]! - 0.5)
      p[d - 1] = 0.3 * p[d - 1]! + 0.7 * p[0]!
    }
  } else if (kind === 2) {
    // On a line.
    for (const p of pts) for (let k = 1; k < d; k++) p[k] = 0.2 + 0.5 * p[0]!
  } else if (kind === 3) {
    // Duplicates of a few points.
    for (let i = 3; i < pts.length; i++) pts[i] = Float64Array.from(pts[i % 3]!)
  }
  return pts
}

describe('minimumVolumeEnclosingEllipsoid', () => {
  test.prop(
    [
      fc.integer({ min: 0, max: 1e6 }),
      fc.integer({ min: 2, max: 7 }),
      fc.integer({ min: 1, max: 80 }),
      fc.integer({ min: 0, max: 3 }),
    ],
    { numRuns: 120, seed: 17 },
  )('contains all its points and is finite, even for degenerate sets', (seed, d, n, kind) => {
    const pts = cloud(seed, d, n, kind)
    const e = minimumVolumeEnclosingEllipsoid(pts)
    expect(Number.isFinite(e.logVolume)).toBe(true)
    for (const v of e.shape) expect(Number.isFinite(v)).toBe(true)
    for (const v of e.centre) expect(Number.isFinite(v)).toBe(true)
    for (const p of pts) expect(e.contains(p)).toBe(true)
  })

  test('is the ball of radius √d/2 for a cube (vertices plus interior points)', () => {
    const rng = Random.fromSeed(3)
    for (let d = 2; d <= 6; d++) {
      const pts: Float64Array[] = []
      for (let m = 0; m < 1 << d; m++) pts.push(Float64Array.from({ length: d }, (_, k) => (m >> k) & 1))
      pts.push(...uniformBox(rng, 300, d))
      const e = minimumVolumeEnclosingEllipsoid(pts)
      const truth = logUnitBallVolume(d) + d * Math.log(Math.sqrt(d) / 2)
      // Enclosing ellipsoids can only be larger than the minimum; Khachiyan gets within ~1%.
      expect(e.logVolume - truth).toBeGreaterThan(-1e-9)
      expect(e.logVolume - truth).toBeLessThan(0.02)
      for (const c of e.centre) expect(c).toBeCloseTo(0.5, 2)
    }
  })

  test('is the affine image of the circumscribed ball for a simplex', () => {
    const rng = Random.fromSeed(4)
    for (let d = 2; d <= 6; d++) {
      const vertices = uniformBox(rng, d + 1, d)
      const pts = [...vertices]
      // Interior points (convex combinations) do not change the MVEE.
      for (let i = 0; i < 200; i++) {
        const w = vertices.map(() => -Math.log(1 - rng.uniform()))
        const sum = w.reduce((a, b) => a + b, 0)
        pts.push(
          Float64Array.from({ length: d }, (_, k) =>
            vertices.reduce((s, v, j) => s + (w[j]! / sum) * v[k]!, 0),
          ),
        )
      }
      // For d + 1 vertices: uniform weights, centre = centroid, A⁻¹ = d·(vertex covariance).
      const c = Array.from({ length: d }, (_, k) => vertices.reduce((s, v) => s + v[k]!, 0) / (d + 1))
      const cov = Matrix.zeros(d, d)
      for (const v of vertices) {
        for (let a = 0; a < d; a++) {
          for (let b = 0; b < d; b++)
            cov.set(a, b, cov.get(a, b) + (d * (v[a]! - c[a]!) * (v[b]! - c[b]!)) / (d + 1))
        }
      }
      const truth = 0.5 * Math.log(determinant(cov)) + logUnitBallVolume(d)
      const e = minimumVolumeEnclosingEllipsoid(pts)
      expect(e.logVolume - truth).toBeGreaterThan(-1e-9)
      expect(e.logVolume - truth).toBeLessThan(0.05)
    }
  })

  test('rejects an empty set and non-finite coordinates', () => {
    expect(() => minimumVolumeEnclosingEllipsoid([])).toThrow(RangeError)
    expect(() => minimumVolumeEnclosingEllipsoid([new Float64Array([0, Number.NaN])])).toThrow(RangeError)
  })
})

describe('Ellipsoid', () => {
  test('logVolume of a diagonal ellipsoid is ln(4/3·π·abc)', () => {
    const e = Ellipsoid.fromCovariance(
      new Float64Array([0.5, 0.5, 0.5]),
      new Float64Array([0.01, 0, 0, 0, 0.04, 0, 0, 0, 0.09]),
    )
    expect(e.logVolume).toBeCloseTo(Math.log((4 / 3) * Math.PI * 0.1 * 0.2 * 0.3), 12)
    expect(e.contains([0.5, 0.5, 0.79])).toBe(true)
    expect(e.contains([0.5, 0.5, 0.81])).toBe(false)
    expect(e.contains([0.5, 0.69, 0.5])).toBe(true)
    expect(e.contains([0.5, 0.71, 0.5])).toBe(false)
  })

  test('fit enlarges the MVEE by the factor per axis', () => {
    const pts = gaussianBlob(Random.fromSeed(5), 200, [0.5, 0.4, 0.6, 0.5], 0.05)
    const mvee = minimumVolumeEnclosingEllipsoid(pts)
    expect(Ellipsoid.fit(pts).logVolume).toBeCloseTo(mvee.logVolume + 4 * Math.log(1.1), 10)
    expect(Ellipsoid.fit(pts, 1.3).logVolume).toBeCloseTo(mvee.logVolume + 4 * Math.log(1.3), 10)
    expect(() => Ellipsoid.fit(pts, 0.9)).toThrow(RangeError)
  })

  test.prop([fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 20 })], { numRuns: 60, seed: 23 })(
    'toUnitBall and fromUnitBall invert each other, also in place',
    (seed, d) => {
      const rng = Random.fromSeed(seed)
      const e = randomEllipsoid(rng, d)
      const x = Float64Array.from({ length: d }, () => rng.uniform())
      const y = e.toUnitBall(x)
      const back = e.fromUnitBall(y)
      for (let k = 0; k < d; k++) expect(back[k]).toBeCloseTo(x[k]!, 10)
      let r2 = 0
      for (const v of y) r2 += v * v
      expect(r2).toBeCloseTo(e.mahalanobis(x), 8)
      expect(e.contains(x)).toBe(r2 <= 1)
      const inPlace = Float64Array.from(x)
      e.fromUnitBall(e.toUnitBall(inPlace, inPlace), inPlace)
      for (let k = 0; k < d; k++) expect(inPlace[k]).toBeCloseTo(x[k]!, 10)
    },
  )

  test('draws are uniform: radius^d in the unit-ball frame is U(0, 1) (KS) and directions are centred', () => {
    for (const d of [2, 5, 10, 30]) {
      const rng = Random.fromSeed(100 + d)
      const e = randomEllipsoid(rng, d)
      const n = 4000
      const rd: number[] = []
      const mean = new Float64Array(d)
      const y = new Float64Array(d)
      const x = new Float64Array(d)
      for (let i = 0; i < n; i++) {
        e.sampleInto(rng, x)
        expect(e.contains(x)).toBe(true)
        e.toUnitBall(x, y)
        let r2 = 0
        for (let k = 0; k < d; k++) {
          r2 += y[k]! * y[k]!
          mean[k]! += y[k]! / n
        }
        rd.push(r2 ** (d / 2))
      }
      expect(ksUniform(rd)).toBeLessThan(ksCritical(n))
      // Each coordinate of a uniform point in the unit ball has variance 1/(d + 2).
      const se = Math.sqrt(1 / (d + 2) / n)
      for (const m of mean) expect(Math.abs(m)).toBeLessThan(4.5 * se)
    }
  })

  test('data round-trips through JSON and gives identical draws', () => {
    const rng = Random.fromSeed(7)
    const e = Ellipsoid.fit(gaussianBlob(rng, 100, [0.3, 0.6, 0.5], 0.05))
    const restored = Ellipsoid.fromData(JSON.parse(JSON.stringify(e.toData())))
    expect(restored.logVolume).toBe(e.logVolume)
    const a = cloneRandom(rng)
    const b = cloneRandom(rng)
    for (let i = 0; i < 20; i++) expect(Array.from(restored.sample(b))).toEqual(Array.from(e.sample(a)))
  })

  test('fromShape and fromCovariance describe the same set', () => {
    const e = randomEllipsoid(Random.fromSeed(8), 4)
    const f = Ellipsoid.fromShape(e.centre, e.shape)
    expect(f.logVolume).toBeCloseTo(e.logVolume, 10)
    const rng = Random.fromSeed(9)
    for (let i = 0; i < 50; i++) {
      const x = Float64Array.from({ length: 4 }, () => rng.uniform())
      expect(f.mahalanobis(x)).toBeCloseTo(e.mahalanobis(x), 8)
    }
  })
})
