// checkWorkersAgree: every worker evaluates the start point once; different values (a model
// whose data is made at random on load) fail before a run is spent on them.

import { EvaluateContext, objectiveModule, WorkersDisagreeError } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { checkWorkersAgree, serialPool } from '../src/index.ts'
import { counting, makePool, trackPools, workerBackends } from './helpers.ts'

const randomData = objectiveModule(new URL('./fixtures/random-data.objective.ts', import.meta.url))

describe.each(workerBackends)('workers agree, %s', (backend) => {
  const track = trackPools()

  test('evaluateOnEachWorker runs the task once on each worker', async () => {
    const pool = track(makePool(backend, { numWorkers: 3 }))
    const outcomes = await pool.evaluateOnEachWorker!({
      objective: counting(),
      params: { x: 2 },
      input: new EvaluateContext().toInputState(),
    })
    expect(outcomes).toHaveLength(3)
    const workers = outcomes.map((o) => (o.ok ? o.state.meta.worker : o.error.message))
    expect(new Set(workers).size).toBe(3)
    expect(outcomes.map((o) => o.ok && o.value)).toEqual([2, 2, 2])
  })

  test('a model whose data is made at random on load fails with WorkersDisagreeError', async () => {
    const pool = track(makePool(backend, { numWorkers: 2 }))
    const check = checkWorkersAgree(pool, randomData, { x: 0 })
    await expect(check).rejects.toBeInstanceOf(WorkersDisagreeError)
    await expect(check).rejects.toThrow(/random-data\.objective\.ts.*Math\.random\(\).*checkWorkers: false/s)
    const error = (await check.catch((e: unknown) => e)) as WorkersDisagreeError
    expect(error.values).toHaveLength(2)
    expect(error.values[0]).not.toBe(error.values[1])
  })

  test('a pool and objective that agreed are not checked again; another objective is', async () => {
    const pool = track(makePool(backend, { numWorkers: 2 }))
    const own = pool.evaluateOnEachWorker!.bind(pool)
    let checks = 0
    pool.evaluateOnEachWorker = (task, options) => {
      checks++
      return own(task, options)
    }
    const steady = counting()
    await checkWorkersAgree(pool, steady, { x: 1 })
    await checkWorkersAgree(pool, steady, { x: 2 })
    expect(checks).toBe(1)
    await checkWorkersAgree(pool, counting(), { x: 1 })
    expect(checks).toBe(2)
  })

  test('a deterministic model passes, and the pool serves on', async () => {
    const pool = track(makePool(backend, { numWorkers: 2 }))
    await checkWorkersAgree(pool, counting(), { x: 1.5 })
    const outcomes = await pool.evaluate([
      { objective: counting(), params: { x: 4 }, input: new EvaluateContext().toInputState() },
    ])
    expect(outcomes[0]!.ok && outcomes[0]!.value).toBe(4)
  })
})

test('the serial pool has one worker: nothing to compare', async () => {
  const pool = serialPool()
  await expect(checkWorkersAgree(pool, randomData, { x: 0 })).resolves.toBeUndefined()
  await pool.close()
})
