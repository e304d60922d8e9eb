// Norms and sums of squares without overflow or underflow, and the least squares built on them:
// residuals near 1e200 and 1e-200, and long residual vectors, give the same fit as residuals of 1.
import { fc, test as prop } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import {
  curveFit,
  fitStatistics,
  LevenbergMarquardt,
  leastSquaresUncertainties,
  type Told,
} from '../src/index.ts'
import { cosine, norm2, sumOfSquares } from '../src/least-squares/norms.ts'

const naiveNorm = (v: ArrayLike<number>) => {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!
  return Math.sqrt(sum)
}

describe('norm2', () => {
  test('entries near 1e200 and 1e-200, where the plain sum overflows or underflows', () => {
    expect(norm2([3e200, 4e200])).toBeCloseTo(5e200, -187)
    expect(naiveNorm([3e200, 4e200])).toBe(Number.POSITIVE_INFINITY)
    expect(norm2([3e-200, 4e-200]) / 5e-200).toBeCloseTo(1, 14)
    expect(naiveNorm([3e-200, 4e-200])).toBe(0)
  })

  test('a long vector: a million entries of 1e-160 (squares below the normal range), 1e5 of 1e154', () => {
    const small = new Float64Array(1_000_000).fill(1e-160)
    expect(norm2(small) / 1e-157).toBeCloseTo(1, 12)
    // The plain sum adds a million subnormal squares and is off in the fifth digit.
    expect(Math.abs(naiveNorm(small) / 1e-157 - 1)).toBeGreaterThan(1e-6)
    const large = new Float64Array(100_000).fill(1e154)
    expect(norm2(large) / (1e154 * Math.sqrt(1e5))).toBeCloseTo(1, 12)
    expect(naiveNorm(large)).toBe(Number.POSITIVE_INFINITY)
  })

  test('zero, NaN and infinities', () => {
    expect(norm2([])).toBe(0)
    expect(norm2([0, 0])).toBe(0)
    expect(norm2([1, Number.NaN, 1e300])).toBeNaN()
    expect(norm2([1, Number.NEGATIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY)
  })

  prop.prop(
    [
      // Entries below 1e-150 become 0, so that the plain norm the result is checked against is exact.
      fc.array(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((x) => (Math.abs(x) < 1e-150 ? 0 : x)),
        { minLength: 1, maxLength: 50 },
      ),
      fc.integer({ min: -1000, max: 1000 }),
    ],
    { numRuns: 200 },
  )('scaling by a power of two scales the norm by it, over the whole range of doubles', (v, k) => {
    const scale = 2 ** k
    const norm = naiveNorm(v)
    const scaled = norm2(v.map((x) => x * scale))
    // Exact scaling when no entry left the range; the norm must agree to the rounding of two sums of
    // up to 50 terms (n ε each).
    if (v.every((x) => (x * scale) / scale === x)) {
      if (norm === 0) expect(scaled).toBe(0)
      else expect(Math.abs(scaled / scale / norm - 1)).toBeLessThan(4 * v.length * 2.3e-16)
    }
  })

  test('sumOfSquares and cosine', () => {
    expect(sumOfSquares([3, 4])).toBe(25)
    expect(sumOfSquares([3e-200, 4e-200])).toBe(0) // the sum itself is below the smallest double
    expect(cosine([3e200, 0], [1e200, 1e200])).toBeCloseTo(Math.SQRT1_2, 14)
    expect(cosine([0, 0], [1, 1])).toBe(0)
  })
})

/** y = a e^(-k t) on 2000 points, scaled by `scale`, with small deterministic noise. */
function scaledExponential(scale: number) {
  const t = Array.from({ length: 2000 }, (_, i) => (4 * i) / 2000)
  const y = t.map((ti, i) => scale * (2 * Math.exp(-0.7 * ti) + 0.01 * Math.sin(13 * i)))
  return { t, y }
}

describe('least squares at the ends of the double range', () => {
  const reference = scaledExponential(1)

  test.each([1e200, 1e-200])(
    'curveFit on residuals of size %s finds the fit it finds at size 1',
    async (scale) => {
      const model = (x: number, b: Float64Array) => b[0]! * Math.exp(-b[1]! * x)
      const plain = await curveFit({ model, x: reference.t, y: reference.y, initial: [1, 1] })
      const { t, y } = scaledExponential(scale)
      const fit = await curveFit({ model, x: t, y, initial: [scale, 1] })
      expect(fit.success).toBe(true)
      expect(fit.params[0]! / scale).toBeCloseTo(plain.params[0]!, 8)
      expect(fit.params[1]).toBeCloseTo(plain.params[1]!, 8)
      // Standard errors scale with the data, through an RSS that is itself out of range at 1e200.
      expect(fit.stderr[0]! / scale / plain.stderr[0]!).toBeCloseTo(1, 8)
      expect(fit.stderr[1]! / plain.stderr[1]!).toBeCloseTo(1, 8)
    },
  )

  test('Levenberg-Marquardt told a loss of Infinity with finite residuals works with their norm', () => {
    const { t, y } = scaledExponential(1e200)
    const f = (b: Float64Array): Told => {
      const r = Float64Array.from(t, (ti, i) => b[0]! * Math.exp(-b[1]! * ti) - y[i]!)
      // What the objective's lifecycle reports: Σr², which overflows here.
      return { loss: r.reduce((s, v) => s + v * v, 0), residuals: r }
    }
    const lm = new LevenbergMarquardt({
      x0: Float64Array.of(1e200, 1),
      lower: Float64Array.of(-Infinity, -Infinity),
      upper: Float64Array.of(Infinity, Infinity),
    })
    while (lm.stop === undefined) lm.tell(lm.ask().map(f))
    expect(lm.stop?.reason).toMatch(/^converged/)
    expect(lm.solution.x[1]).toBeCloseTo(0.7, 2)
  })

  test('the statistics of residuals near 1e200: χ² out of range, but AIC, BIC and stderr finite', () => {
    const r = new Float64Array(1000).fill(1e200)
    const s = fitStatistics(1000, 2, r)
    expect(s.chiSquare).toBe(Number.POSITIVE_INFINITY)
    expect(s.aic).toBeCloseTo(2 * 1000 * Math.log(1e200) + 4, 6)
    const column = new Float64Array(1000).fill(1)
    const { stderr } = leastSquaresUncertainties([column], r)
    // s = ‖r‖/√(m - n), (JᵀJ)⁻¹ = 1/m: stderr = 1e200 √(1000/999) / √1000.
    expect(stderr[0]! / ((1e200 * Math.sqrt(1000 / 999)) / Math.sqrt(1000))).toBeCloseTo(1, 12)
  })
})
