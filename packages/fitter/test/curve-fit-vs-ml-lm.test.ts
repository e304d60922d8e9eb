// curveFit against ml-levenberg-marquardt on easy, well-posed fits: both at their defaults and from the same
// start, curveFit must end at a residual sum of squares no worse than the library's.
import { fc, test } from '@fast-check/vitest'
import { levenbergMarquardt } from 'ml-levenberg-marquardt'
import { describe, expect } from 'vitest'
import { curveFit } from '../src/index.ts'

type Model = (x: number, b: Float64Array) => number

const MAX_POINTS = 60

const expDecay: Model = (x, b) => b[0]! * Math.exp(-b[1]! * x) + b[2]!
const gaussian: Model = (x, b) => {
  const d = x - b[1]!
  return b[0]! * Math.exp(-(d * d) / (2 * b[2]! * b[2]!)) + b[3]!
}

const unit = (max: number) => fc.double({ min: -max, max, noNaN: true })
// One fixed-length noise vector per case, so shrinking can drive the noise to zero.
const noise = fc.array(unit(1), { minLength: MAX_POINTS, maxLength: MAX_POINTS })

function rss(model: Model, x: readonly number[], y: readonly number[], params: ArrayLike<number>): number {
  const b = Float64Array.from(params)
  let sum = 0
  for (let i = 0; i < x.length; i++) {
    const r = y[i]! - model(x[i]!, b)
    sum += r * r
  }
  // A non-finite fit counts as no fit at all.
  return Number.isFinite(sum) ? sum : Number.POSITIVE_INFINITY
}

function grid(from: number, to: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1))
}

function sample(model: Model, truth: number[], x: number[], scale: number, eps: readonly number[]): number[] {
  const b = Float64Array.from(truth)
  return x.map((xi, i) => model(xi, b) + scale * eps[i]!)
}

function theirRss(model: Model, x: number[], y: number[], start: number[]): number {
  try {
    const parameterized = (b: number[]) => {
      const fb = Float64Array.from(b)
      return (xi: number) => model(xi, fb)
    }
    const result = levenbergMarquardt({ x, y }, parameterized, { initialValues: start })
    return rss(model, x, y, result.parameterValues)
  } catch {
    // It sometimes throws from its linear solve; that is a failed fit, not a harness error.
    return Number.POSITIVE_INFINITY
  }
}

async function expectNoWorse(model: Model, x: number[], y: number[], start: number[]) {
  const ours = await curveFit({ model, x, y, initial: start })
  const oursRss = rss(model, x, y, ours.params)
  const theirs = theirRss(model, x, y, start)
  expect(oursRss, `curveFit rss ${oursRss} vs ml-levenberg-marquardt ${theirs}`).toBeLessThanOrEqual(
    theirs * (1 + 1e-9) + 1e-12,
  )
}

describe('curveFit is no worse than ml-levenberg-marquardt', () => {
  test.prop(
    [
      fc.record({
        a: fc.double({ min: 0.5, max: 20, noNaN: true }),
        k: fc.double({ min: 0.1, max: 3, noNaN: true }),
        c: unit(5),
        n: fc.integer({ min: 20, max: MAX_POINTS }),
        // The grid spans 3 to 8 decay lengths, so the offset is pinned by the tail.
        span: fc.double({ min: 3, max: 8, noNaN: true }),
        eps: noise,
        da: unit(0.4),
        dk: unit(0.4),
        dc: unit(0.3),
      }),
    ],
    { numRuns: 25 },
  )(
    'exponential decay y = a exp(-k x) + c',
    async ({ a, k, c, n, span, eps, da, dk, dc }) => {
      const x = grid(0, span / k, n)
      const y = sample(expDecay, [a, k, c], x, 0.01 * a, eps)
      // Offset error is relative to the amplitude since c itself may be near zero.
      await expectNoWorse(expDecay, x, y, [a * (1 + da), k * (1 + dk), c + dc * a])
    },
    30_000,
  )

  test.prop(
    [
      fc.record({
        a: fc.double({ min: 1, max: 20, noNaN: true }),
        mu: unit(10),
        s: fc.double({ min: 0.2, max: 5, noNaN: true }),
        c: unit(2),
        n: fc.integer({ min: 20, max: MAX_POINTS }),
        // Each side reaches 3 to 6 widths out, so the peak and the baseline are both sampled.
        left: fc.double({ min: 3, max: 6, noNaN: true }),
        right: fc.double({ min: 3, max: 6, noNaN: true }),
        eps: noise,
        da: unit(0.4),
        dmu: unit(0.5),
        ds: unit(0.4),
        dc: unit(0.2),
      }),
    ],
    { numRuns: 25 },
  )(
    'gaussian peak y = a exp(-(x-mu)^2 / (2 s^2)) + c',
    async ({ a, mu, s, c, n, left, right, eps, da, dmu, ds, dc }) => {
      const x = grid(mu - left * s, mu + right * s, n)
      const y = sample(gaussian, [a, mu, s, c], x, 0.01 * a, eps)
      // The centre moves by up to half a width; amplitude and width by up to 40%.
      await expectNoWorse(gaussian, x, y, [a * (1 + da), mu + dmu * s, s * (1 + ds), c + dc * a])
    },
    30_000,
  )
})
