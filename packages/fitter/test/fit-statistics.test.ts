import { fc, test as prop } from '@fast-check/vitest'
import { objective, Random } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { correlationMatrix, Fitter, fitStatistics, keysAtBounds, strongCorrelations } from '../src/index.ts'

describe('fitStatistics (lmfit definitions)', () => {
  test('χ², reduced χ², AIC and BIC of a hand example', () => {
    const s = fitStatistics(10, 2, 5)
    expect(s.nFree).toBe(8)
    expect(s.reducedChiSquare).toBe(5 / 8)
    expect(s.aic).toBeCloseTo(10 * Math.log(0.5) + 4, 12)
    expect(s.bic).toBeCloseTo(10 * Math.log(0.5) + Math.log(10) * 2, 12)
  })

  test('no degrees of freedom: reduced χ² is NaN; a perfect fit keeps finite criteria', () => {
    expect(fitStatistics(2, 2, 1).reducedChiSquare).toBeNaN()
    const perfect = fitStatistics(5, 1, 0)
    expect(Number.isFinite(perfect.aic) && Number.isFinite(perfect.bic)).toBe(true)
    expect(perfect.aic).toBeLessThan(-2800)
  })
})

describe('correlations', () => {
  test('the correlation of a covariance; NaN where a variance is infinite', () => {
    const r = correlationMatrix([
      [4, -3, 0],
      [-3, 9, 0],
      [0, 0, Number.POSITIVE_INFINITY],
    ])
    expect(r[0]!.slice(0, 2)).toEqual([1, -0.5])
    expect(r[1]![0]).toBe(-0.5)
    expect(r[2]![2]).toBeNaN()
    expect(r[0]![2]).toBeNaN()
  })

  prop.prop([fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 9, maxLength: 9 })])(
    'every correlation of a covariance AᵀA + 0.01·I lies in [-1, 1], the diagonal is 1',
    (a) => {
      const cov = [0, 1, 2].map((i) =>
        [0, 1, 2].map(
          (j) => a[i]! * a[j]! + a[3 + i]! * a[3 + j]! + a[6 + i]! * a[6 + j]! + (i === j ? 0.01 : 0),
        ),
      )
      const r = correlationMatrix(cov)
      for (let i = 0; i < 3; i++) {
        expect(r[i]![i]).toBe(1)
        for (let j = 0; j < 3; j++) expect(Math.abs(r[i]![j]!)).toBeLessThanOrEqual(1 + 1e-12)
      }
    },
  )

  test('strong pairs are listed strongest first, down to the threshold', () => {
    const pairs = strongCorrelations(
      ['a', 'b', 'c'],
      [
        [1, 0.3, -0.95],
        [0.3, 1, 0.05],
        [-0.95, 0.05, 1],
      ],
    )
    expect(pairs).toEqual([
      { a: 'a', b: 'c', r: -0.95 },
      { a: 'a', b: 'b', r: 0.3 },
    ])
  })
})

describe('keysAtBounds', () => {
  test('on either bound (to 1e-9 of the range) counts; inside or unbounded does not', () => {
    const lower = Float64Array.of(0, 0, Number.NEGATIVE_INFINITY, -1)
    const upper = Float64Array.of(1, 1, Number.POSITIVE_INFINITY, 1)
    expect(keysAtBounds(['a', 'b', 'c', 'd'], Float64Array.of(0, 1 - 1e-12, 5, 0.999), lower, upper)).toEqual(
      ['a', 'b'],
    )
  })
})

// A straight line y = a + b·x with noise σ, as residuals (y − model)/σ: its least-squares
// covariance is known in closed form, (XᵀX)⁻¹/σ² × (1 or s²).
describe('a Fitter on a straight line: the covariance of linear regression', () => {
  const sigma = 0.2
  const random = Random.fromSeed(7)
  const xs = Array.from({ length: 30 }, (_, i) => i / 10)
  const ys = xs.map((x) => 1 + 2 * x + sigma * random.normal())
  const line = objective((p: { a: number; b: number }) =>
    Float64Array.from(xs, (x, i) => (ys[i]! - p.a - p.b * x) / sigma),
  )
  // (XᵀX)⁻¹ of the design matrix [1, x]/σ.
  const n = xs.length
  const sx = xs.reduce((s, x) => s + x, 0)
  const sxx = xs.reduce((s, x) => s + x * x, 0)
  const det = (n * sxx - sx * sx) / sigma ** 4
  const inverse = [
    [sxx / sigma ** 2 / det, -sx / sigma ** 2 / det],
    [-sx / sigma ** 2 / det, n / sigma ** 2 / det],
  ]

  test('scaled by default (s² = χ²/dof), unscaled with absoluteSigma; statistics and correlation', async () => {
    const fitter = new Fitter(line, { initial: { a: 0, b: 0 } })
    const scaled = await fitter.fit({ method: 'lm' })
    const absolute = await fitter.fit({ method: 'lm', absoluteSigma: true })
    const stats = scaled.statistics!
    expect(stats.nData).toBe(30)
    expect(stats.nFree).toBe(28)
    expect(stats.chiSquare).toBeCloseTo(scaled.loss, 10)
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        expect(absolute.covariance![i]![j]!).toBeCloseTo(inverse[i]![j]!, 8)
        expect(scaled.covariance![i]![j]! / (inverse[i]![j]! * stats.reducedChiSquare)).toBeCloseTo(1, 6)
      }
    }
    expect(absolute.absoluteSigma).toBe(true)
    expect(scaled.absoluteSigma).toBe(false)
    expect(scaled.correlation![0]![1]).toBeCloseTo(-sx / Math.sqrt(n * sxx), 8)
    expect(scaled.atBound).toEqual([])
  })

  test('a parameter held by its bound is named in atBound', async () => {
    const result = await new Fitter(line, { initial: { a: 0, b: 0 }, bounds: { b: [0, 1.5] } }).fit({
      method: 'lm',
    })
    expect(result.params.b).toBeCloseTo(1.5, 8)
    expect(result.atBound).toEqual(['b'])
  })

  test('absoluteSigma must be a boolean', async () => {
    const fitter = new Fitter(line, { initial: { a: 0, b: 0 } })
    await expect(fitter.fit({ absoluteSigma: 'yes' as unknown as boolean })).rejects.toThrow(
      /absoluteSigma must be true or false, got 'yes'/,
    )
  })
})
