import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  custom,
  type Distribution,
  logUniform,
  normal,
  truncatedNormal,
  uniform,
} from '../../src/prior/distributions.ts'
import { Prior } from '../../src/prior/prior.ts'
import { lowerTail, upperTail } from '../../src/prior/standard-normal.ts'

/** The one-parameter transform of a distribution, through a Prior as users reach it. */
function quantile(distribution: Distribution): (u: number) => number {
  const prior = new Prior({ x: distribution })
  const out = new Float64Array(1)
  return (u) => prior.transformInto([u], out)[0]!
}

const unit = fc.double({ min: 0, max: 1, noNaN: true })

describe('uniform', () => {
  it('maps 0, 1/2 and 1 to low, the middle and high', () => {
    const q = quantile(uniform(-3, 5))
    expect(q(0)).toBe(-3)
    expect(q(0.5)).toBe(1)
    expect(q(0.25)).toBe(-1)
    expect(q(1)).toBe(5)
  })

  it('stays finite when high - low overflows', () => {
    const q = quantile(uniform(-1e308, 1e308))
    expect(q(0)).toBe(-1e308)
    expect(q(0.5)).toBe(0)
    expect(q(1)).toBe(1e308)
    expect(q(0.75)).toBeCloseTo(5e307, -293)
  })

  test.prop([
    unit,
    unit,
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.double({ min: 1e-9, max: 1e6, noNaN: true }),
  ])('is non-decreasing in u and stays within [low, high]', (u, v, low, width) => {
    const q = quantile(uniform(low, low + width))
    const [a, b] = u <= v ? [q(u), q(v)] : [q(v), q(u)]
    expect(a).toBeLessThanOrEqual(b)
    expect(a).toBeGreaterThanOrEqual(low)
    expect(b).toBeLessThanOrEqual(low + width)
  })
})

describe('logUniform', () => {
  it('maps 0, 1/2 and 1 to low, the geometric mean and high', () => {
    const q = quantile(logUniform(1e-3, 10))
    expect(q(0)).toBe(1e-3)
    expect(q(0.5)).toBeCloseTo(0.1, 15)
    expect(q(0.25)).toBeCloseTo(0.01, 16)
    expect(q(1)).toBe(10)
  })

  it('has a uniform log: Kolmogorov-Smirnov on a grid of u', () => {
    const n = 2000
    const [low, high] = [1e-6, 1e4]
    const q = quantile(logUniform(low, high))
    // The empirical CDF of log x at the grid u_i = (i + 1/2)/n against the uniform CDF of log x:
    // an exact transform leaves only the grid's own half step, 1/(2n).
    let d = 0
    for (let i = 0; i < n; i++) {
      const y = (Math.log(q((i + 0.5) / n)) - Math.log(low)) / (Math.log(high) - Math.log(low))
      d = Math.max(d, (i + 1) / n - y, y - i / n)
    }
    expect(d).toBeLessThan(0.5 / n + 1e-12)
    // A uniform on [low, high] in x instead would be far off: most of its mass is above 1.
    const wrong = quantile(uniform(low, high))
    let dWrong = 0
    for (let i = 0; i < n; i++) {
      const y = (Math.log(wrong((i + 0.5) / n)) - Math.log(low)) / (Math.log(high) - Math.log(low))
      dWrong = Math.max(dWrong, (i + 1) / n - y, y - i / n)
    }
    expect(dWrong).toBeGreaterThan(0.5)
  })

  test.prop([
    unit,
    unit,
    fc.double({ min: 1e-300, max: 1e100, noNaN: true }),
    fc.double({ min: 1.001, max: 1e100, noNaN: true }),
  ])('is non-decreasing in u and stays within [low, high]', (u, v, low, ratio) => {
    const high = low * ratio
    const q = quantile(logUniform(low, high))
    const [a, b] = u <= v ? [q(u), q(v)] : [q(v), q(u)]
    expect(a).toBeLessThanOrEqual(b)
    expect(a).toBeGreaterThanOrEqual(low)
    expect(b).toBeLessThanOrEqual(high)
  })
})

describe('normal', () => {
  it('maps 1/2 to the mean and quartiles to mean ± 0.6745 sd', () => {
    const q = quantile(normal(3, 2))
    expect(q(0.5)).toBe(3)
    expect(q(0.75)).toBeCloseTo(3 + 2 * 0.6744897501960817, 14)
    expect(q(0.25)).toBeCloseTo(3 - 2 * 0.6744897501960817, 14)
  })

  it('keeps the edges of the cube finite: -38.47 sd at u = 0 and +8.29 sd at u = 1', () => {
    const q = quantile(normal(0, 1))
    expect(q(0)).toBeCloseTo(-38.467405617144344, 12)
    expect(q(1)).toBeCloseTo(8.209536151601387, 12)
    expect(q(1e-300)).toBeCloseTo(-37.0470962993612, 12)
  })

  test.prop([unit, unit])('is non-decreasing in u (up to a few ulps) and finite', (u, v) => {
    const q = quantile(normal(1, 3))
    const [a, b] = u <= v ? [q(u), q(v)] : [q(v), q(u)]
    expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true)
    expect(a).toBeLessThanOrEqual(b + 1e-14 * Math.max(1, Math.abs(b)))
  })
})

describe('truncatedNormal', () => {
  it('reaches its finite bounds exactly at 0 and 1', () => {
    const q = quantile(truncatedNormal(1, 2, -0.3, 4.1))
    expect(q(0)).toBe(-0.3)
    expect(q(1)).toBe(4.1)
  })

  it('is the normal where the bounds are infinite', () => {
    const truncated = quantile(truncatedNormal(2, 3, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY))
    const plain = quantile(normal(2, 3))
    for (const u of [0, 1e-300, 0.01, 0.3, 0.5, 0.9, 1 - 1e-12, 1])
      expect(truncated(u)).toBeCloseTo(plain(u), 12)
  })

  it('transforms a truncation far in the tail: normal(10, 2) on [26, 28] is 8σ to 9σ', () => {
    const q = quantile(truncatedNormal(10, 2, 26, 28))
    // mpmath: the standard truncated quantiles are 8.084888899018166 at 1/2, 8.278609037011552 at 0.9
    expect(q(0.5)).toBeCloseTo(10 + 2 * 8.084888899018166, 13)
    expect(q(0.9)).toBeCloseTo(10 + 2 * 8.278609037011552, 13)
  })

  test.prop([
    fc.double({ min: -50, max: 50, noNaN: true }),
    fc.double({ min: 0.001, max: 50, noNaN: true }),
    fc.double({ min: -60, max: 60, noNaN: true }),
    fc.double({ min: 1e-6, max: 40, noNaN: true }),
    unit,
  ])('stays within [low, high] and finite', (mean, sd, lowZ, widthZ, u) => {
    const low = mean + sd * lowZ
    const high = mean + sd * (lowZ + widthZ)
    fc.pre(low < high)
    const x = quantile(truncatedNormal(mean, sd, low, high))(u)
    expect(x).toBeGreaterThanOrEqual(low)
    expect(x).toBeLessThanOrEqual(high)
  })

  it('has the truncated normal as its distribution: the CDF of the transform is u', () => {
    const [mean, sd, low, high] = [1, 2, -1, 6]
    const q = quantile(truncatedNormal(mean, sd, low, high))
    const alpha = (low - mean) / sd
    const beta = (high - mean) / sd
    const mass = lowerTail(beta) - lowerTail(alpha)
    for (let i = 1; i < 100; i++) {
      const u = i / 100
      const z = (q(u) - mean) / sd
      expect((lowerTail(z) - lowerTail(alpha)) / mass).toBeCloseTo(u, 13)
      expect((upperTail(z) - upperTail(beta)) / mass).toBeCloseTo(1 - u, 13)
    }
  })
})

describe('custom', () => {
  it('transforms with the given inverse CDF, called with u inside (0, 1)', () => {
    const seen: number[] = []
    const exponential = custom(
      (u) => {
        seen.push(u)
        return -Math.log1p(-u)
      },
      { name: 'exponential' },
    )
    const q = quantile(exponential)
    expect(q(0.5)).toBeCloseTo(Math.LN2, 15)
    expect(q(0)).toBe(-Math.log1p(-Number.MIN_VALUE))
    expect(Number.isFinite(q(1))).toBe(true)
    expect(seen).toEqual([0.5, Number.MIN_VALUE, 1 - Number.EPSILON / 2])
  })

  it('is a frozen plain object, as every distribution is', () => {
    for (const d of [
      uniform(0, 1),
      logUniform(1, 2),
      normal(0, 1),
      truncatedNormal(0, 1, 0, 1),
      custom((u) => u),
    ]) {
      expect(Object.getPrototypeOf(d)).toBe(Object.prototype)
      expect(Object.isFrozen(d)).toBe(true)
    }
  })
})
