// Chunk sizes follow the measured costs: messaging stays a small share of a worker's time, no
// worker is left without work, and a timeout keeps chunks well inside it.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { type BalanceRound, CostModel } from '../src/scheduler/chunking.ts'

const model = (secondsPerTask: number, secondsPerMessage?: number) => {
  const cost = new CostModel()
  cost.record(1, secondsPerTask * 10, 10)
  if (secondsPerMessage !== undefined) cost.recordMessage(secondsPerMessage)
  return cost
}

describe('CostModel.chunkSize', () => {
  test('one task per chunk until the cost of a task is known', () => {
    expect(new CostModel().chunkSize(1, 1000, 2, undefined)).toBe(1)
  })

  test('cheap tasks go in chunks of about 4 ms', () => {
    expect(model(1e-4).chunkSize(1, 10_000, 2, undefined)).toBe(40)
  })

  test('a costly message makes chunks of expensive tasks larger: 0.3 ms against 6 ms tasks', () => {
    expect(model(0.006).chunkSize(1, 1000, 2, undefined)).toBe(1)
    // 0.2% of the work: 0.3 ms / (0.002 × 6 ms) = 25 tasks per message.
    expect(model(0.006, 0.0003).chunkSize(1, 1000, 2, undefined)).toBe(25)
    // A cheap message (a thread's) leaves them nearly alone: 0.004 ms / (0.002 × 6 ms) rounds up to 1.
    expect(model(0.006, 0.000004).chunkSize(1, 1000, 2, undefined)).toBe(1)
    expect(model(0.006, 0.00002).chunkSize(1, 1000, 2, undefined)).toBe(2)
  })

  test('chunks grown for the message shrink as the queue empties, to one task at the end', () => {
    const cost = model(0.006, 0.0003)
    // At most half a fair share: 16 queued for 2 workers, chunks of 4; the last 4 one by one.
    expect(cost.chunkSize(1, 16, 2, undefined)).toBe(4)
    expect(cost.chunkSize(1, 6, 2, undefined)).toBe(2)
    expect(cost.chunkSize(1, 4, 2, undefined)).toBe(1)
  })

  test('the message cost is a moving average of what the workers show', () => {
    const cost = model(0.006, 0.001)
    for (let i = 0; i < 50; i++) cost.recordMessage(0.0001)
    expect(cost.secondsPerMessage).toBeCloseTo(0.0001, 6)
    // A negative sample (the caller received the earlier result late) counts as zero.
    cost.recordMessage(-0.5)
    expect(cost.secondsPerMessage).toBeGreaterThanOrEqual(0)
  })

  test('an objective forgotten loses its measured cost: its chunks start at one task again', () => {
    const cost = model(1e-4)
    cost.record(2, 1e-3, 10)
    expect(cost.objectives).toBe(2)
    cost.forget([1])
    expect(cost.objectives).toBe(1)
    expect(cost.chunkSize(1, 10_000, 2, undefined)).toBe(1)
    expect(cost.chunkSize(2, 10_000, 2, undefined)).toBe(40)
    cost.clear()
    expect(cost.objectives).toBe(0)
    expect(cost.secondsPerMessage).toBeUndefined()
  })

  test('property: between 1 and a fair share of the queue, and inside a quarter of the timeout', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-7, max: 10, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 0.01, noNaN: true }), { nil: undefined }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.option(fc.integer({ min: 1, max: 600_000 }), { nil: undefined }),
        (perTask, perMessage, queued, workers, timeoutMs) => {
          const size = model(perTask, perMessage).chunkSize(1, queued, workers, timeoutMs)
          expect(Number.isInteger(size)).toBe(true)
          expect(size).toBeGreaterThanOrEqual(1)
          if (size > 1) {
            expect(size).toBeLessThanOrEqual(Math.ceil(queued / workers))
            if (timeoutMs !== undefined)
              expect(size * perTask).toBeLessThanOrEqual(timeoutMs / 1000 / 4 + 1e-12)
          }
        },
      ),
    )
  })

  test('property: a costlier message never makes chunks smaller', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        (perTask, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a]
          expect(model(perTask, high).chunkSize(1, 10_000, 4, undefined)).toBeGreaterThanOrEqual(
            model(perTask, low).chunkSize(1, 10_000, 4, undefined),
          )
        },
      ),
    )
  })
})

describe('CostModel: balance rounds and chunks of several objectives', () => {
  /** 2 ms tasks measured `samples` times, each chunk's mean `spread` away from 2 ms by turns. */
  const measured = (samples: number, spread = 0) => {
    const cost = new CostModel()
    for (let i = 0; i < samples; i++) cost.record(1, 0.002 + (i % 2 === 0 ? spread : -spread), 1)
    cost.recordMessage(0.0003)
    return cost
  }
  const round = (): BalanceRound => ({ size: 0, fairShare: 0, left: 0 })

  test('equal tasks to idle workers: each worker gets its fair share of the batch in one chunk', () => {
    const cost = measured(8)
    const r = round()
    // 16 terms of 2 ms for 2 idle workers: 8 and 8, in one round.
    expect(cost.chunkSize(1, 16, 2, undefined, r, true)).toBe(8)
    expect(cost.chunkSize(1, 8, 2, undefined, r, true)).toBe(8)
  })

  test('busy workers or an unmeasured spread: chunks stay guided (half a fair share)', () => {
    expect(measured(8).chunkSize(1, 16, 2, undefined, round(), false)).toBe(4)
    expect(measured(2).chunkSize(1, 16, 2, undefined, round(), true)).toBe(4)
  })

  test('the wider the spread of task costs, the smaller the chunks, down to guided ones', () => {
    const sizes = [0, 0.0005, 0.001, 0.0019].map((spread) =>
      measured(8, spread).chunkSize(1, 16, 2, undefined, round(), true),
    )
    // Tasks of 2 ms; then 1.5 and 2.5 ms by turns; 1 and 3; 0.1 and 3.9.
    expect(sizes[0]).toBe(8)
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!)
    expect(sizes.at(-1)).toBeLessThan(8)
    expect(sizes.at(-1)).toBeGreaterThanOrEqual(4)
  })

  test('busy workers: each chunk at most half a fair share of what is queued then (guided)', () => {
    const cost = measured(8)
    const r = round()
    const sizes: number[] = []
    let queued = 40
    while (queued > 0) {
      const size = cost.chunkSize(1, queued, 2, undefined, r, false)
      sizes.push(size)
      queued -= size
    }
    // 40 / 4 = 10, 30 / 4 → 8, 22 / 4 → 6, ...; chunks of 4 ms (2 tasks) while 2 tasks are a
    // fair share; the last two one by one.
    expect(sizes).toEqual([10, 8, 6, 4, 3, 3, 2, 2, 1, 1])
  })

  test('a chunk takes tasks of other objectives while they fit the time of its size in the first', () => {
    const cost = new CostModel()
    cost.record(1, 0.002, 1)
    cost.record(2, 0.0021, 1)
    cost.record(3, 0.05, 1)
    const fits = cost.fitter(1, 4)
    // Room for 3 more tasks of 2 ms (with a quarter's slack): two of objective 2, then not a 50 ms one.
    expect(fits(2)).toBe(true)
    expect(fits(2)).toBe(true)
    expect(fits(3)).toBe(false)
    // An objective not yet measured ends the chunk; an unmeasured first takes nothing more.
    expect(cost.fitter(1, 4)(9)).toBe(false)
    expect(cost.fitter(9, 4)(1)).toBe(false)
  })

  test('property: a round never hands out more than what was queued, nor a worker more than a fair share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 0.0019, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 16 }),
        fc.boolean(),
        (samples, spread, total, workers, idle) => {
          const cost = measured(samples, spread)
          const r = round()
          let queued = total
          while (queued > 0) {
            const startsRound = r.left === 0
            const before = queued
            const size = cost.chunkSize(1, queued, workers, undefined, r, idle)
            expect(size).toBeGreaterThanOrEqual(1)
            expect(size).toBeLessThanOrEqual(queued)
            if (startsRound) expect(size).toBeLessThanOrEqual(Math.ceil(before / workers))
            queued -= size
          }
        },
      ),
    )
  })
})
