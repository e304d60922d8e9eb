// The generation-based optimizers' test harness (CMA-ES, differential evolution): a synchronous
// ask/tell loop that records batch sizes and asked points, problems, quadratics, and the paths of
// non-finite numbers in a saved state.
import type { Optimizer, Problem } from '../src/optimizers/optimizer.ts'

export type Loss = (x: Float64Array) => number

export interface Outcome {
  evaluations: number
  bestLoss: number
  bestX: Float64Array | undefined
  batchSizes: number[]
  asked: Float64Array[]
}

/** The synchronous ask → evaluate → tell loop, until the optimizer stops or the budget is spent. */
export function drive(optimizer: Optimizer, f: Loss, budget: number, keepAsked = false): Outcome {
  const out: Outcome = { evaluations: 0, bestLoss: Infinity, bestX: undefined, batchSizes: [], asked: [] }
  while (optimizer.stopReason === undefined && out.evaluations < budget) {
    const xs = optimizer.ask()
    const losses = xs.map(f)
    out.batchSizes.push(xs.length)
    if (keepAsked) out.asked.push(...xs)
    out.evaluations += xs.length
    losses.forEach((loss, k) => {
      if (loss < out.bestLoss) {
        out.bestLoss = loss
        out.bestX = xs[k]
      }
    })
    optimizer.tell(losses.map((loss) => ({ loss })))
  }
  return out
}

export function problem(x0: number[], lower?: number[], upper?: number[]): Problem {
  const n = x0.length
  return {
    x0: Float64Array.from(x0),
    lower: Float64Array.from(lower ?? new Array<number>(n).fill(-Infinity)),
    upper: Float64Array.from(upper ?? new Array<number>(n).fill(Infinity)),
  }
}

/** (x - m)^T (B^T B + eps I) (x - m) + c, with B given row-major. */
export function quadratic(b: number[], eps: number, m: number[], c: number): Loss {
  const n = m.length
  return (x) => {
    let s = 0
    for (let i = 0; i < n; i++) {
      let t = 0
      for (let j = 0; j < n; j++) t += b[i * n + j]! * (x[j]! - m[j]!)
      s += t * t
    }
    for (let j = 0; j < n; j++) s += eps * (x[j]! - m[j]!) ** 2
    return s + c
  }
}

/** Paths of the numbers in a saved state that are not finite (null stands for "none" and is allowed). */
export function nonFinite(value: unknown, path = 'state', out: string[] = []): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(path)
  } else if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    Array.from(value as ArrayLike<unknown>).forEach((v, i) => {
      nonFinite(v, `${path}[${i}]`, out)
    })
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nonFinite(v, `${path}.${k}`, out)
  }
  return out
}
