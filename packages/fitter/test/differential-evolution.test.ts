// Differential evolution: the initial population, convergence on random quadratics and bounded
// problems with every strategy, determinism, exact resume from a saved state, failed evaluations.

import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { DifferentialEvolution } from '../src/optimizers/differential-evolution/differential-evolution.ts'
import type { DifferentialEvolutionOptions } from '../src/optimizers/differential-evolution/options.ts'
import type { OptimizerState } from '../src/optimizers/optimizer.ts'
import { drive, type Loss, nonFinite, problem, quadratic } from './optimizer-harness.ts'

function outsideBox(points: Float64Array[], lower: number[], upper: number[]): Float64Array[] {
  return points.filter((x) => x.some((xj, j) => !(xj >= lower[j]! && xj <= upper[j]!)))
}

// Tiny non-zero values are mapped to 0: initialScales takes 0.1 |x0| as the scale of an unbounded
// parameter, and a start like 1e-50 would seed the population in a cloud of that width.
const notTiny = (v: number) => (Math.abs(v) < 1e-6 ? 0 : v)
const unit = fc.double({ min: -1, max: 1, noNaN: true })
const coordinate = fc.double({ min: -3, max: 3, noNaN: true }).map(notTiny)

const quadraticCase = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.record({
    b: fc.array(unit, { minLength: n * n, maxLength: n * n }),
    eps: fc.double({ min: 0.05, max: 1, noNaN: true }),
    m: fc.array(coordinate, { minLength: n, maxLength: n }),
    x0: fc.array(coordinate, { minLength: n, maxLength: n }),
    c: fc.double({ min: -5, max: 5, noNaN: true }),
    boxed: fc.boolean(),
    seed: fc.integer(),
  }),
)

describe('DifferentialEvolution', () => {
  it('starts from x0 and a population spread over the box, or around x0 where unbounded', () => {
    const p = problem([0.5, 3, -2], [0, 1, -Infinity], [1, Infinity, Infinity])
    const optimizer = new DifferentialEvolution(p, {}, 1)
    const first = optimizer.ask()
    expect(first).toHaveLength(30) // max(20, 10 n)
    expect(Array.from(first[0]!)).toEqual([0.5, 3, -2])
    expect(outsideBox(first, [0, 1, -Infinity], [1, Infinity, Infinity])).toEqual([])
    const column = (j: number) => first.map((x) => x[j]!)
    // Uniform over [0, 1] in the bounded coordinate; within a few scales (0.1 |x0|) of x0 elsewhere.
    expect(Math.min(...column(0))).toBeLessThan(0.15)
    expect(Math.max(...column(0))).toBeGreaterThan(0.85)
    expect(column(1).every((v) => Math.abs(v - 3) < 0.3 * 5)).toBe(true)
    expect(column(2).every((v) => Math.abs(v + 2) < 0.2 * 5)).toBe(true)
    expect(new Set(column(2)).size).toBe(30)
  })

  test.prop([quadraticCase], { numRuns: 40 })(
    'minimises a random convex quadratic, boxed or not',
    ({ b, eps, m, x0, c, boxed, seed }) => {
      const n = m.length
      const f = quadratic(b, eps, m, c)
      const p = boxed ? problem(x0, new Array(n).fill(-4), new Array(n).fill(4)) : problem(x0)
      const optimizer = new DifferentialEvolution(p, {}, seed)
      const result = drive(optimizer, f, 40_000)
      expect(optimizer.stop?.reason).toMatch(/^converged/)
      expect(result.bestLoss - c).toBeLessThan(1e-8)
    },
  )

  const strategies: DifferentialEvolutionOptions[] = [
    { strategy: 'rand/1/bin' },
    { strategy: 'best/1/bin' },
    { strategy: 'current-to-best/1/bin' },
    { strategy: 'rand/1/bin', mutation: 0.7, crossover: 0.5, popSize: 25 },
  ]
  it.each(strategies)('converges with %o', (options) => {
    const f = quadratic([1, 0.4, 0, -0.3, 1, 0.2, 0, 0.5, 2], 0.1, [1, -1, 2], 3)
    const optimizer = new DifferentialEvolution(problem([0, 0, 0], [-5, -5, -5], [5, 5, 5]), options, 7)
    const result = drive(optimizer, f, 60_000)
    expect(optimizer.stop?.reason).toMatch(/^converged/)
    expect(result.bestLoss - 3).toBeLessThan(1e-8)
    if (options.popSize) expect(new Set(result.batchSizes)).toEqual(new Set([options.popSize]))
  })

  it('stops earlier with a looser tolFun', () => {
    const f = quadratic([1, 0, 0, 1], 0.1, [1, 2], 1)
    const loose = drive(new DifferentialEvolution(problem([0, 0]), { tolFun: 1e-6 }, 3), f, 50_000)
    const tight = drive(new DifferentialEvolution(problem([0, 0]), {}, 3), f, 50_000)
    expect(loose.evaluations).toBeLessThan(tight.evaluations)
    expect(loose.bestLoss - 1).toBeLessThan(1e-5)
  })

  // The bound-face property is the contract's: optimizer-contract.test.ts.
})

describe('determinism and checkpoints', () => {
  const f = quadratic([1, 0.5, -0.3, 2], 0.1, [1, -2], 0.5)

  function asks(seed: number, generations: number): Float64Array[][] {
    const optimizer = new DifferentialEvolution(problem([3, 3], [-5, -Infinity], [5, Infinity]), {}, seed)
    const out: Float64Array[][] = []
    for (let g = 0; g < generations; g++) {
      const xs = optimizer.ask()
      out.push(xs)
      optimizer.tell(xs.map((x) => ({ loss: f(x) })))
    }
    return out
  }

  test.prop([fc.integer()], { numRuns: 10 })(
    'the same seed gives the same asks, another seed others',
    (seed) => {
      expect(asks(seed, 15)).toEqual(asks(seed, 15))
      expect(asks(seed, 1)).not.toEqual(asks(seed + 1, 1))
      expect(asks(seed, 2)[1]).not.toEqual(asks(seed + 1, 2)[1])
    },
  )

  test.prop(
    [
      fc.integer({ min: 0, max: 60 }),
      fc.boolean(),
      fc.constantFrom('structuredClone', 'json'),
      fc.constantFrom<DifferentialEvolutionOptions>(
        {},
        { strategy: 'rand/1/bin' },
        { strategy: 'best/1/bin', mutation: 0.6 },
      ),
      fc.integer(),
    ],
    { numRuns: 40 },
  )('a restored state continues exactly', (generations, midGeneration, copy, options, seed) => {
    const p = problem([3, 3], [-5, -5], [5, 5])
    // Failures in a corner put null losses into the state too.
    const g: Loss = (x) => (x[0]! > 4 ? Infinity : f(x))
    const original = new DifferentialEvolution(p, options, seed)
    for (let k = 0; k < generations && original.stop?.reason === undefined; k++) {
      original.tell(original.ask().map((x) => ({ loss: g(x) })))
    }
    if (original.stop?.reason !== undefined) return
    if (midGeneration) original.ask()
    const state = original.saveState()
    const copied: OptimizerState =
      copy === 'json' ? JSON.parse(JSON.stringify(state)) : (structuredClone(state) as OptimizerState)
    const restored = DifferentialEvolution.restore(p, copied)
    for (let k = 0; k < 8 && original.stop?.reason === undefined; k++) {
      const xs = original.ask()
      expect(restored.ask()).toEqual(xs)
      const told = xs.map((x) => ({ loss: g(x) }))
      original.tell(told)
      restored.tell(told)
      expect(restored.stop?.reason).toBe(original.stop?.reason)
    }
    expect(restored.saveState()).toEqual(original.saveState())
  })

  it('repeats the pending generation when asked twice, and checks what it is told', () => {
    const optimizer = new DifferentialEvolution(problem([0, 0]), { popSize: 8 }, 3)
    expect(() => optimizer.tell([])).toThrow()
    const first = optimizer.ask()
    expect(optimizer.ask()).toEqual(first)
    expect(() => optimizer.tell([{ loss: 1 }])).toThrow()
    optimizer.tell(first.map((_, k) => ({ loss: k })))
    expect(optimizer.ask()).not.toEqual(first)
  })

  it('rejects bad options', () => {
    expect(() => new DifferentialEvolution(problem([0]), { popSize: 3 }, 1)).toThrow()
    expect(() => new DifferentialEvolution(problem([0]), { crossover: 1.5 }, 1)).toThrow()
    expect(() => DifferentialEvolution.restore(problem([0]), { kind: 'cmaes' })).toThrow()
  })
})

describe('failed evaluations', () => {
  test.prop([fc.double({ min: -1, max: 2, noNaN: true }), fc.integer({ min: 1, max: 4 }), fc.integer()], {
    numRuns: 25,
  })('a failed point is never the best, and the state stays finite', (m0, n, seed) => {
    // Failing in half the space: every point with x0 < 0 fails; the minimum may lie on that side.
    const m = Array.from({ length: n }, (_, j) => (j === 0 ? m0 : 0.5))
    const sphere: Loss = (x) => x.reduce((s, xj, j) => s + (xj - m[j]!) ** 2, 0)
    const f: Loss = (x) => (x[0]! < 0 ? Infinity : sphere(x))
    const optimizer = new DifferentialEvolution(
      problem(new Array<number>(n).fill(1), new Array(n).fill(-2), new Array(n).fill(2)),
      {},
      seed,
    )
    let seenBest = Infinity
    for (let g = 0; g < 3000 && optimizer.stop?.reason === undefined; g++) {
      const xs = optimizer.ask()
      const losses = xs.map(f)
      seenBest = Math.min(seenBest, ...losses)
      optimizer.tell(losses.map((loss) => ({ loss })))
      const state = optimizer.saveState()
      expect(nonFinite(state)).toEqual([])
      expect(state['bestLoss']).toBe(seenBest)
      expect(f(Float64Array.from(state['bestX'] as number[]))).toBe(seenBest)
    }
    expect(optimizer.stop?.reason).toMatch(/^converged/)
    // The constrained minimum is at x0 = max(m0, 0).
    expect(seenBest).toBeLessThan(
      sphere(Float64Array.from(m, (mj, j) => (j === 0 ? Math.max(mj, 0) : mj))) + 1e-6,
    )
  })

  it('keeps its state finite when the whole initial population and later generations fail', () => {
    const optimizer = new DifferentialEvolution(problem([2, -1, 0.5]), {}, 11)
    for (let g = 0; g < 5; g++) {
      optimizer.tell(optimizer.ask().map(() => ({ loss: Infinity })))
      expect(nonFinite(optimizer.saveState())).toEqual([])
      expect(optimizer.saveState()['bestX']).toBeNull()
    }
    // NaN and -Infinity count as failures too.
    optimizer.tell(optimizer.ask().map((_, k) => ({ loss: k % 2 ? Number.NaN : -Infinity })))
    expect(optimizer.saveState()['bestX']).toBeNull()
    const result = drive(optimizer, (x) => x.reduce((s, v) => s + (v - 1) ** 2, 1), 50_000)
    expect(optimizer.stop?.reason).toMatch(/^converged/)
    expect(result.bestLoss - 1).toBeLessThan(1e-8)
  })

  it('stops as stalled when every evaluation keeps failing', () => {
    const optimizer = new DifferentialEvolution(problem([1, 1]), {}, 2)
    drive(optimizer, () => Infinity, 100_000)
    expect(optimizer.stop?.reason).toMatch(/^stalled/)
    expect(nonFinite(optimizer.saveState())).toEqual([])
  })
})
