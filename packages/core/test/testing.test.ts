import { test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { combine, EvaluateContext, type Objective, objectiveModule, ParamSpace } from '../src/index.ts'
import {
  boundedParams,
  buildObjective,
  dataDifference,
  leavesOf,
  objectiveSpec,
  specLeafModule,
  specParams,
} from '../src/testing/index.ts'
import { expectSameData } from './same-data.ts'

async function outcome(objective: Objective, params: { x: number; y: { z: number } }) {
  const ctx = new EvaluateContext()
  try {
    return { value: await objective.evaluate(params, ctx), meta: ctx.toMetaData() }
  } catch (error) {
    return { error: (error as Error).message, meta: ctx.toMetaData() }
  }
}

describe('@parafit/core/testing', () => {
  test('dataDifference: invalid Dates are the same data, different times are not', () => {
    expect(dataDifference(new Date(Number.NaN), new Date(Number.NaN))).toBeUndefined()
    expect(dataDifference({ d: new Date(1) }, { d: new Date(2) })).toBe('$.d: different dates')
    expect(dataDifference(new Date(Number.NaN), new Date(0))).toBe('$: different dates')
  })

  test.prop([boundedParams()])('boundedParams always gives a valid parameter space', ({ params, bounds }) => {
    expect(ParamSpace.create(params, bounds).contains(ParamSpace.create(params, bounds).initial)).toBe(true)
  })

  test.prop([objectiveSpec({ maxDepth: 2 })])('spec ids are unique and every leaf is reachable', (spec) => {
    const ids = leavesOf(spec).map((l) => l.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id) => id.startsWith('root'))).toBe(true)
  })

  test.prop([objectiveSpec(), specParams()], { numRuns: 60 })(
    'a tree built from module references behaves exactly like the in-process one',
    async (spec, params) => {
      // Wrapped in one more level so that a spec whose root is a leaf is an objective too.
      const inProcess = combine([buildObjective(spec)])
      const fromModules = combine([
        buildObjective(spec, (leaf) => objectiveModule(specLeafModule, { init: leaf })),
      ])
      expectSameData(await outcome(fromModules, params), await outcome(inProcess, params))
    },
  )
})
