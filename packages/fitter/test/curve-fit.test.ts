// curveFit's refusals and faults: input it cannot fit is refused before the model runs, and a
// model that throws ends in the fitter's typed error, with the point, the parameters, the cause
// and the fit so far.
import { ValidationError } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { CurveFitError, curveFit, FitError } from '../src/index.ts'

const x = [0, 1, 2, 3, 4, 5, 6, 7]
const y = x.map((xi) => 2 * Math.exp(-0.4 * xi) + 0.1)
const model = (xi: number, b: Float64Array) => b[0]! * Math.exp(-b[1]! * xi) + b[2]!

describe('curveFit refuses', () => {
  test('fewer data points than parameters, before the model runs, saying what to do', async () => {
    let calls = 0
    const counting = (xi: number, b: Float64Array) => {
      calls++
      return model(xi, b)
    }
    const error = await curveFit({ model: counting, x: [0, 1], y: [1, 2], initial: [1, 1, 0] }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).message).toMatch(
      /2 data points for 3 parameters.*Give more data, or fit fewer parameters/,
    )
    expect((error as ValidationError).keyPath).toBe('y')
    expect(calls).toBe(0)
  })

  test('as many points as parameters is a fit without degrees of freedom: infinite standard errors', async () => {
    const fit = await curveFit({ model, x: x.slice(0, 3), y: y.slice(0, 3), initial: [1, 0.5, 0] })
    expect(fit.success).toBe(true)
    expect(fit.rss).toBeLessThan(1e-20)
    expect(Array.from(fit.stderr)).toEqual([Infinity, Infinity, Infinity])
  })
})

describe('a model that throws', () => {
  const cause = new RangeError('rate beyond the model')
  // Throws for rates above 1 at points past the first: the start is fine, a later step is not.
  const fragile = (xi: number, b: Float64Array) => {
    if (b[1]! > 1 && xi > 0) throw cause
    return model(xi, b)
  }

  test('ends in a CurveFitError (a FitError) naming the point and parameters, with the cause', async () => {
    const error = await curveFit({ model: fragile, x, y, initial: [1, 2, 0] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CurveFitError)
    expect(error).toBeInstanceOf(FitError)
    const e = error as CurveFitError
    expect(e.code).toBe('PARAFIT_FIT_FAILED')
    expect(e.cause).toBe(cause)
    expect(e.point).toBe(1)
    expect(e.params[1]).toBeGreaterThan(1)
    expect(e.message).toMatch(/the model threw at data point 1 with b = \[.*\]: rate beyond the model/)
    expect(e.message).toMatch(/return NaN where it cannot be evaluated/)
  })

  test('keeps the fit so far: the last accepted parameters and the evaluations spent', async () => {
    // From this start three steps are taken before one reaches a rate above 1.
    const start = [1, 0.05, 3]
    const e = (await curveFit({ model: fragile, x, y, initial: start }).catch((err: unknown) => err)) as
      | CurveFitError
      | undefined
    expect(e).toBeInstanceOf(CurveFitError)
    expect(e!.fit.success).toBe(false)
    expect(e!.fit.message).toBe('failed: the model threw')
    expect(e!.fit.iterations).toBeGreaterThan(0)
    expect(e!.fit.nfev).toBeGreaterThan(4)
    expect(Array.from(e!.fit.params)).not.toEqual(start)
    expect(e!.fit.params[1]).toBeLessThanOrEqual(1)
    // Its residual sum of squares is that of its parameters, and lower than the start's.
    const rssAt = (b: ArrayLike<number>) =>
      x.reduce((sum, xi, i) => sum + (y[i]! - model(xi, Float64Array.from(b))) ** 2, 0)
    expect(e!.fit.rss).toBeCloseTo(rssAt(e!.fit.params), 12)
    expect(e!.fit.rss).toBeLessThan(rssAt(start))
  })

  test('a model that returns NaN there instead is stepped away from, as the message advises', async () => {
    const careful = (xi: number, b: Float64Array) => (b[1]! > 1 && xi > 0 ? Number.NaN : model(xi, b))
    const fit = await curveFit({ model: careful, x, y, initial: [1, 0.05, 3] })
    expect(fit.success).toBe(true)
    expect(fit.params[1]).toBeCloseTo(0.4, 6)
  })
})
