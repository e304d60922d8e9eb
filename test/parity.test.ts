// The central invariant: the same objective evaluated in-process, on the serial pool, on
// threads and on processes gives identical values, identical errors and identical context
// trees, whatever fails where. Trees are random (depth, weights, reductions, onError policies)
// with failures injected in leaves (throw, NaN, infinity, non-number, hooks) and in combined
// nodes (hooks, configurators, reductions), firing for some parameter sets of a batch only.

import { fc, test } from '@fast-check/vitest'
import type { Objective } from '@parafit/core'
import { buildObjective, dataDifference, objectiveSpec, specParams } from '@parafit/core/testing'
import { type Pool, processPool, serialPool, threadPool } from '@parafit/parallel'
import { afterAll, describe, expect } from 'vitest'
import { inProcessResults, moduleTree, poolResults } from './parity-check.ts'

const pools: Record<string, Pool> = {
  serial: serialPool(),
  'serial (strict)': serialPool({ strict: true }),
  threads: threadPool({ numWorkers: 2 }),
  processes: processPool({ numWorkers: 2 }),
}
afterAll(async () => {
  await Promise.all(Object.values(pools).map((p) => p.close()))
})

describe('backend parity', () => {
  test.prop(
    [objectiveSpec({ maxDepth: 3, maxTerms: 3 }), fc.array(specParams(), { minLength: 1, maxLength: 4 })],
    {
      numRuns: 100,
    },
  )(
    'serial, threads and processes agree with in-process evaluation',
    async (spec, paramsList) => {
      const reference = await inProcessResults(buildObjective(spec) as Objective, paramsList)
      const tree = moduleTree(spec)
      for (const [backend, pool] of Object.entries(pools)) {
        const results = await poolResults(pool, tree, paramsList)
        const difference = dataDifference(results, reference)
        expect(difference === undefined ? undefined : `${backend}: ${difference}`).toBeUndefined()
      }
    },
    120_000,
  )
})
