import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { erf, erfc, erfcx } from '../../src/prior/error-function.ts'
import { normalQuantile } from '../../src/prior/normal-quantile.ts'
import {
  centralMass,
  logUpperTail,
  lowerTail,
  millsRatio,
  upperTail,
} from '../../src/prior/standard-normal.ts'
import { ERFC_VALUES, NORMAL_QUANTILES } from './reference-values.ts'

const EPS = Number.EPSILON

/** |got - want| in units of want's relative rounding (ulps, roughly). */
function ulps(got: number, want: number): number {
  if (want === 0) return got === 0 ? 0 : Number.POSITIVE_INFINITY
  return Math.abs(got - want) / Math.abs(want) / EPS
}

describe('erfc and erfcx (Cody)', () => {
  it('are within 3 ulps of mpmath from -6 to 1e8', () => {
    for (const [x, want, wantScaled] of ERFC_VALUES) {
      // erfc's value is subnormal beyond 26.543 and Cody's routine returns 0 there; erfcx covers it.
      if (x < 26.543) expect(ulps(erfc(x), want), `erfc(${x})`).toBeLessThanOrEqual(3)
      else expect(erfc(x)).toBe(0)
      expect(ulps(erfcx(x), wantScaled), `erfcx(${x})`).toBeLessThanOrEqual(3)
    }
  })

  it('keeps the relative accuracy of erf for tiny arguments', () => {
    const twoOverSqrtPi = 2 / Math.sqrt(Math.PI)
    for (const x of [1e-300, 1e-100, 1e-20, -1e-10])
      expect(ulps(erf(x), twoOverSqrtPi * x)).toBeLessThanOrEqual(2)
    expect(erf(0)).toBe(0)
    expect(erf(40)).toBe(1)
    expect(erf(-40)).toBe(-1)
  })

  it('give NaN for NaN and the limits at the infinities', () => {
    expect(erfc(Number.NaN)).toBeNaN()
    expect(erfcx(Number.NaN)).toBeNaN()
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0)
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2)
    expect(erfcx(Number.POSITIVE_INFINITY)).toBe(0)
    expect(erfcx(-30)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('standard normal tails', () => {
  it('Q(z) underflows to 0 only where the exact value is below the doubles, and log Q stays finite', () => {
    expect(upperTail(Number.POSITIVE_INFINITY)).toBe(0)
    expect(lowerTail(Number.NEGATIVE_INFINITY)).toBe(0)
    expect(upperTail(0)).toBe(0.5)
    // mpmath: Q(37) = 5.725571222524577e-300, log Q(50) = -1254.8313611394199 (Q(50) itself is 0)
    expect(ulps(upperTail(37), 5.725571222524577e-300)).toBeLessThanOrEqual(4)
    expect(ulps(logUpperTail(50), -1254.8313611394199)).toBeLessThanOrEqual(4)
  })

  test.prop([fc.double({ min: -8, max: 8, noNaN: true })])(
    'Φ(z) + Q(z) = 1 and Φ(z) - 1/2 = centralMass(z)',
    (z) => {
      expect(lowerTail(z) + upperTail(z)).toBeCloseTo(1, 15)
      expect(lowerTail(z) - 0.5).toBeCloseTo(centralMass(z), 15)
    },
  )

  test.prop([fc.double({ min: 0, max: 1e4, noNaN: true })])('the Mills ratio is Q/φ', (z) => {
    if (z < 30) {
      const phi = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)
      expect(millsRatio(z)).toBeCloseTo(upperTail(z) / phi, 12)
    }
    // 1/(z + 1) < Q/φ < 1/z for z > 0 (Gordon's inequality)
    expect(millsRatio(z)).toBeLessThanOrEqual(1 / z)
    expect(millsRatio(z)).toBeGreaterThan(1 / (z + 1))
  })
})

describe('normalQuantile', () => {
  it('matches the known values', () => {
    expect(ulps(normalQuantile(0.975), 1.959963984540054)).toBeLessThanOrEqual(2)
    expect(ulps(normalQuantile(0.025), -1.959963984540054)).toBeLessThanOrEqual(2)
    expect(normalQuantile(0.5)).toBe(0)
    expect(ulps(normalQuantile(1e-10), -6.361340902404057)).toBeLessThanOrEqual(2)
    expect(ulps(normalQuantile(1e-300), -37.0470962993612)).toBeLessThanOrEqual(2)
    expect(ulps(normalQuantile(1 - 1e-16), 8.209536151601387)).toBeLessThanOrEqual(2)
  })

  it('is within 1.5 ulps of mpmath in the tails, from the smallest subnormal to 1 - 2⁻⁵³, and 3 in the middle', () => {
    // AS 241 alone would be 2.1 ulps off at these tail points: the Newton step in log space counts.
    for (const [p, z] of NORMAL_QUANTILES) {
      const tolerance = Math.abs(p - 0.5) > 0.425 ? 1.5 : 3
      expect(ulps(normalQuantile(p), z), `Φ⁻¹(${p})`).toBeLessThanOrEqual(tolerance)
    }
  })

  it('gives -Infinity at 0, Infinity at 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY)
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY)
    for (const p of [-0.1, 1.1, Number.NaN]) expect(normalQuantile(p)).toBeNaN()
  })

  // A CDF tested against mpmath above: Φ(Φ⁻¹(p)) = p up to the conditioning of Φ, whose relative
  // error from a relative error ε in z is about z²ε.
  test.prop([fc.double({ min: Number.MIN_VALUE, max: 0.5, noNaN: true })])(
    'round-trips through Φ (lower tail)',
    (p) => {
      const z = normalQuantile(p)
      expect(ulps(lowerTail(z), p)).toBeLessThanOrEqual(4 * (1 + z * z))
    },
  )

  test.prop([fc.double({ min: 0.5, max: 1, maxExcluded: true, noNaN: true })])(
    'round-trips through Q (upper tail, where 1 - p is exact)',
    (p) => {
      const z = normalQuantile(p)
      expect(ulps(upperTail(z), 1 - p)).toBeLessThanOrEqual(4 * (1 + z * z))
    },
  )

  test.prop([fc.double({ min: 0.5, max: 1, maxExcluded: true, noNaN: true })])(
    'is odd: Φ⁻¹(1 - p) = -Φ⁻¹(p)',
    (p) => {
      // 1 - p is exact for p >= 0.5, so both sides see the same number.
      expect(ulps(normalQuantile(1 - p), -normalQuantile(p))).toBeLessThanOrEqual(4)
    },
  )

  test.prop([fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })])(
    'is monotonic (up to a few ulps of rounding between neighbouring doubles)',
    (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a]
      const zLo = normalQuantile(lo)
      const zHi = normalQuantile(hi)
      if (Number.isFinite(zLo) && Number.isFinite(zHi)) {
        expect(zLo).toBeLessThanOrEqual(zHi + 8 * EPS * Math.max(Math.abs(zLo), Math.abs(zHi)))
      } else {
        expect(zLo <= zHi).toBe(true)
      }
    },
  )

  it('rises across the switch between AS 241 and the refined tails', () => {
    const around = (p: number) => [p * (1 - 1e-12), p, p * (1 + 1e-12)].map(normalQuantile)
    for (const p of [0.075, 0.925]) {
      const [a, b, c] = around(p)
      expect(a).toBeLessThan(b!)
      expect(b).toBeLessThan(c!)
    }
  })
})
