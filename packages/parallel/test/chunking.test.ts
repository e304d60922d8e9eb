// Chunk sizes follow the measured costs: messaging stays a small share of a worker's time, no
// worker is left without work, and a timeout keeps chunks well inside it.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { CostModel } from '../src/scheduler/chunking.ts'

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
    // 0.5% of the work: 0.3 ms / (0.005 × 6 ms) = 10 tasks per message.
    expect(model(0.006, 0.0003).chunkSize(1, 1000, 2, undefined)).toBe(10)
    // A cheap message (a thread's) leaves them alone.
    expect(model(0.006, 0.00002).chunkSize(1, 1000, 2, undefined)).toBe(1)
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
