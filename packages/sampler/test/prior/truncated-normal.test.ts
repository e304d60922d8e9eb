import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { upperTailQuantileFromLog } from '../../src/prior/normal-quantile.ts'
import { centralMass, logTailRatio, lowerTail, upperTail } from '../../src/prior/standard-normal.ts'
import { truncatedStandardNormalQuantile } from '../../src/prior/truncated-normal.ts'
import { TRUNCATED_QUANTILES } from './reference-values.ts'

const EPS = Number.EPSILON

/**
 * The CDF of the standard normal truncated to [a, b], with a >= 0, from the tail ratio:
 * F(x) = (Q(a) - Q(x)) / (Q(a) - Q(b)) = (1 - Q(x)/Q(a)) / (1 - Q(b)/Q(a)), and its complement,
 * both exact however far the interval lies in the tail (the ratios are taken in log space).
 */
function upperTailCdf(a: number, b: number, x: number): { cdf: number; complement: number } {
  const r = Math.exp(logTailRatio(a, b))
  const t = Math.exp(logTailRatio(a, x))
  return { cdf: -Math.expm1(logTailRatio(a, x)) / (1 - r), complement: (t - r) / (1 - r) }
}

describe('truncatedStandardNormalQuantile', () => {
  it('matches mpmath, far tails included ([8, 9], [-40, -39], [37, 40], beyond 30σ and across it)', () => {
    for (const [low, high, u, want] of TRUNCATED_QUANTILES) {
      const got = truncatedStandardNormalQuantile(low, high)(u)
      // Relative to z, with an absolute ε where the interval spans 0 (z near 0 comes from a
      // difference of masses there, as Φ⁻¹(u) near u = 1/2 does for the plain normal).
      const tolerance = 4 * EPS * Math.abs(want) + (low < 0 && high > 0 ? 2 * EPS : 0)
      expect(Math.abs(got - want), `[${low}, ${high}] at u = ${u}: ${got} vs ${want}`).toBeLessThanOrEqual(
        tolerance,
      )
    }
  })

  it('matches its CDF in the far tails, where Φ(β) - Φ(α) would be 0 or NaN', () => {
    for (const [a, b] of [
      [8, 9],
      [20, 20.5],
      [38, 39],
      [45, Number.POSITIVE_INFINITY],
    ] as const) {
      const quantile = truncatedStandardNormalQuantile(a, b)
      const mirrored = truncatedStandardNormalQuantile(-b, -a)
      for (let i = 1; i < 200; i++) {
        const u = i / 200
        const x = quantile(u)
        expect(x).toBeGreaterThanOrEqual(a)
        expect(x).toBeLessThanOrEqual(b)
        const { cdf, complement } = upperTailCdf(a, b, x)
        // The density near x is about x (the hazard rate), so a one-ulp error in x, x·ε,
        // moves the CDF by about x²·ε.
        const tolerance = 4 * EPS * (1 + x * x)
        expect(Math.abs(cdf - u), `[${a}, ${b}] at ${u}`).toBeLessThan(tolerance)
        expect(Math.abs(complement - (1 - u)), `[${a}, ${b}] at ${u}`).toBeLessThan(tolerance)
        // [-b, -a] is the mirror image: its u-quantile is minus the (1 - u)-quantile here.
        expect(Math.abs(mirrored(1 - u) + x)).toBeLessThanOrEqual(4 * EPS * x)
      }
    }
  })

  it('resolves the small tail ends: the mass near the far bound of [-40, -39] and near 0 of a half-normal', () => {
    // In [-40, -39] the density at -40 is e^-39.5 times that at -39, so u = 1e-20 lies 3.7e-5
    // above -40. Mirrored, that is the mass 1e-20 above z in [39, 40].
    const far = truncatedStandardNormalQuantile(-40, -39)
    const z = far(1e-20)
    expect(z).toBeGreaterThan(-40)
    expect(z).toBeLessThan(-39.9999)
    const { complement } = upperTailCdf(39, 40, -z)
    expect(Math.abs(complement - 1e-20) / 1e-20).toBeLessThan(1e-9)
    // Half-normal: z = √2·erfinv(u) ≈ u·√(π/2) for tiny u, with full relative accuracy.
    const half = truncatedStandardNormalQuantile(0, Number.POSITIVE_INFINITY)
    for (const u of [1e-300, 1e-100, 1e-20]) {
      expect(Math.abs(half(u) / (u * Math.sqrt(Math.PI / 2)) - 1)).toBeLessThan(4 * EPS)
    }
  })

  const bound = fc.oneof(
    fc.double({ min: -60, max: 60, noNaN: true }),
    fc.constantFrom(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -40, -30, 0, 8, 30, 38.5),
  )
  const unit = fc.oneof(
    fc.double({ min: 0, max: 1, noNaN: true, minExcluded: true, maxExcluded: true }),
    fc.constantFrom(1e-300, 1e-16, 0.5, 1 - 2 ** -53),
  )

  test.prop([bound, bound, unit])('stays finite and within [low, high]', (x, y, u) => {
    fc.pre(x !== y)
    const [low, high] = x < y ? [x, y] : [y, x]
    const z = truncatedStandardNormalQuantile(low, high)(u)
    expect(Number.isFinite(z)).toBe(true)
    expect(z).toBeGreaterThanOrEqual(low)
    expect(z).toBeLessThanOrEqual(high)
  })

  test.prop([bound, bound, unit, unit])('is monotonic in u (up to a few ulps of rounding)', (x, y, u, v) => {
    fc.pre(x !== y)
    const [low, high] = x < y ? [x, y] : [y, x]
    const [uLo, uHi] = u <= v ? [u, v] : [v, u]
    const q = truncatedStandardNormalQuantile(low, high)
    const zLo = q(uLo)
    const zHi = q(uHi)
    expect(zLo).toBeLessThanOrEqual(zHi + 8 * EPS * Math.max(Math.abs(zLo), Math.abs(zHi)) + 4 * EPS)
  })

  test.prop([
    fc.double({ min: -6, max: 6, noNaN: true }),
    fc.double({ min: 0.05, max: 6, noNaN: true }),
    unit,
  ])('inverts the truncated CDF where Φ differences are well conditioned', (low, width, u) => {
    const high = low + width
    const z = truncatedStandardNormalQuantile(low, high)(u)
    const mass = centralMass(high) - centralMass(low)
    const cdf = (centralMass(z) - centralMass(low)) / mass
    expect(Math.abs(cdf - u)).toBeLessThan(1e-13 / mass)
  })

  it('keeps u = 5e-324 at an infinite bound finite, where u·mass underflows (mpmath values)', () => {
    const u = Number.MIN_VALUE
    const ulps = (got: number, want: number) => Math.abs(got - want) / Math.abs(want) / EPS
    // [-∞, 0]: Φ(z) = u/2 = 2.5e-324, below the smallest double
    expect(
      ulps(truncatedStandardNormalQuantile(Number.NEGATIVE_INFINITY, 0)(u), -38.48540833556734),
    ).toBeLessThan(4)
    // [-∞, -30]: Φ(z) = 5e-324·Φ(-30)
    expect(
      ulps(truncatedStandardNormalQuantile(Number.NEGATIVE_INFINITY, -30)(u), -48.8662024921747),
    ).toBeLessThan(4)
    expect(ulps(upperTailQuantileFromLog(-800), 39.88469483825668)).toBeLessThan(4)
    expect(ulps(upperTailQuantileFromLog(-1e4), 141.37983987312717)).toBeLessThan(4)
  })

  it('reaches the ends: the bounds at u near 0 and 1, and far but finite values at infinite bounds', () => {
    const q = truncatedStandardNormalQuantile(-2, 3)
    expect(q(0)).toBe(-2)
    expect(q(1)).toBe(3)
    const open = truncatedStandardNormalQuantile(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)
    expect(open(0.5)).toBe(0)
    expect(open(Number.MIN_VALUE)).toBeCloseTo(-38.467405617144344, 12)
    expect(lowerTail(open(0.3))).toBeCloseTo(0.3, 15)
    expect(upperTail(open(0.7))).toBeCloseTo(0.3, 15)
  })
})
