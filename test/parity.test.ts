// The central invariant: the same objective evaluated in-process, on the serial pool, on
// threads and on processes gives identical values, identical errors and identical context
// trees, whatever fails where. Trees are random (depth, weights, reductions, onError policies)
// with failures injected in leaves (throw, NaN, infinity, non-number, hooks) and in combined
// nodes (hooks, configurators, reductions), firing for some parameter sets of a batch only.

import { fc, test } from '@fast-check/vitest'
import { EvaluateContext, type Objective, type ObjectiveError, objectiveModule } from '@parafit/core'
import {
  buildObjective,
  dataDifference,
  objectiveSpec,
  specLeafModule,
  specParams,
} from '@parafit/core/testing'
import { mapWithContextSettled, type Pool, processPool, serialPool, threadPool } from '@parafit/parallel'
import { afterAll, describe, expect } from 'vitest'

const pools: Record<string, Pool> = {
  serial: serialPool(),
  threads: threadPool({ numWorkers: 2 }),
  processes: processPool({ numWorkers: 2 }),
}
afterAll(async () => {
  await Promise.all(Object.values(pools).map((p) => p.close()))
})

type Result = {
  value?: number
  error?: { name: string; message: string; termPath: readonly number[] }
  meta: unknown
}

function describeError(error: unknown): Result['error'] {
  const e = error as ObjectiveError
  return { name: e.name, message: e.message, termPath: e.termPath ?? [] }
}

describe('backend parity', () => {
  test.prop(
    [objectiveSpec({ maxDepth: 3, maxTerms: 3 }), fc.array(specParams(), { minLength: 1, maxLength: 4 })],
    {
      numRuns: 100,
    },
  )(
    'serial, threads and processes agree with in-process evaluation',
    async (spec, paramsList) => {
      const reference: Result[] = []
      const inProcess = buildObjective(spec) as Objective
      for (const params of paramsList) {
        const ctx = new EvaluateContext()
        try {
          reference.push({ value: await inProcess.evaluate(params, ctx), meta: ctx.toMetaData() })
        } catch (error) {
          reference.push({ error: describeError(error), meta: ctx.toMetaData() })
        }
      }
      const tree = buildObjective(spec, (leaf) => objectiveModule(specLeafModule, { init: leaf }))
      for (const [backend, pool] of Object.entries(pools)) {
        const settled = await mapWithContextSettled(pool, tree as Objective, paramsList)
        const results: Result[] = settled.map((s) =>
          s.ok
            ? { value: s.value, meta: s.context.toMetaData() }
            : { error: describeError(s.error), meta: s.context.toMetaData() },
        )
        const difference = dataDifference(results, reference)
        expect(difference === undefined ? undefined : `${backend}: ${difference}`).toBeUndefined()
      }
    },
    120_000,
  )
})
