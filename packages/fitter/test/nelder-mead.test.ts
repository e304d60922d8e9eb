import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { NelderMead } from '../src/index.ts'
import { drive, quadratic, unbounded } from './optimizer-harness.ts'

// Starts and minima on a 0.01 grid: the simplex's first size is a tenth of |x0| (as scipy's 5%),
// so a start of 1e-49 for a minimum at 5 would be a test of the user's start, not of the method.
const coordinate = fc.integer({ min: -500, max: 500 }).map((k) => k / 100)
const dimension = fc.integer({ min: 2, max: 6 })
const problem = dimension.chain((n) =>
  fc.record({
    b: fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }), {
      minLength: n,
      maxLength: n,
    }),
    m: fc.array(coordinate, { minLength: n, maxLength: n }),
    x0: fc.array(coordinate, { minLength: n, maxLength: n }),
    c: fc.double({ min: -10, max: 10, noNaN: true }),
  }),
)

describe('Nelder-Mead', () => {
  test.prop([problem], { numRuns: 30 })(
    'reaches the minimum of random convex quadratics',
    ({ b, m, x0, c }) => {
      const f = quadratic(b.flat(), 0.01, m, c)
      const nm = new NelderMead({ x0: Float64Array.from(x0), ...unbounded(m.length) })
      const run = drive(nm, (x) => ({ loss: f(x) }))
      expect(nm.stop?.reason).toMatch(/^converged/)
      for (let j = 0; j < m.length; j++) expect(Math.abs(run.bestX![j]! - m[j]!)).toBeLessThan(1e-4)
      expect(run.bestLoss - c).toBeLessThan(1e-9)
    },
  )

  test.prop([fc.double({ min: 0.5, max: 4, noNaN: true })], { numRuns: 20 })(
    'a minimum outside the box ends on the bound, and every asked point is inside',
    (edge) => {
      const lower = Float64Array.of(-edge, -edge)
      const upper = Float64Array.of(edge, edge)
      const nm = new NelderMead({ x0: Float64Array.of(0, 0), lower, upper })
      const run = drive(nm, (x) => ({ loss: (x[0]! - 10) ** 2 + (x[1]! + 0.25) ** 2 }))
      for (const point of run.asked.flat()) {
        for (let j = 0; j < 2; j++) expect(point[j]! >= lower[j]! && point[j]! <= upper[j]!).toBe(true)
      }
      expect(run.bestX![0]).toBeCloseTo(edge, 6)
      expect(run.bestX![1]).toBeCloseTo(-0.25, 6)
    },
  )

  test('failed points (infinite loss) are steered away from', () => {
    const nm = new NelderMead({ x0: Float64Array.of(3, 3), ...unbounded(2) })
    const run = drive(nm, (x) => ({
      loss: x[0]! < 1 ? Number.POSITIVE_INFINITY : (x[0]! - 0.5) ** 2 + x[1]! ** 2,
    }))
    expect(run.bestX![0]).toBeGreaterThanOrEqual(1)
    expect(run.bestX![0]).toBeCloseTo(1, 4)
  })

  test.prop([fc.integer({ min: 1, max: 40 })], { numRuns: 10 })(
    'saveState/restore continues with exactly the same asks',
    (stopAfter) => {
      const f = quadratic([1, 0.3, 0, 0, 1, 0.2, 0.1, 0, 2], 0.01, [1, -2, 0.5], 0)
      const original = new NelderMead({ x0: Float64Array.of(0, 0, 0), ...unbounded(3) })
      for (let i = 0; i < stopAfter && original.stop === undefined; i++) {
        original.tell(original.ask().map((x) => ({ loss: f(x) })))
      }
      const copy = NelderMead.restore(
        { x0: Float64Array.of(0, 0, 0), ...unbounded(3) },
        JSON.parse(JSON.stringify(original.saveState())),
      )
      const a = drive(original, (x) => ({ loss: f(x) }))
      const b = drive(copy, (x) => ({ loss: f(x) }))
      expect(b.asked).toEqual(a.asked)
    },
  )
})
