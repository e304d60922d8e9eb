// CMA-ES: convergence on random quadratics and on bounded problems, determinism, exact resume
// from a saved state, failed evaluations, and IPOP restarts.

import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { Cmaes } from '../src/optimizers/cmaes/cmaes.ts'
import type { OptimizerState } from '../src/optimizers/optimizer.ts'
import { drive, type Loss, nonFinite, problem, quadratic } from './optimizer-harness.ts'

function expectFiniteState(state: OptimizerState): void {
  expect(nonFinite(state)).toEqual([])
}

const unit = fc.double({ min: -1, max: 1, noNaN: true })
// Tiny non-zero values are mapped to 0: initialScales takes 0.1 |x0| as the scale of an unbounded
// parameter, so a start like 1e-50 would need the step size to grow by ~50 decades first.
const notTiny = (v: number) => (Math.abs(v) < 1e-6 ? 0 : v)
const coordinate = fc.double({ min: -3, max: 3, noNaN: true }).map(notTiny)

// Starts are 0 or at least 0.1 in size. A start like 1e-4 for a parameter whose optimum is O(1)
// gives it a scale of 1e-5, so the quadratic's condition number in CMA-ES's normalised space grows
// by 1e8 and the absolute tolFun stop can come before that flat direction is resolved to 1e-8.
const start = fc.double({ min: -3, max: 3, noNaN: true }).map((v) => (Math.abs(v) < 0.1 ? 0 : v))

const quadraticCase = fc.integer({ min: 2, max: 6 }).chain((n) =>
  fc.record({
    b: fc.array(unit, { minLength: n * n, maxLength: n * n }),
    eps: fc.double({ min: 0.05, max: 1, noNaN: true }),
    m: fc.array(coordinate, { minLength: n, maxLength: n }),
    x0: fc.array(start, { minLength: n, maxLength: n }),
    c: fc.double({ min: -5, max: 5, noNaN: true }),
    seed: fc.integer(),
  }),
)

describe('Cmaes', () => {
  test.prop([quadraticCase], { numRuns: 60 })(
    'minimises a random convex quadratic',
    ({ b, eps, m, x0, c, seed }) => {
      const f = quadratic(b, eps, m, c)
      const optimizer = new Cmaes(problem(x0), {}, seed)
      const result = drive(optimizer, f, 20_000)
      expect(optimizer.stop?.reason).toMatch(/^converged/)
      expect(result.bestLoss - c).toBeLessThan(1e-8)
      expect(result.bestLoss - c).toBeGreaterThanOrEqual(-1e-12)
    },
  )

  // The bound-face property is the contract's: optimizer-contract.test.ts.

  it('takes the population size, sigma0 and tolerances from the options', () => {
    const f: Loss = (x) => x[0]! ** 2 + x[1]! ** 2
    const loose = drive(new Cmaes(problem([1, 1]), { popSize: 10, tolFun: 1e-3 }, 1), f, 10_000)
    const tight = drive(new Cmaes(problem([1, 1]), { popSize: 10 }, 1), f, 10_000)
    expect(new Set(loose.batchSizes)).toEqual(new Set([10]))
    expect(loose.evaluations).toBeLessThan(tight.evaluations)
    const a = new Cmaes(problem([1, 1]), { sigma0: 1e-3 }, 5).ask()
    const b = new Cmaes(problem([1, 1]), { sigma0: 1 }, 5).ask()
    // Same seed, so the same deviates: the step scales with sigma0.
    expect(Math.abs(a[0]![0]! - 1)).toBeCloseTo(Math.abs(b[0]![0]! - 1) * 1e-3, 12)
  })
})

describe('determinism and checkpoints', () => {
  const f = quadratic([1, 0.5, -0.3, 2], 0.1, [1, -2], 0.5)

  function asks(seed: number, generations: number): Float64Array[][] {
    const optimizer = new Cmaes(problem([3, 3]), {}, seed)
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
    },
  )

  test.prop(
    [
      fc.integer({ min: 0, max: 40 }),
      fc.boolean(),
      fc.constantFrom('structuredClone', 'json'),
      fc.integer({ min: 0, max: 3 }),
      fc.integer(),
    ],
    { numRuns: 40 },
  )('a restored state continues exactly', (generations, midGeneration, copy, restarts, seed) => {
    // A loose tolFun makes restarts (and so a changed population) happen within the run.
    const p = problem([3, 3], [-5, -5], [5, 5])
    const original = new Cmaes(p, { restarts, tolFun: 1e-4 }, seed)
    for (let g = 0; g < generations && original.stop?.reason === undefined; g++) {
      original.tell(original.ask().map((x) => ({ loss: f(x) })))
    }
    if (original.stop?.reason !== undefined) return
    if (midGeneration) original.ask()
    const state = original.saveState()
    const copied: OptimizerState =
      copy === 'json' ? JSON.parse(JSON.stringify(state)) : (structuredClone(state) as OptimizerState)
    const restored = Cmaes.restore(p, copied)
    for (let g = 0; g < 8 && original.stop?.reason === undefined; g++) {
      const xs = original.ask()
      expect(restored.ask()).toEqual(xs)
      const told = xs.map((x) => ({ loss: f(x) }))
      original.tell(told)
      restored.tell(told)
      expect(restored.stop?.reason).toBe(original.stop?.reason)
    }
    expect(restored.saveState()).toEqual(original.saveState())
  })

  it('repeats the pending generation when asked twice, and checks what it is told', () => {
    const optimizer = new Cmaes(problem([0, 0, 0]), { popSize: 8 }, 3)
    expect(() => optimizer.tell([])).toThrow()
    const first = optimizer.ask()
    expect(optimizer.ask()).toEqual(first)
    expect(() => optimizer.tell([{ loss: 1 }])).toThrow()
    optimizer.tell(first.map(() => ({ loss: 1 })))
    expect(optimizer.ask()).not.toEqual(first)
  })
})

describe('failed evaluations', () => {
  test.prop([fc.double({ min: -1, max: 2, noNaN: true }), fc.integer({ min: 2, max: 5 }), fc.integer()], {
    numRuns: 30,
  })('a failed point is never the best, and the state stays finite', (m0, n, seed) => {
    // Failing in half the space: every point with x0 < 0 fails; the minimum may lie on that side.
    const m = Array.from({ length: n }, (_, j) => (j === 0 ? m0 : 0.5))
    const sphere: Loss = (x) => x.reduce((s, xj, j) => s + (xj - m[j]!) ** 2, 0)
    const f: Loss = (x) => (x[0]! < 0 ? Infinity : sphere(x))
    const optimizer = new Cmaes(problem(new Array<number>(n).fill(1)), {}, seed)
    let seenBest = Infinity
    for (let g = 0; g < 3000 && optimizer.stop?.reason === undefined; g++) {
      const xs = optimizer.ask()
      const losses = xs.map(f)
      seenBest = Math.min(seenBest, ...losses)
      optimizer.tell(losses.map((loss) => ({ loss })))
      const state = optimizer.saveState()
      expectFiniteState(state)
      expect(state['bestLoss']).toBe(seenBest)
      expect(f(Float64Array.from(state['bestX'] as number[]))).toBe(seenBest)
    }
    expect(optimizer.stop?.reason ?? '').not.toMatch(/breakdown/)
    // The constrained minimum is at x0 = max(m0, 0).
    expect(seenBest).toBeLessThan(
      sphere(Float64Array.from(m, (mj, j) => (j === 0 ? Math.max(mj, 0) : mj))) + 1e-6,
    )
  })

  it('keeps its state finite through generations where everything failed, then converges', () => {
    const optimizer = new Cmaes(problem([2, -1, 0.5]), {}, 11)
    for (let g = 0; g < 5; g++) {
      optimizer.tell(optimizer.ask().map(() => ({ loss: Infinity })))
      expectFiniteState(optimizer.saveState())
      expect(optimizer.saveState()['bestX']).toBeNull()
    }
    // NaN and -Infinity count as failures too.
    optimizer.tell(optimizer.ask().map((_, k) => ({ loss: k % 2 ? Number.NaN : -Infinity })))
    expectFiniteState(optimizer.saveState())
    const result = drive(optimizer, (x) => x.reduce((s, v) => s + v * v, 0), 20_000)
    expect(optimizer.stop?.reason).toMatch(/^converged/)
    expect(result.bestLoss).toBeLessThan(1e-10)
  })

  it('stops as stalled when every evaluation keeps failing', () => {
    const optimizer = new Cmaes(problem([1, 1]), {}, 2)
    const result = drive(optimizer, () => Infinity, 10_000)
    expect(optimizer.stop?.reason).toMatch(/^stalled: every evaluation failed/)
    expect(result.evaluations).toBeLessThan(1_000)
    expectFiniteState(optimizer.saveState())
  })

  it('uses only the finite points when fewer than mu are finite', () => {
    // Only a narrow slab is feasible, so most generations have one or two finite points.
    const f: Loss = (x) => (Math.abs(x[1]!) > 0.05 ? Infinity : (x[0]! - 3) ** 2 + x[1]! ** 2)
    const optimizer = new Cmaes(problem([0, 0]), { popSize: 12 }, 4)
    const result = drive(optimizer, f, 20_000)
    expectFiniteState(optimizer.saveState())
    expect(result.bestLoss).toBeLessThan(1e-8)
  })
})

describe('IPOP restarts', () => {
  const rastrigin: Loss = (x) => x.reduce((s, v) => s + v * v - 10 * Math.cos(2 * Math.PI * v), 10 * x.length)

  function solveAll(restarts: number): { meanBest: number; solved: number; sizes: number[][] } {
    let total = 0
    let solved = 0
    const sizes: number[][] = []
    for (let seed = 0; seed < 30; seed++) {
      // Deterministic starts spread over the box.
      const x0 = [4.5 * Math.cos(seed * 2.4), 4.5 * Math.sin(seed * 1.7)]
      const optimizer = new Cmaes(problem(x0, [-5.12, -5.12], [5.12, 5.12]), { restarts }, seed)
      const result = drive(optimizer, rastrigin, 50_000)
      expect(optimizer.stop?.reason).toBeDefined()
      total += result.bestLoss
      if (result.bestLoss < 1e-8) solved++
      sizes.push([...new Set(result.batchSizes)])
    }
    return { meanBest: total / 30, solved, sizes }
  }

  it('doubles the population at each restart and solves 2-D Rastrigin more often than without', () => {
    const single = solveAll(0)
    const ipop = solveAll(3)
    for (const s of single.sizes) expect(s).toEqual([6])
    for (const s of ipop.sizes) expect(s).toEqual([6, 12, 24, 48])
    expect(ipop.meanBest).toBeLessThan(single.meanBest / 2)
    expect(ipop.solved).toBeGreaterThan(single.solved + 2)
  })

  it('reports the restarts in the stop reason, and only after the last one', () => {
    const optimizer = new Cmaes(problem([3, 3], [-5.12, -5.12], [5.12, 5.12]), { restarts: 2 }, 9)
    const result = drive(optimizer, rastrigin, 50_000)
    expect(result.batchSizes.at(-1)).toBe(24)
    expect(optimizer.stop?.reason).toMatch(/\(after 2 restarts\)$/)
  })
})
