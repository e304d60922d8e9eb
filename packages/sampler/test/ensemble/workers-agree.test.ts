// Before a sampling run on a worker pool, every worker evaluates the first walker once: a
// log-probability whose data is made at random on load (a different distribution on each worker)
// fails with WorkersDisagreeError instead of mixing chains of different targets.
// checkWorkers: false opts out.

import { objectiveModule, WorkersDisagreeError } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { EnsembleSampler } from '../../src/index.ts'

const randomLogProb = objectiveModule(new URL('../fixtures/random-data.logprob.ts', import.meta.url))

const walkers = Array.from({ length: 6 }, (_, i) => [0.1 * Math.cos(i), 0.1 * Math.sin(i + 1)])

describe('workers are checked to agree before a run', () => {
  test('an EnsembleSampler on 2 threads refuses a log-probability whose centre is random', async () => {
    const sampler = new EnsembleSampler({ logProb: randomLogProb, nWalkers: 6, nDim: 2, numWorkers: 2 })
    await expect(sampler.run(walkers, 5)).rejects.toBeInstanceOf(WorkersDisagreeError)
    expect(sampler.iteration).toBe(0)
    await sampler.close()
    const unchecked = new EnsembleSampler({
      logProb: randomLogProb,
      nWalkers: 6,
      nDim: 2,
      numWorkers: 2,
      checkWorkers: false,
    })
    const summary = await unchecked.run(walkers, 5)
    expect(summary.steps).toBe(5)
    await unchecked.close()
  })
})
