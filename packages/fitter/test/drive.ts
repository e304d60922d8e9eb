// Drives an ask/tell optimizer with a plain function, as the Fitter would with a pool, but in
// this thread and with no context: for the optimizers' own tests.
import type { Optimizer, Told } from '../src/index.ts'

export interface Driven {
  best: Float64Array
  bestLoss: number
  evaluations: number
  asked: Float64Array[][]
}

export function drive(optimizer: Optimizer, f: (x: Float64Array) => Told, budget = 50_000): Driven {
  let best = new Float64Array(0)
  let bestLoss = Number.POSITIVE_INFINITY
  let evaluations = 0
  const asked: Float64Array[][] = []
  while (optimizer.stopReason === undefined && evaluations < budget) {
    const points = optimizer.ask()
    asked.push(points)
    const told = points.map((x) => {
      evaluations++
      const t = f(x)
      if (t.loss < bestLoss) {
        bestLoss = t.loss
        best = Float64Array.from(x)
      }
      return t
    })
    optimizer.tell(told)
  }
  return { best, bestLoss, evaluations, asked }
}

/** f(x) = (x - m)ᵀ BᵀB (x - m) + 0.01 |x - m|² + c, a random well-posed convex quadratic. */
export function quadratic(b: number[][], m: number[], c: number): (x: Float64Array) => number {
  const n = m.length
  return (x) => {
    let sum = 0
    for (let i = 0; i < n; i++) {
      let row = 0
      for (let j = 0; j < n; j++) row += b[i]![j]! * (x[j]! - m[j]!)
      sum += row * row
    }
    for (let j = 0; j < n; j++) sum += 0.01 * (x[j]! - m[j]!) ** 2
    return sum + c
  }
}

export const unbounded = (n: number) => ({
  lower: new Float64Array(n).fill(Number.NEGATIVE_INFINITY),
  upper: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
})
