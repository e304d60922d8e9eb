// The default pool (numWorkers: 1, the calling thread) stops when an AbortSignal fires, even
// though the log-probability is CPU-bound and never yields: fault probe F1, where a sampler
// aborted by a timer after 1 s ran all of its 200,000 steps.

import { describe, expect, test } from 'vitest'
import { EnsembleSampler, type LogProbFn } from '../../src/index.ts'

function spin(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

describe('an AbortSignal fired by a timer on the serial pool', () => {
  test('stops a sampler run of a CPU-bound log-probability, keeping the steps done', async () => {
    const logProb: LogProbFn = (x) => {
      spin(0.05)
      return -0.5 * (x[0]! ** 2 + x[1]! ** 2)
    }
    const sampler = new EnsembleSampler({ nWalkers: 8, nDim: 2, logProb, seed: 3 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    const initial = Array.from({ length: 8 }, (_, i) => [0.1 * Math.cos(i), 0.1 * Math.sin(i + 1)])
    const started = performance.now()
    const summary = await sampler.run(initial, 200_000, { signal: controller.signal })
    expect(summary.stop.kind).toBe('aborted')
    expect(summary.steps).toBeGreaterThan(0)
    expect(summary.steps).toBeLessThan(200_000)
    expect(sampler.getChain().length).toBe(summary.steps)
    expect(performance.now() - started).toBeLessThan(5000)
    await sampler.close()
  })
})
