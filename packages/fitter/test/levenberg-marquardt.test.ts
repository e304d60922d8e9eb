import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { LevenbergMarquardt, type Told } from '../src/index.ts'
import { drive, unbounded } from './optimizer-harness.ts'

/** Residuals of y = a e^(-k t) + c on a fixed grid, for data made from `truth` with small noise. */
function exponential(truth: [number, number, number], noise: number[]) {
  const t = Array.from({ length: noise.length }, (_, i) => (4 * i) / noise.length)
  const y = t.map((ti, i) => truth[0] * Math.exp(-truth[1] * ti) + truth[2] + noise[i]!)
  return (b: Float64Array): Told => {
    const r = Float64Array.from(t, (ti, i) => b[0]! * Math.exp(-b[1]! * ti) + b[2]! - y[i]!)
    const loss = r.reduce((s, v) => s + v * v, 0)
    return Number.isFinite(loss) ? { loss, residuals: r } : { loss: Number.POSITIVE_INFINITY }
  }
}

const fit = fc.record({
  truth: fc.tuple(
    fc.double({ min: 0.5, max: 5, noNaN: true }),
    fc.double({ min: 0.2, max: 2, noNaN: true }),
    fc.double({ min: -1, max: 1, noNaN: true }),
  ),
  noise: fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { minLength: 20, maxLength: 40 }),
  scale: fc.tuple(
    fc.double({ min: 0.7, max: 1.3, noNaN: true }),
    fc.double({ min: 0.7, max: 1.3, noNaN: true }),
    // On a grid: starts of 1e-300 switch a parameter to absolute difference steps (a blind column),
    // which the prefetch and plain paths reach at different rounds; that case has its own test below.
    fc.integer({ min: -300, max: 300 }).map((k) => k / 1000),
  ),
})

describe('Levenberg-Marquardt', () => {
  test.prop([fit], { numRuns: 25 })(
    'asking the Jacobian ahead of each trial (prefetch) changes the evaluation count, never the iterates',
    ({ truth, noise, scale }) => {
      const f = exponential(truth, noise)
      const x0 = Float64Array.of(truth[0] * scale[0], truth[1] * scale[1], truth[2] + scale[2])
      const problem = { x0, ...unbounded(3) }
      const withPrefetch = new LevenbergMarquardt(problem, { prefetchJacobian: true })
      const without = new LevenbergMarquardt(problem, { prefetchJacobian: false })
      const a = drive(withPrefetch, f)
      const b = drive(without, f)
      expect(withPrefetch.solution.x).toEqual(without.solution.x)
      expect(withPrefetch.iterations).toBe(without.iterations)
      expect(withPrefetch.stop?.reason).toBe(without.stop?.reason)
      // Fewer rounds with prefetch: one per accepted step instead of two.
      expect(a.asked.length).toBeLessThanOrEqual(b.asked.length)
    },
  )

  test.prop([fc.double({ min: 0.1, max: 2, noNaN: true })], { numRuns: 20 })(
    'bounds: a minimum outside the box ends on the bound, every asked point is inside, and the solution satisfies KKT',
    (upperA) => {
      const f = exponential([3, 0.8, 0.2], new Array(30).fill(0))
      const lower = Float64Array.of(0, 0, -1)
      const upper = Float64Array.of(upperA, 5, 1)
      const lm = new LevenbergMarquardt({ x0: Float64Array.of(upperA / 2, 1, 0), lower, upper })
      const run = drive(lm, f)
      for (const point of run.asked.flat()) {
        for (let j = 0; j < 3; j++) expect(point[j]! >= lower[j]! && point[j]! <= upper[j]!).toBe(true)
      }
      expect(lm.stop?.reason).toMatch(/^converged/)
      expect(lm.solution.x[0]).toBe(upperA)
      // KKT: a parameter on its lower bound has gradient ≥ 0, on its upper bound ≤ 0, else 0.
      const { x, residuals, jacobian } = lm.solution
      const tolerance = 1e-6 * Math.max(1, run.bestLoss)
      for (let j = 0; j < 3; j++) {
        const g = jacobian![j]!.reduce((s, v, i) => s + v * residuals![i]!, 0)
        if (x[j] === lower[j]) expect(g).toBeGreaterThan(-tolerance)
        else if (x[j] === upper[j]) expect(g).toBeLessThan(tolerance)
        else expect(Math.abs(g)).toBeLessThan(tolerance)
      }
    },
  )

  test('a failed trial point shrinks the step instead of being taken', () => {
    const f = exponential([2, 1, 0], new Array(25).fill(0.001))
    // The model "fails" for rates above 1.5, which the first steps from this start overshoot into.
    const lm = new LevenbergMarquardt({ x0: Float64Array.of(1, 0.3, 0), ...unbounded(3) })
    const run = drive(lm, (b) => (b[1]! > 1.5 ? { loss: Number.POSITIVE_INFINITY } : f(b)))
    expect(lm.stop?.reason).toMatch(/^converged/)
    expect(lm.solution.x[1]).toBeCloseTo(1, 2)
    expect(Number.isFinite(run.bestLoss)).toBe(true)
  })

  test('a parameter starting at 1e-300 (a zero with rounding in it) still moves: its blind column gets an absolute step', () => {
    const f = exponential([1.5, 0.9, 0.4], new Array(20).fill(0))
    const lm = new LevenbergMarquardt({ x0: Float64Array.of(1.2, 0.7, 1e-300), ...unbounded(3) })
    drive(lm, f)
    expect(lm.stop?.reason).toMatch(/^converged/)
    expect(lm.solution.x[2]).toBeCloseTo(0.4, 8)
  })

  test('a failed start point stops it with a reason, not a NaN', () => {
    const lm = new LevenbergMarquardt({ x0: Float64Array.of(1, 1), ...unbounded(2) })
    lm.tell(lm.ask().map(() => ({ loss: Number.POSITIVE_INFINITY })))
    expect(lm.stop?.reason).toMatch(/failed at the start point/)
  })

  test('central differences and the polish both reach the same solution as forward differences', () => {
    const f = exponential(
      [2.5, 0.6, 0.3],
      Array.from({ length: 30 }, (_, i) => 0.01 * Math.sin(7 * i)),
    )
    const problem = { x0: Float64Array.of(1, 1, 0), ...unbounded(3) }
    const solutions = [
      { differences: 'forward', polish: false },
      { differences: 'forward', polish: true },
      { differences: 'central' },
    ].map((options) => {
      const lm = new LevenbergMarquardt(problem, options as never)
      drive(lm, f)
      return lm.solution.x
    })
    for (const x of solutions.slice(1))
      for (let j = 0; j < 3; j++) expect(x[j]).toBeCloseTo(solutions[0]![j]!, 5)
  })

  test.prop([fc.integer({ min: 1, max: 15 })], { numRuns: 10 })(
    'saveState/restore continues with exactly the same asks',
    (stopAfter) => {
      const f = exponential(
        [2, 0.7, 0.1],
        Array.from({ length: 20 }, (_, i) => 0.01 * Math.cos(3 * i)),
      )
      const problem = { x0: Float64Array.of(1, 2, 0), ...unbounded(3) }
      const original = new LevenbergMarquardt(problem)
      for (let i = 0; i < stopAfter && original.stop === undefined; i++) original.tell(original.ask().map(f))
      const copy = LevenbergMarquardt.restore(problem, structuredClone(original.saveState()))
      expect(drive(copy, f).asked).toEqual(drive(original, f).asked)
    },
  )

  test('an objective that returns a number is refused with what to do', () => {
    const lm = new LevenbergMarquardt({ x0: Float64Array.of(1), ...unbounded(1) })
    expect(() => lm.tell(lm.ask().map(() => ({ loss: 1 })))).toThrow(/returns its residuals/)
  })
})
