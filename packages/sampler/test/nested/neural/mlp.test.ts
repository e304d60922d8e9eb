import { Random } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import {
  lossAndGradient,
  type NetworkWeights,
  predict,
  trainNetwork,
} from '../../../src/nested/neural/mlp.ts'

/** N points uniform in [−1, 1]² and a quadratic score in (0, 1) peaked at the origin. */
function quadratic(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const random = Random.fromSeed(seed)
  const x = new Float64Array(2 * n)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const a = 2 * random.uniform() - 1
    const b = 2 * random.uniform() - 1
    x[2 * i] = a
    x[2 * i + 1] = b
    y[i] = 0.9 - 0.3 * a * a - 0.5 * b * b + 0.1 * a * b
  }
  return { x, y }
}

function rSquared(predicted: Float64Array, y: Float64Array): number {
  let mean = 0
  for (const v of y) mean += v / y.length
  let residual = 0
  let total = 0
  for (let i = 0; i < y.length; i++) {
    residual += (predicted[i]! - y[i]!) ** 2
    total += (y[i]! - mean) ** 2
  }
  return 1 - residual / total
}

const sameBits = (a: Float64Array, b: Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

describe('trainNetwork', () => {
  const train = quadratic(300, 1)
  const held = quadratic(500, 2)
  const weights = trainNetwork(train.x, train.y, { seed: 7 })

  test('fits a 2-D quadratic score: R² > 0.95 on the training points and on new points', () => {
    expect(weights.sizes).toEqual([2, 100, 50, 20, 1])
    expect(rSquared(predict(weights, train.x), train.y)).toBeGreaterThan(0.95)
    expect(rSquared(predict(weights, held.x), held.y)).toBeGreaterThan(0.95)
  })

  test('the same seed gives bit-identical weights; other seeds and keys give others', () => {
    const again = trainNetwork(train.x, train.y, { seed: 7 })
    expect(again.epochs).toBe(weights.epochs)
    expect(sameBits(again.params, weights.params)).toBe(true)
    expect(sameBits(again.lossCurve, weights.lossCurve)).toBe(true)
    const short = { maxEpochs: 3 }
    const a = trainNetwork(train.x, train.y, { seed: 7, ...short })
    const b = trainNetwork(train.x, train.y, { seed: 8, ...short })
    const c = trainNetwork(train.x, train.y, { seed: 7, key: [0], ...short })
    expect(sameBits(a.params, b.params)).toBe(false)
    expect(sameBits(a.params, c.params)).toBe(false)
  })

  test('stops once the loss has not set a new best for nIterNoChange + 1 epochs', () => {
    const w = trainNetwork(train.x, train.y, { seed: 3, nIterNoChange: 2, hidden: [8] })
    const curve = [...w.lossCurve]
    expect(curve.length).toBe(w.epochs)
    expect(w.epochs).toBeLessThan(10000)
    const best = curve.indexOf(Math.min(...curve))
    expect(w.epochs - 1 - best).toBe(3)
    // With the default 10 the same run goes on for at least 11 epochs after its best.
    const patient = trainNetwork(train.x, train.y, { seed: 3, hidden: [8] })
    const patientCurve = [...patient.lossCurve]
    expect(patient.epochs - 1 - patientCurve.indexOf(Math.min(...patientCurve))).toBe(11)
  })

  test('maxEpochs caps the epochs; a last short minibatch is used (250 points, batch 200)', () => {
    const n250 = quadratic(250, 4)
    const w = trainNetwork(n250.x, n250.y, { seed: 1, maxEpochs: 4 })
    expect(w.epochs).toBe(4)
    expect(w.lossCurve.length).toBe(4)
    expect(w.lossCurve[3]!).toBeLessThan(w.lossCurve[0]!)
  })

  test('weights survive structuredClone: identical predictions', () => {
    const clone: NetworkWeights = structuredClone(weights)
    expect(clone.params).toBeInstanceOf(Float64Array)
    expect(sameBits(predict(clone, held.x), predict(weights, held.x))).toBe(true)
  })

  test('predicting many rows (across the internal chunks) equals predicting one row at a time', () => {
    const many = predict(weights, held.x)
    const out = new Float64Array(held.y.length + 3)
    expect(predict(weights, held.x, out)).toBe(out)
    for (let i = 0; i < held.y.length; i++) {
      const one = predict(weights, held.x.subarray(2 * i, 2 * i + 2))
      expect(Object.is(one[0], many[i])).toBe(true)
      expect(Object.is(out[i], many[i])).toBe(true)
    }
  })

  test('bad shapes are refused', () => {
    expect(() => trainNetwork(new Float64Array(5), new Float64Array(2), { seed: 0 })).toThrow(RangeError)
    expect(() => trainNetwork(new Float64Array(0), new Float64Array(0), { seed: 0 })).toThrow(RangeError)
    expect(() => trainNetwork(train.x, train.y, { seed: 0, hidden: [0] })).toThrow(RangeError)
    expect(() => predict(weights, new Float64Array(3))).toThrow(RangeError)
  })
})

describe('lossAndGradient', () => {
  // A tiny network a few Adam steps from its initial weights, on 30 points in 3-D.
  const random = Random.fromSeed(11)
  const x = Float64Array.from({ length: 90 }, () => random.normal())
  const y = Float64Array.from({ length: 30 }, () => random.uniform())
  const weights = trainNetwork(x, y, { seed: 5, hidden: [8, 6], maxEpochs: 3, batchSize: 8 })

  test('the reference backprop below matches central finite differences (in f64)', () => {
    const { gradient } = naiveLossAndGradient(weights, x, y)
    const h = 1e-6
    let compared = 0
    for (let p = 0; p < weights.params.length; p++) {
      const plus = weights.params.slice()
      const minus = weights.params.slice()
      plus[p] = plus[p]! + h
      minus[p] = minus[p]! - h
      const lossPlus = naiveLossAndGradient({ ...weights, params: plus }, x, y).loss
      const lossMinus = naiveLossAndGradient({ ...weights, params: minus }, x, y).loss
      const numeric = (lossPlus - lossMinus) / (2 * h)
      expect(Math.abs(numeric - gradient[p]!)).toBeLessThan(1e-7 + 1e-5 * Math.abs(gradient[p]!))
      if (gradient[p] !== 0) compared++
    }
    // Most parameters carry gradient (the check is not vacuous).
    expect(compared).toBeGreaterThan(0.7 * weights.params.length)
  })

  test("the WebAssembly kernels' loss and gradient equal the reference's within f32 rounding", () => {
    const { loss, gradient } = lossAndGradient(weights, x, y)
    const naive = naiveLossAndGradient(weights, x, y)
    expect(Math.abs(loss - naive.loss)).toBeLessThan(1e-6 * naive.loss)
    let largest = 0
    for (const g of naive.gradient) largest = Math.max(largest, Math.abs(g))
    for (let p = 0; p < gradient.length; p++) {
      const want = naive.gradient[p]!
      expect(Math.abs(gradient[p]! - want)).toBeLessThan(1e-5 * Math.abs(want) + 1e-6 * largest)
      // A unit the reference gives no gradient (a dead ReLU) gets none from the kernels either.
      if (want === 0) expect(gradient[p]).toBe(0)
    }
  })

  test('one sample at a time or all together: the same gradient within f32 rounding', () => {
    // The kernels gather a unit's nonzero rows before summing; a batch of one has no rows to skip.
    const whole = lossAndGradient(weights, x, y).gradient
    const summed = new Float64Array(whole.length)
    for (let i = 0; i < 30; i++) {
      const one = lossAndGradient(weights, x.subarray(3 * i, 3 * i + 3), y.subarray(i, i + 1)).gradient
      for (let p = 0; p < one.length; p++) summed[p] = summed[p]! + one[p]! / 30
    }
    let largest = 0
    for (const g of whole) largest = Math.max(largest, Math.abs(g))
    for (let p = 0; p < whole.length; p++) {
      expect(Math.abs(summed[p]! - whole[p]!)).toBeLessThan(1e-5 * Math.abs(whole[p]!) + 1e-6 * largest)
    }
  })
})

/**
 * Backpropagation written the plain way: one sample at a time, every input unit (zeros included),
 * gradients summed over samples in order, in f64. Independent of the WebAssembly kernels.
 */
function naiveLossAndGradient(
  weights: NetworkWeights,
  x: Float64Array,
  y: Float64Array,
): { loss: number; gradient: Float64Array } {
  const { sizes, params } = weights
  const nLayers = sizes.length - 1
  const wAt: number[] = []
  const bAt: number[] = []
  let at = 0
  for (let l = 0; l < nLayers; l++) {
    wAt.push(at)
    at += sizes[l]! * sizes[l + 1]!
    bAt.push(at)
    at += sizes[l + 1]!
  }
  const gradient = new Float64Array(params.length)
  const n = y.length
  let sumSq = 0
  for (let i = 0; i < n; i++) {
    const acts: number[][] = [Array.from(x.subarray(i * sizes[0]!, (i + 1) * sizes[0]!))]
    for (let l = 0; l < nLayers; l++) {
      const next: number[] = []
      for (let j = 0; j < sizes[l + 1]!; j++) {
        let s = params[bAt[l]! + j]!
        for (let k = 0; k < sizes[l]!; k++) s += acts[l]![k]! * params[wAt[l]! + k * sizes[l + 1]! + j]!
        next.push(l + 1 < nLayers ? Math.max(s, 0) : s)
      }
      acts.push(next)
    }
    const r = acts[nLayers]![0]! - y[i]!
    sumSq += r * r
    let delta = [r]
    for (let l = nLayers - 1; l >= 0; l--) {
      const prev: number[] = []
      for (let j = 0; j < sizes[l + 1]!; j++) gradient[bAt[l]! + j] = gradient[bAt[l]! + j]! + delta[j]!
      for (let k = 0; k < sizes[l]!; k++) {
        const a = acts[l]![k]!
        let s = 0
        for (let j = 0; j < sizes[l + 1]!; j++) {
          const w = wAt[l]! + k * sizes[l + 1]! + j
          gradient[w] = gradient[w]! + a * delta[j]!
          s += delta[j]! * params[w]!
        }
        prev.push(a > 0 ? s : 0)
      }
      delta = prev
    }
  }
  for (let p = 0; p < gradient.length; p++) gradient[p] = gradient[p]! / n
  return { loss: sumSq / 2 / n, gradient }
}
