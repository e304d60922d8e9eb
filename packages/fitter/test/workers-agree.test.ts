// Before a fit on a worker pool, every worker evaluates the start point once: a model whose data
// is made at random on load (a different function on each worker) fails with
// WorkersDisagreeError instead of "converging" to nonsense. checkWorkers: false opts out.

import { objectiveModule, WorkersDisagreeError } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { Fitter } from '../src/index.ts'

const randomModel = objectiveModule(new URL('./fixtures/random-data.objective.ts', import.meta.url))
const steadyModel = objectiveModule(new URL('./fixtures/bowl.objective.ts', import.meta.url), {
  init: { shape: 'residuals', center: [1, 2] },
})

describe('workers are checked to agree before a run', () => {
  test('a Fitter on 2 threads refuses a model whose data is random, naming the module and the opt-out', async () => {
    const fitter = new Fitter(randomModel, { initial: { a: 1, b: 0 }, numWorkers: 2 })
    const fit = fitter.fit({ method: 'lm' })
    await expect(fit).rejects.toBeInstanceOf(WorkersDisagreeError)
    await expect(fit).rejects.toThrow(/random-data\.objective\.ts.*checkWorkers: false/s)
    await fitter.close()
  })

  test('checkWorkers: false runs the fit anyway', async () => {
    const fitter = new Fitter(randomModel, { initial: { a: 1, b: 0 }, numWorkers: 2, checkWorkers: false })
    const result = await fitter.fit({ method: 'lm', budget: 60 })
    expect(result.nEvals).toBeGreaterThan(0)
    await fitter.close()
  })

  test('a deterministic model passes the check, and the check costs no budget', async () => {
    const initial = { x: 0, y: { z: 0 } }
    const checked = new Fitter(steadyModel, { initial, numWorkers: 2 })
    const unchecked = new Fitter(steadyModel, { initial, numWorkers: 2, checkWorkers: false })
    const a = await checked.fit({ method: 'lm' })
    const b = await unchecked.fit({ method: 'lm' })
    expect(a.params).toEqual(b.params)
    expect(a.nEvals).toBe(b.nEvals)
    await checked.close()
    await unchecked.close()
  })
})
