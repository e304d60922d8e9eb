// The queue holds a batch's waiting tasks as a span of indices; what it hands out must be what a
// queue of one record per task would: order, chunk boundaries, tasks put back, counts.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { Batch, QueueItem } from '../src/scheduler/batch.ts'
import { TaskQueue } from '../src/scheduler/task-queue.ts'

const batch = (size: number, options: Batch['options'] = {}): Batch =>
  ({
    tasks: new Array(size),
    refIds: new Array(size).fill(1),
    inputs: null,
    outcomes: [],
    attempts: new Uint16Array(size),
    options,
    done: 0,
    queued: size,
    round: { size: 0, fairShare: 0, left: 0 },
    settled: false,
    resolve: () => {},
    reject: () => {},
  }) as Batch

const fill = (queue: TaskQueue, b: Batch) => {
  for (let i = 0; i < b.tasks.length; i++) queue.push(b, i)
}
const indices = (items: readonly QueueItem[]) => items.map((item) => item.index)

describe('TaskQueue', () => {
  test('hands out a batch in order, in chunks of the size asked, and counts what waits', () => {
    const queue = new TaskQueue()
    const a = batch(10)
    fill(queue, a)
    expect(queue.waiting).toBe(10)
    expect(indices(queue.take(queue.next()!, 4))).toEqual([0, 1, 2, 3])
    expect(indices(queue.take(queue.next()!, 4))).toEqual([4, 5, 6, 7])
    expect(a.queued).toBe(2)
    expect(queue.waiting).toBe(2)
    expect(indices(queue.take(queue.next()!, 4))).toEqual([8, 9])
    expect(queue.next()).toBeUndefined()
    expect(queue.waiting).toBe(0)
  })

  test('tasks put back go first; a single one goes alone', () => {
    const queue = new TaskQueue()
    const a = batch(6)
    fill(queue, a)
    const taken = queue.take(queue.next()!, 3)
    queue.putBack([{ batch: a, index: taken[1]!.index, single: true }])
    expect(queue.waiting).toBe(4)
    expect(indices(queue.take(queue.next()!, 5))).toEqual([1])
    expect(indices(queue.take(queue.next()!, 5))).toEqual([3, 4, 5])
  })

  test('batches that can share a chunk share it; others, and a time budget, end it', () => {
    const queue = new TaskQueue()
    const signal = new AbortController().signal
    const [a, b, c] = [batch(2, { signal }), batch(2, { signal }), batch(2, { timeoutMs: 5 })]
    for (const x of [a, b, c]) fill(queue, x)
    const first = queue.take(queue.next()!, 10)
    expect(first.map((item) => [item.batch === a ? 'a' : 'b', item.index])).toEqual([
      ['a', 0],
      ['a', 1],
      ['b', 0],
      ['b', 1],
    ])
    let budget = 1
    expect(indices(queue.take(queue.next()!, 10, () => budget-- > 0))).toEqual([0, 1])
  })

  test('a settled batch is skipped, and no longer counted once skipped', () => {
    const queue = new TaskQueue()
    const [a, b] = [batch(3), batch(2)]
    fill(queue, a)
    fill(queue, b)
    a.settled = true
    expect(queue.next()?.batch).toBe(b)
    expect(queue.waiting).toBe(2)
  })

  test('property: the tasks come out once each, in order, whatever the chunk sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
        (sizes, chunks) => {
          const queue = new TaskQueue()
          const batches = sizes.map((n) => batch(n))
          for (const b of batches) fill(queue, b)
          const out: [number, number][] = []
          for (let c = 0; queue.next() !== undefined; c++) {
            for (const item of queue.take(queue.next()!, chunks[c % chunks.length]!))
              out.push([batches.indexOf(item.batch), item.index])
          }
          expect(out).toEqual(sizes.flatMap((n, b) => Array.from({ length: n }, (_, i) => [b, i])))
          expect(batches.every((b) => b.queued === 0)).toBe(true)
          expect(queue.waiting).toBe(0)
        },
      ),
    )
  })
})
