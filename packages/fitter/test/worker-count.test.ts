// The same seed gives the same fit on any number of workers: the optimizers see only the
// values they are told, in the order they asked, never the pool.
import { fc, test } from '@fast-check/vitest'
import { objectiveModule } from '@parafit/core'
import { type Pool, processPool, serialPool, threadPool } from '@parafit/parallel'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { type FitResult, Fitter, METHODS } from '../src/index.ts'
import type { BowlInit, BowlParams } from './fixtures/bowl.objective.ts'

const bowlUrl = new URL('./fixtures/bowl.objective.ts', import.meta.url)
let pools: Pool[] = []

beforeAll(() => {
  pools = [
    serialPool(),
    threadPool({ numWorkers: 2 }),
    threadPool({ numWorkers: 3 }),
    processPool({ numWorkers: 2 }),
  ]
})
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()))
})

const same = (a: FitResult<BowlParams>, b: FitResult<BowlParams>) => {
  expect(b.params).toEqual(a.params)
  expect(b.loss).toBe(a.loss)
  expect(b.nEvals).toBe(a.nEvals)
  expect(b.history).toEqual(a.history)
  expect(b.stopReason).toBe(a.stopReason)
  expect(b.bestContext.meta).toEqual(a.bestContext.meta)
}

describe('worker count', () => {
  test.prop(
    [
      fc.constantFrom(...METHODS),
      fc.integer(),
      fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 })),
    ],
    { numRuns: 12 },
  )(
    'serial, 2 and 3 threads and 2 processes give the same result for a seed',
    async (method, seed, [cx, cz]) => {
      const init: BowlInit = {
        shape: method === 'lm' ? 'residuals' : 'loss',
        center: [cx / 10, cz / 10],
        // Some evaluations fail, so failure handling is part of what must agree.
        nanBelow: -2.5,
      }
      const objective = objectiveModule(bowlUrl, { init })
      const results: FitResult<BowlParams>[] = []
      for (const pool of pools) {
        const fitter = new Fitter(objective, {
          initial: { x: 0.3, y: { z: -0.2 } },
          bounds: { x: [-3, 3] },
          pool,
        })
        results.push(await fitter.fit({ method, seed, budget: 150 }))
      }
      for (const result of results.slice(1)) same(results[0]!, result)
    },
    60_000,
  )
})
