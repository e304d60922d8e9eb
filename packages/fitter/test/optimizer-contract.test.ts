// The contract every optimizer keeps (src/optimizers/optimizer.ts), checked the same way for all
// four: batches inside the bounds, the same batch when asked twice, typed errors for a wrong
// tell or an ask after the stop, a stop as data, the same run for the same seed, an exact
// continuation from a state that went through JSON, and a typed error for a state that is not
// one this optimizer wrote, however it is damaged.
import { fc, test } from '@fast-check/vitest'
import { ParafitError, ValidationError } from '@parafit/core'
import { describe, expect, it } from 'vitest'
import {
  Cmaes,
  DifferentialEvolution,
  LevenbergMarquardt,
  type Method,
  NelderMead,
  type Optimizer,
  type OptimizerState,
  OptimizerStateError,
  type Problem,
  type Told,
} from '../src/index.ts'
import { drive, problem } from './optimizer-harness.ts'

interface Kind {
  readonly method: Method
  create(problem: Problem, seed: number): Optimizer
  restore(problem: Problem, state: OptimizerState): Optimizer
  /** Whether the method draws random numbers (so that the seed matters). */
  readonly seeded: boolean
  /**
   * How close the best point comes to a box-constrained minimum: on a face (a kink of the
   * mirrored loss, found sharply) and inside (limited by the method's stopping tests).
   */
  readonly tolerance: { readonly onFace: number; readonly inside: number }
}

const KINDS: readonly Kind[] = [
  {
    method: 'lm',
    create: (p, seed) => new LevenbergMarquardt(p, {}, seed),
    restore: (p, s) => LevenbergMarquardt.restore(p, s),
    seeded: false,
    tolerance: { onFace: 1e-6, inside: 1e-6 },
  },
  {
    method: 'nelder-mead',
    create: (p, seed) => new NelderMead(p, {}, seed),
    restore: (p, s) => NelderMead.restore(p, s),
    seeded: false,
    tolerance: { onFace: 1e-6, inside: 1e-4 },
  },
  {
    method: 'cmaes',
    create: (p, seed) => new Cmaes(p, {}, seed),
    restore: (p, s) => Cmaes.restore(p, s),
    seeded: true,
    // The kink drives the step size down faster than the covariance can stretch along the other
    // coordinates, so those can lag: over 1000 random cases, 99% were within 1e-4 and all within 3e-3.
    tolerance: { onFace: 1e-6, inside: 1e-2 },
  },
  {
    method: 'de',
    create: (p, seed) => new DifferentialEvolution(p, { popSize: 12 }, seed),
    restore: (p, s) => DifferentialEvolution.restore(p, s),
    seeded: true,
    // Inside, about sqrt(tolFun-limited loss / weight): all of 1000 random cases within 1e-5.
    tolerance: { onFace: 1e-6, inside: 1e-4 },
  },
]

/** Residuals r = A (x - m) with A well conditioned: least squares for LM, a quadratic for the rest. */
function residualQuadratic(m: readonly number[]): (x: Float64Array) => Told {
  return (x) => {
    const n = m.length
    const residuals = new Float64Array(n + 1)
    for (let i = 0; i < n; i++)
      residuals[i] = (i + 1) * (x[i]! - m[i]!) + 0.3 * (x[(i + 1) % n]! - m[(i + 1) % n]!)
    residuals[n] = 0.5 * (x[0]! - m[0]!)
    let loss = 0
    for (const r of residuals) loss += r * r
    return { loss, residuals }
  }
}

const boxed = (n: number) =>
  problem(
    Array.from({ length: n }, (_, i) => 0.5 - 0.1 * i),
    Array.from({ length: n }, () => -2),
    Array.from({ length: n }, () => 3),
  )
const target = (n: number) => Array.from({ length: n }, (_, i) => 1 - 0.4 * i)

// Tiny non-zero values are mapped to 0: initialScales takes 0.1 |x0| as the scale of an unbounded
// parameter, so a start like 1e-50 would need the step size to grow by ~50 decades first.
const notTiny = (v: number) => (Math.abs(v) < 1e-6 ? 0 : v)

/** A JSON round trip: what a checkpoint file does to a state. */
const throughJson = (state: OptimizerState): OptimizerState => JSON.parse(JSON.stringify(state))

/** Runs `steps` ask/tell rounds (fewer if it stops first). */
function advance(optimizer: Optimizer, f: (x: Float64Array) => Told, steps: number): void {
  for (let i = 0; i < steps && optimizer.stop === undefined; i++) optimizer.tell(optimizer.ask().map(f))
}

describe.each(KINDS)('the optimizer contract: $method', (kind) => {
  const n = 3
  const f = residualQuadratic(target(n))

  it('asks batches of points inside the bounds, the same batch again until told', () => {
    const optimizer = kind.create(boxed(n), 7)
    for (let step = 0; step < 30 && optimizer.stop === undefined; step++) {
      const points = optimizer.ask()
      expect(points.length).toBeGreaterThan(0)
      for (const x of points) {
        expect(x.length).toBe(n)
        for (const v of x) expect(v >= -2 && v <= 3).toBe(true)
      }
      expect(optimizer.ask()).toEqual(points)
      optimizer.tell(points.map(f))
    }
  })

  it('a wrong tell and an ask after the stop are ValidationErrors', () => {
    const optimizer = kind.create(boxed(n), 7)
    expect(() => optimizer.tell([])).toThrow(ValidationError)
    const points = optimizer.ask()
    expect(() => optimizer.tell([...points, points[0]!].map(f))).toThrow(ValidationError)
    optimizer.tell(points.map(f))
    drive(optimizer, f, 100_000)
    expect(optimizer.stop).toBeDefined()
    expect(() => optimizer.ask()).toThrow(ValidationError)
  })

  it('stops on its own with a stop as data, at the minimum', () => {
    const optimizer = kind.create(boxed(n), 3)
    const run = drive(optimizer, f, 100_000)
    expect(optimizer.stop?.kind).toBe('converged')
    expect(optimizer.stop?.reason).toMatch(/^converged/)
    expect(run.bestLoss).toBeLessThan(1e-8)
    // The stop survives a save and a restore.
    expect(kind.restore(boxed(n), throughJson(optimizer.saveState())).stop).toEqual(optimizer.stop)
  })

  // Each coordinate has both bounds, only a lower or only an upper one; where the minimum of the
  // separable quadratic lies outside, the constrained minimum is on that face.
  const boundedCase = fc.integer({ min: 1, max: 5 }).chain((dims) =>
    fc.record({
      coordinates: fc.array(
        fc.record({
          kind: fc.constantFrom('both', 'lower', 'upper'),
          lower: fc.double({ min: -3, max: 1, noNaN: true }).map(notTiny),
          width: fc.double({ min: 0.5, max: 4, noNaN: true }),
          // Where the minimum sits: < 0 below the lower bound, > 1 above the upper one (in box widths).
          at: fc.double({ min: -1, max: 2, noNaN: true }),
          start: fc.double({ min: 0, max: 1, noNaN: true }).map(notTiny),
          weight: fc.double({ min: 0.1, max: 10, noNaN: true }),
        }),
        { minLength: dims, maxLength: dims },
      ),
      seed: fc.integer(),
    }),
  )

  test.prop([boundedCase], { numRuns: 25 })(
    'ends on the bound face when the minimum lies outside the box, asking only points inside',
    ({ coordinates, seed }) => {
      const lower = coordinates.map((c) => (c.kind === 'upper' ? -Infinity : c.lower))
      const upper = coordinates.map((c) => (c.kind === 'lower' ? Infinity : c.lower + c.width))
      const m = coordinates.map((c) => c.lower + c.at * c.width)
      const x0 = coordinates.map((c) => c.lower + c.start * c.width)
      const solution = m.map((mj, j) => Math.min(upper[j]!, Math.max(lower[j]!, mj)))
      const told = (x: Float64Array): Told => {
        const residuals = Float64Array.from(coordinates, (c, j) => Math.sqrt(c.weight) * (x[j]! - m[j]!))
        return { loss: residuals.reduce((s, r) => s + r * r, 0), residuals }
      }
      const result = drive(kind.create(problem(x0, lower, upper), seed), told, 40_000)
      const outsideBox = result.asked
        .flat()
        .filter((x) => x.some((xj, j) => !(xj >= lower[j]! && xj <= upper[j]!)))
      expect(outsideBox).toEqual([])
      result.bestX!.forEach((xj, j) => {
        const onFace = Math.abs(m[j]! - solution[j]!) > 1e-3
        expect(Math.abs(xj - solution[j]!)).toBeLessThan(
          onFace ? kind.tolerance.onFace : kind.tolerance.inside,
        )
      })
    },
  )

  it('a failed evaluation (loss Infinity) is steered away from, never a cause to throw', () => {
    const optimizer = kind.create(boxed(n), 5)
    const run = drive(optimizer, (x) => (x[0]! > 1.5 ? { loss: Infinity } : f(x)), 100_000)
    expect(Number.isFinite(run.bestLoss)).toBe(true)
  })

  test.prop([fc.integer({ min: 1, max: 2 ** 31 - 1 })], { numRuns: 5 })(
    'the same seed gives the same run',
    (seed) => {
      const a = drive(kind.create(boxed(n), seed), f, 3000)
      const b = drive(kind.create(boxed(n), seed), f, 3000)
      expect(b.asked).toEqual(a.asked)
      if (kind.seeded)
        expect(drive(kind.create(boxed(n), seed + 1), f, 200).asked).not.toEqual(a.asked.slice(0, 1))
    },
  )

  test.prop([fc.integer({ min: 0, max: 40 }), fc.boolean()], { numRuns: 15 })(
    'a state saved at any step, through JSON, continues exactly (also between ask and tell)',
    (steps, midBatch) => {
      const original = kind.create(boxed(n), 11)
      advance(original, f, steps)
      if (midBatch && original.stop === undefined) original.ask()
      const copy = kind.restore(boxed(n), throughJson(original.saveState()))
      const a = drive(original, f, 3000)
      const b = drive(copy, f, 3000)
      expect(b.asked).toEqual(a.asked)
      expect(copy.stop).toEqual(original.stop)
    },
  )

  it("refuses another method's state, another problem size and another version with OptimizerStateError", () => {
    const state = kind.create(boxed(n), 1).saveState()
    expect(() => kind.restore(boxed(n + 1), state)).toThrow(OptimizerStateError)
    expect(() => kind.restore(boxed(n), { ...state, version: 999 })).toThrow(OptimizerStateError)
    for (const other of KINDS.filter((k) => k.method !== kind.method)) {
      expect(() => kind.restore(boxed(n), other.create(boxed(n), 1).saveState())).toThrow(OptimizerStateError)
    }
    expect(() => kind.restore(boxed(n), null as never)).toThrow(OptimizerStateError)
  })

  const junk = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.string(),
    fc.double(),
    fc.integer({ min: -5, max: 5 }),
    fc.array(fc.double(), { maxLength: 5 }),
    fc.array(fc.array(fc.double(), { maxLength: 4 }), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.double(), { maxKeys: 3 }),
  )

  test.prop([fc.integer({ min: 0, max: 12 }), fc.nat(), junk], { numRuns: 150 })(
    'a damaged state is refused with OptimizerStateError, or continues without an untyped error',
    (steps, pick, value) => {
      const original = kind.create(boxed(n), 2)
      advance(original, f, steps)
      const state = throughJson(original.saveState())
      const paths = leafPaths(state)
      const path = paths[pick % paths.length]!
      setAt(state, path, value)
      let restored: Optimizer
      try {
        restored = kind.restore(boxed(n), state)
      } catch (error) {
        expect(error, `damaged at ${path.join('.')}: ${String(error)}`).toBeInstanceOf(OptimizerStateError)
        return
      }
      try {
        drive(restored, f, 200)
      } catch (error) {
        expect(error, `damaged at ${path.join('.')}: ${String(error)}`).toBeInstanceOf(ParafitError)
      }
    },
  )
})

/** Every path to a field of a state (records and arrays are walked into). */
function leafPaths(
  value: unknown,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at)
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) leafPaths(v, [...at, i], out)
  } else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) leafPaths(v, [...at, k], out)
  return out.filter((p) => p.length > 0)
}

function setAt(root: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  node[path.at(-1)!] = value
}

describe('regressions found by the damaged-state property', () => {
  it('CMA-ES: a restart count of 1e15 is refused (it asked for a population of 2^1e15 points: a RangeError)', () => {
    const state = throughJson(new Cmaes(boxed(3), {}, 2).saveState())
    state['restartsDone'] = 1125899906842063
    expect(() => Cmaes.restore(boxed(3), state)).toThrow(OptimizerStateError)
  })

  it('Nelder-Mead: a simplex emptied after the first step is refused (it was a TypeError on ask)', () => {
    const f = residualQuadratic(target(3))
    const original = new NelderMead(boxed(3))
    advance(original, f, 1)
    const state = throughJson(original.saveState())
    state['simplex'] = []
    expect(() => NelderMead.restore(boxed(3), state)).toThrow(OptimizerStateError)
  })

  it('DE: a popSize grown past the population limit is refused before a population is built', () => {
    const state = throughJson(new DifferentialEvolution(boxed(3), { popSize: 12 }, 1).saveState())
    ;(state['options'] as Record<string, unknown>)['popSize'] = 1_982_783_222
    expect(() => DifferentialEvolution.restore(boxed(3), state)).toThrow(OptimizerStateError)
  })

  it('CMA-ES: a covariance entry of 1.2e308 ends the run as stalled instead of a TypeError in the eigensolver', () => {
    const f = residualQuadratic(target(3))
    const state = throughJson(new Cmaes(boxed(3), {}, 2).saveState())
    ;(state['C'] as number[])[0] = 1.237235591055602e308
    const restored = Cmaes.restore(boxed(3), state)
    drive(restored, f, 5000)
    expect(restored.stop).toEqual({
      kind: 'stalled',
      reason: 'stalled: numerical breakdown (the covariance matrix cannot be decomposed)',
    })
  })
})
