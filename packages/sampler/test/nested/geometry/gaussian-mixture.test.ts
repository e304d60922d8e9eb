import { Random } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import {
  componentLogDensities,
  fitGaussianMixture2,
  labelsByDensity,
} from '../../../src/nested/geometry/gaussian-mixture.ts'
import { gaussianBlob } from './helpers.ts'

// Share of points whose label matches the truth, up to swapping the two labels.
function agreement(labels: Uint8Array, truth: readonly number[]): number {
  let same = 0
  for (let i = 0; i < labels.length; i++) if (labels[i] === truth[i]) same++
  return Math.max(same, labels.length - same) / labels.length
}

describe('fitGaussianMixture2', () => {
  test('separates two well-separated clusters of unequal size and shape', () => {
    for (const d of [2, 3, 10]) {
      const rng = Random.fromSeed(10 + d)
      const a = gaussianBlob(rng, 600, Array(d).fill(-1), 0.3)
      const b = gaussianBlob(rng, 250, Array(d).fill(1), 0.15)
      const pts = [...a, ...b]
      const truth = [...a.map(() => 0), ...b.map(() => 1)]
      const model = fitGaussianMixture2(pts, rng)
      const labels = labelsByDensity(componentLogDensities(model, pts))
      expect(agreement(labels, truth)).toBeGreaterThan(0.99)
      const big = model.weights[0] > model.weights[1] ? 0 : 1
      expect(model.weights[big]).toBeCloseTo(600 / 850, 2)
      for (const v of model.means[big]) expect(v).toBeCloseTo(-1, 1)
      expect(Number.isFinite(model.meanLogLikelihood)).toBe(true)
    }
  })

  test('finds two clusters that differ only in width along one axis of an elongated cloud', () => {
    // Two touching blobs along axis 0: a harder case that needs the EM, not just 2-means.
    const rng = Random.fromSeed(20)
    const a = gaussianBlob(rng, 400, [0, 0], 0.1)
    const b = gaussianBlob(rng, 400, [1, 0], 0.1)
    const pts = [...a, ...b]
    const labels = labelsByDensity(componentLogDensities(fitGaussianMixture2(pts, rng), pts))
    expect(agreement(labels, [...a.map(() => 0), ...b.map(() => 1)])).toBeGreaterThan(0.98)
  })

  test('is reproducible for a seed', () => {
    const pts = gaussianBlob(Random.fromSeed(30), 300, [0, 0, 0], 1)
    const m1 = fitGaussianMixture2(pts, Random.fromSeed(31))
    const m2 = fitGaussianMixture2(pts, Random.fromSeed(31))
    expect(m2.meanLogLikelihood).toBe(m1.meanLogLikelihood)
    expect(Array.from(m2.means[0])).toEqual(Array.from(m1.means[0]))
    expect(Array.from(m2.covariances[1])).toEqual(Array.from(m1.covariances[1]))
  })

  test('survives degenerate data: identical points and points on a line', () => {
    const rng = Random.fromSeed(40)
    const same = Array.from({ length: 50 }, () => new Float64Array([0.3, 0.3, 0.3]))
    const line = Array.from({ length: 80 }, (_, i) => new Float64Array([i / 80, 2 * (i / 80), 0.5]))
    for (const pts of [same, line]) {
      const model = fitGaussianMixture2(pts, rng)
      const logDensities = componentLogDensities(model, pts)
      for (const v of logDensities) expect(Number.isNaN(v)).toBe(false)
      expect(Number.isFinite(model.meanLogLikelihood)).toBe(true)
      expect(model.weights[0] + model.weights[1]).toBeCloseTo(1, 12)
    }
  })

  test('needs two points', () => {
    expect(() => fitGaussianMixture2([new Float64Array(2)], Random.fromSeed(1))).toThrow(RangeError)
  })
})
