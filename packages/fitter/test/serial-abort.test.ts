// The default pool (numWorkers: 1, the calling thread) stops when an AbortSignal fires, even
// though the objective is CPU-bound and never yields: fault probe F1, where a fit aborted by a
// timer after 1 s ran 58 s to its budget (the sampler's case: packages/sampler/test/ensemble/).

import { objective } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { Fitter } from '../src/index.ts'

function spin(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

describe('an AbortSignal fired by a timer on the serial pool', () => {
  test('stops a fit of a CPU-bound in-process objective, with the best point so far', async () => {
    let calls = 0
    // Rosenbrock in 8 dimensions: thousands of evaluations to converge, so it runs for seconds.
    const rosenbrock = objective<Record<string, number>>((p) => {
      calls++
      spin(0.5)
      const x = Object.values(p)
      let sum = 0
      for (let i = 0; i + 1 < x.length; i++) sum += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2
      return sum
    })
    const initial = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x${i}`, -1]))
    const fitter = new Fitter(rosenbrock, { initial })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const started = performance.now()
    // A budget this size would run for minutes; the fit must stop near the abort instead.
    const result = await fitter.fit({
      method: 'nelder-mead',
      budget: 10_000_000,
      signal: controller.signal,
    })
    expect(result.stopKind).toBe('aborted')
    expect(performance.now() - started).toBeLessThan(5000)
    expect(calls).toBeGreaterThan(0)
    expect(result.nEvals).toBeLessThanOrEqual(calls)
    expect(Number.isFinite(result.loss)).toBe(true)
    await fitter.close()
  })
})
