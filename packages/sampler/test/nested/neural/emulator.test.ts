import { Random } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import {
  ACCEPT_SLACK,
  assembleEmulator,
  type EmulatorData,
  emulatorTrainingSet,
  NeuralEmulator,
  trainEmulator,
  trainEmulatorNetwork,
} from '../../../src/nested/neural/emulator.ts'
import { predict } from '../../../src/nested/neural/mlp.ts'

/** N points uniform in the unit disk (a region's frame) and a Gaussian log-likelihood on them. */
function disk(n: number, seed: number): { points: Float64Array; logL: Float64Array } {
  const random = Random.fromSeed(seed)
  const points = new Float64Array(2 * n)
  const logL = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let a: number
    let b: number
    do {
      a = 2 * random.uniform() - 1
      b = 2 * random.uniform() - 1
    } while (a * a + b * b > 1)
    points[2 * i] = a
    points[2 * i + 1] = b
    logL[i] = -(((a - 0.15) / 0.5) ** 2 + ((b + 0.1) / 0.4) ** 2) / 2
  }
  return { points, logL }
}

const sameBits = (a: Float64Array, b: Float64Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

// The threshold's contour (an ellipse around (0.15, −0.1)) encloses about 40 % of the disk.
const LOG_L_MIN = -1
const train = disk(600, 1)
const fresh = disk(4000, 2)
const options = { seed: 42, key: [3, 1] }
const emulator = trainEmulator(train.points, 2, train.logL, LOG_L_MIN, options)

describe('a region emulator on a 2-D Gaussian likelihood', () => {
  test('accepts nearly every new point above the threshold and rejects most below', () => {
    let above = 0
    let falseReject = 0
    let below = 0
    let falseAccept = 0
    let deepAbove = 0
    let deepRejected = 0
    for (let i = 0; i < fresh.logL.length; i++) {
      const inside = emulator.accepts(fresh.points.subarray(2 * i, 2 * i + 2))
      if (fresh.logL[i]! >= LOG_L_MIN) {
        above++
        if (!inside) falseReject++
        // Well inside the contour (likelihood ≥ 1.65 × the threshold's): no rejection at all.
        if (fresh.logL[i]! >= LOG_L_MIN + 0.5) {
          deepAbove++
          if (!inside) deepRejected++
        }
      } else {
        below++
        if (inside) falseAccept++
      }
    }
    const rates = { falseRejection: falseReject / above, falseAcceptance: falseAccept / below }
    console.log(`emulator on a 2-D Gaussian: ${JSON.stringify(rates)} (${above} above, ${below} below)`)
    expect(above).toBeGreaterThan(1400)
    expect(rates.falseRejection).toBeLessThan(0.03)
    expect(deepAbove).toBeGreaterThan(600)
    expect(deepRejected).toBe(0)
    expect(rates.falseAcceptance).toBeLessThan(0.1)
  })

  test('accepts(point) agrees with predict against the threshold', () => {
    const predicted = emulator.predict(fresh.points.subarray(0, 400))
    for (let i = 0; i < 200; i++) {
      expect(emulator.accepts(fresh.points.subarray(2 * i, 2 * i + 2))).toBe(
        predicted[i]! > emulator.threshold - ACCEPT_SLACK,
      )
    }
    expect(emulator.threshold).toBeGreaterThan(0.3)
    expect(emulator.threshold).toBeLessThan(0.7)
  })

  test('the ensemble is the mean of its networks on standardised inputs', () => {
    const data = emulator.toData()
    expect(data.networks.length).toBe(4)
    const x = fresh.points.subarray(0, 20)
    const z = x.map((v, i) => (v - data.mean[i % 2]!) / data.scale[i % 2]!)
    const each = data.networks.map((w) => predict(w, z))
    const mean = emulator.predict(x)
    for (let i = 0; i < 10; i++)
      expect(mean[i]).toBeCloseTo((each[0]![i]! + each[1]![i]! + each[2]![i]! + each[3]![i]!) / 4, 14)
    // The four networks differ (seeded by their index).
    expect(sameBits(data.networks[0]!.params, data.networks[1]!.params)).toBe(false)
  })

  test('toData survives structuredClone and fromData gives identical predictions', () => {
    const data: EmulatorData = structuredClone(emulator.toData())
    const back = NeuralEmulator.fromData(data)
    expect(back.threshold).toBe(emulator.threshold)
    expect(back.nNetworks).toBe(4)
    expect(sameBits(back.predict(fresh.points), emulator.predict(fresh.points))).toBe(true)
    // toData hands out copies.
    data.networks[0]!.params.fill(0)
    expect(
      sameBits(NeuralEmulator.fromData(emulator.toData()).predict(fresh.points), back.predict(fresh.points)),
    ).toBe(true)
  })

  test('fromData refuses malformed data', () => {
    const data = emulator.toData()
    expect(() => NeuralEmulator.fromData({ ...data, mean: new Float64Array(3) })).toThrow(RangeError)
    expect(() => NeuralEmulator.fromData({ ...data, networks: [] })).toThrow(RangeError)
    const short = { ...data.networks[0]!, params: data.networks[0]!.params.subarray(1) }
    expect(() => NeuralEmulator.fromData({ ...data, networks: [short] })).toThrow(RangeError)
  })
})

describe('emulator training options and edge cases', () => {
  const small = disk(300, 5)
  const quick = { seed: 1, nNetworks: 2, hidden: [16, 8], maxEpochs: 30 }

  test('networks trained one task each, in any order, after structuredClone, assemble to the same emulator', () => {
    const serial = trainEmulator(small.points, 2, small.logL, LOG_L_MIN, { ...quick, nNetworks: 3 })
    const set = structuredClone(emulatorTrainingSet(small.points, 2, small.logL, LOG_L_MIN))
    const networks = [2, 1, 0].map((k) => structuredClone(trainEmulatorNetwork(set, k, quick))).reverse()
    const assembled = assembleEmulator(set, networks)
    expect(Object.is(assembled.threshold, serial.threshold)).toBe(true)
    expect(sameBits(assembled.predict(fresh.points), serial.predict(fresh.points))).toBe(true)
  })

  test('maxTrainingPoints: each network trains on its own subsample; a cap ≥ N changes nothing', () => {
    const full = trainEmulator(small.points, 2, small.logL, LOG_L_MIN, quick)
    const capAbove = trainEmulator(small.points, 2, small.logL, LOG_L_MIN, {
      ...quick,
      maxTrainingPoints: 300,
    })
    expect(sameBits(capAbove.predict(fresh.points), full.predict(fresh.points))).toBe(true)
    const capped = trainEmulator(small.points, 2, small.logL, LOG_L_MIN, { ...quick, maxTrainingPoints: 150 })
    const again = trainEmulator(small.points, 2, small.logL, LOG_L_MIN, { ...quick, maxTrainingPoints: 150 })
    expect(sameBits(capped.predict(fresh.points), full.predict(fresh.points))).toBe(false)
    expect(sameBits(capped.predict(fresh.points), again.predict(fresh.points))).toBe(true)
    const set = emulatorTrainingSet(small.points, 2, small.logL, LOG_L_MIN)
    // Network 0 of the capped run differs from a network trained, same stream, on the first 150 points.
    const firstHalf = trainEmulatorNetwork(
      { ...set, x: set.x.subarray(0, 300), scores: set.scores.subarray(0, 150) },
      0,
      quick,
    )
    expect(sameBits(firstHalf.params, capped.toData().networks[0]!.params)).toBe(false)
    expect(() => trainEmulatorNetwork(set, 0, { ...quick, maxTrainingPoints: 0 })).toThrow(RangeError)
  })

  test('a coordinate without spread is left unscaled instead of dividing by zero', () => {
    const points = small.points.slice()
    for (let i = 0; i < 300; i++) points[2 * i + 1] = 0.25
    const set = emulatorTrainingSet(points, 2, small.logL, LOG_L_MIN)
    expect(set.scale[1]).toBe(1)
    expect(set.mean[1]).toBe(0.25)
    const e = trainEmulator(points, 2, small.logL, LOG_L_MIN, quick)
    expect(Number.isFinite(e.threshold)).toBe(true)
    expect(e.predict(points).every(Number.isFinite)).toBe(true)
  })

  test('no point above the threshold, or bad shapes, are refused', () => {
    expect(() => emulatorTrainingSet(small.points, 2, small.logL, 10)).toThrow(/no point/)
    expect(() => emulatorTrainingSet(small.points, 3, small.logL, LOG_L_MIN)).toThrow(RangeError)
    expect(() => trainEmulator(small.points, 2, small.logL, LOG_L_MIN, { ...quick, nNetworks: 0 })).toThrow(
      RangeError,
    )
    expect(() => emulator.accepts([0, 0, 0])).toThrow(RangeError)
  })
})
