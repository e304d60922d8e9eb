// The optimizers' one test harness: the synchronous ask → evaluate → tell loop the Fitter runs on
// a pool, here in this thread with a plain function; problems, quadratics, and the paths of
// non-finite numbers in a saved state.
import type { Optimizer, Problem, Told } from '../src/optimizers/optimizer.ts'

export type Loss = (x: Float64Array) => number

export interface Outcome {
  evaluations: number
  bestLoss: number
  bestX: Float64Array | undefined
  batchSizes: number[]
  /** The points of each batch asked, in order. */
  asked: Float64Array[][]
}

/** Runs `optimizer` until it stops or the next batch would pass `budget`; `f` gives a loss or a Told. */
export function drive(optimizer: Optimizer, f: (x: Float64Array) => number | Told, budget = 50_000): Outcome {
  const out: Outcome = { evaluations: 0, bestLoss: Infinity, bestX: undefined, batchSizes: [], asked: [] }
  while (optimizer.stop === undefined && out.evaluations < budget) {
    const xs = optimizer.ask()
    const told = xs.map((x) => {
      const t = f(x)
      return typeof t === 'number' ? { loss: t } : t
    })
    out.batchSizes.push(xs.length)
    out.asked.push(xs)
    out.evaluations += xs.length
    told.forEach(({ loss }, k) => {
      if (loss < out.bestLoss) {
        out.bestLoss = loss
        out.bestX = Float64Array.from(xs[k]!)
      }
    })
    optimizer.tell(told)
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

export const unbounded = (n: number) => ({
  lower: new Float64Array(n).fill(Number.NEGATIVE_INFINITY),
  upper: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
})

/** (x - m)^T (B^T B + eps I) (x - m) + c, with B given row-major: a random well-posed convex quadratic. */
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
