// Where Levenberg-Marquardt spends its evaluations: a Jacobian is not asked again after a step
// shorter than half its difference step, the polish is one central-difference Jacobian and one
// Gauss-Newton step, and geodesic acceleration shortens a curved valley.
import { describe, expect, test } from 'vitest'
import { LevenbergMarquardt, type LevenbergMarquardtOptions, type Told } from '../src/index.ts'

function run(f: (b: Float64Array) => Float64Array, x0: number[], options: LevenbergMarquardtOptions = {}) {
  const n = x0.length
  const lm = new LevenbergMarquardt(
    {
      x0: Float64Array.from(x0),
      lower: new Float64Array(n).fill(-Infinity),
      upper: new Float64Array(n).fill(Infinity),
    },
    { prefetchJacobian: false, ...options },
  )
  const batches: number[] = []
  while (lm.stop === undefined && batches.length < 10_000) {
    const points = lm.ask()
    batches.push(points.length)
    lm.tell(
      points.map((b): Told => {
        const residuals = f(b)
        return { loss: residuals.reduce((s, r) => s + r * r, 0), residuals }
      }),
    )
  }
  return { lm, batches, evaluations: batches.reduce((a, b) => a + b, 0) }
}

// r(b) = A b - c: four residuals, three parameters, least-squares solution (29, -17, -31) / 15.
const linear = (b: Float64Array) =>
  Float64Array.of(b[0]! + 2 * b[1]! - 1, 3 * b[1]! - b[2]! + 2, b[0]! - b[2]! - 4, 2 * b[0]! + b[1]! + b[2]!)
const solution = [29 / 15, -17 / 15, -31 / 15]

describe('evaluations of a linear problem, counted', () => {
  test('start and Jacobian, the Gauss-Newton step, one more Jacobian, then the polish: 4n + 3', () => {
    const { lm, batches, evaluations } = run(linear, [10, 10, 10])
    // 1 + n; the step (1); the Jacobian there (n); the central Jacobian (2n); its Gauss-Newton step (1),
    // which stays within its reach, so that Jacobian is the solution's.
    expect(batches).toEqual([4, 1, 3, 6, 1])
    expect(evaluations).toBe(15)
    expect(lm.stop?.reason).toMatch(/^converged/)
    for (const [j, v] of lm.solution.x.entries()) expect(v).toBeCloseTo(solution[j]!, 12)
    expect(lm.solution.jacobian?.map((c) => Array.from(c, (v) => Math.round(v * 1e6) / 1e6))).toEqual([
      [1, 0, 1, 2],
      [2, 3, 0, 1],
      [0, -1, -1, 1],
    ])
  })

  test('without the polish: the last step stays within the Jacobian’s reach, so none is asked after it: 2n + 3', () => {
    const { lm, batches } = run(linear, [10, 10, 10], { polish: false })
    expect(batches).toEqual([4, 1, 3, 1])
    expect(lm.solution.jacobian).toBeDefined()
    for (const [j, v] of lm.solution.x.entries()) expect(v).toBeCloseTo(solution[j]!, 12)
  })
})

describe('geodesic acceleration', () => {
  // Rosenbrock's banana valley as residuals: the classic curved valley.
  const rosenbrock = (b: Float64Array) => Float64Array.of(10 * (b[1]! - b[0]! ** 2), 1 - b[0]!)

  test('follows the curved valley in fewer evaluations, to the same minimum', () => {
    const plain = run(rosenbrock, [-1.2, 1], { acceleration: false })
    const accelerated = run(rosenbrock, [-1.2, 1])
    for (const { lm } of [plain, accelerated]) {
      expect(lm.stop?.reason).toMatch(/^converged/)
      expect(Array.from(lm.solution.x)).toEqual([1, 1])
    }
    expect(accelerated.evaluations).toBeLessThan(plain.evaluations)
  })

  test('changes nothing on a linear problem, whose residuals have no curvature', () => {
    expect(run(linear, [10, 10, 10], { acceleration: false }).batches).toEqual(
      run(linear, [10, 10, 10]).batches,
    )
  })
})
