// How chunks go out, observed on the messages themselves. A busy worker gets its next chunk
// before it finishes the one it runs, so that it never waits for a message round trip, also when
// the work comes as many small batches (a sampler that sends each proposal as soon as it can be
// built); and a batch of many objectives (a combined objective's terms) goes in chunks that mix
// them, not one message per task.
import { type ObjectiveRef, objectiveModule } from '@parafit/core'
import { afterEach, expect, test } from 'vitest'
import type { LeafTask } from '../src/pool.ts'
import type { ChunkObjectives } from '../src/protocol.ts'
import { WorkerPool } from '../src/scheduler/worker-pool.ts'
import { spawnThread } from '../src/thread-handle.ts'
import type { SpawnWorker } from '../src/worker-handle.ts'

const spins = objectiveModule(new URL('./fixtures/spins.objective.ts', import.meta.url), {
  init: { ms: 20 },
})
const task = (x: number, objective = spins): LeafTask => ({
  objective,
  params: { x },
  input: { parameters: { x }, config: {}, shared: {}, meta: {} },
})

let pool: WorkerPool | undefined
afterEach(async () => {
  await pool?.close()
  pool = undefined
})

/** A one-thread pool that logs each chunk sent ('run') and each chunk's results received ('done'). */
function loggedPool(log: string[], chunks: ChunkObjectives[] = []): WorkerPool {
  const spawn: SpawnWorker = (id, events, options) => {
    const handle = spawnThread(
      id,
      {
        ...events,
        message: (m) => {
          if (m.type === 'done') log.push('done')
          events.message(m)
        },
      },
      options,
    )!
    return {
      ...handle,
      send: (message) => {
        if (message.type === 'run') {
          log.push('run')
          chunks.push(message.refIds)
        }
        handle.send(message)
      },
    }
  }
  return new WorkerPool('threads', spawn, { numWorkers: 1 })
}

test('a busy worker holds the next of many one-task batches while it runs one', async () => {
  const log: string[] = []
  pool = loggedPool(log)
  await pool.prepare([spins])
  const values = await Promise.all([0, 1, 2, 3].map((x) => pool!.evaluate([task(x)])))
  expect(values.map(([outcome]) => outcome!.ok && outcome!.value)).toEqual([0, 1, 2, 3])
  // Chunk 2 goes out while chunk 1 runs, chunk 3 while chunk 2 runs; chunk 4, the last one
  // waiting, stays in the queue until the worker is free (another worker might be first).
  expect(log).toEqual(['run', 'run', 'done', 'run', 'done', 'done', 'run', 'done'])
})

test('one task waiting for one busy worker waits in the queue, free for whichever worker is first', async () => {
  const log: string[] = []
  pool = loggedPool(log)
  await pool.prepare([spins])
  await Promise.all([pool.evaluate([task(0)]), pool.evaluate([task(1)])])
  expect(log).toEqual(['run', 'done', 'run', 'done'])
})

test('a batch of several objectives goes in chunks that mix them, each task run by its own', async () => {
  const log: string[] = []
  const chunks: ChunkObjectives[] = []
  pool = loggedPool(log, chunks)
  const terms = [2, 3].map((ms) =>
    objectiveModule(new URL('./fixtures/spins.objective.ts', import.meta.url), { init: { ms } }),
  )
  const batch = () => Array.from({ length: 16 }, (_, i) => task(i, terms[i % 2]))
  // The first batches measure what a task of each objective costs, and what a message costs.
  for (let i = 0; i < 3; i++) await pool.evaluate(batch())
  chunks.length = 0
  const outcomes = await pool.evaluate(batch())
  expect(outcomes.map((o) => o.ok && o.value)).toEqual(Array.from({ length: 16 }, (_, i) => i))
  // Chunks of 4 ms at least: never one message per task, and the chunks hold both objectives.
  expect(chunks.length).toBeLessThan(16)
  expect(chunks.some((refIds) => typeof refIds !== 'number' && new Set(refIds).size === 2)).toBe(true)
  expect(chunks.flatMap((refIds) => (typeof refIds === 'number' ? [refIds] : refIds))).toHaveLength(16)
})

/** A logged pool that has measured what a 1 ms task costs; the chunks sent from then on. */
async function measuredPool(): Promise<{ chunks: ChunkObjectives[]; quick: ObjectiveRef }> {
  const chunks: ChunkObjectives[] = []
  pool = loggedPool([], chunks)
  const quick = objectiveModule(new URL('./fixtures/spins.objective.ts', import.meta.url), {
    init: { ms: 1 },
  })
  // Chunks of 4 ms then hold 4 tasks of 1 ms.
  for (let i = 0; i < 3; i++) await pool.evaluate(Array.from({ length: 8 }, (_, x) => task(x, quick)))
  chunks.length = 0
  return { chunks, quick }
}

test('one-task batches that wait together share chunks, each resolving on its own', async () => {
  const { chunks, quick } = await measuredPool()
  const order: number[] = []
  const outcomes = await Promise.all(
    Array.from({ length: 24 }, (_, x) =>
      pool!.evaluate([task(x, quick)]).then(([outcome]) => {
        order.push(x)
        return outcome!
      }),
    ),
  )
  expect(outcomes.map((o) => o.ok && o.value)).toEqual(Array.from({ length: 24 }, (_, x) => x))
  expect(chunks.length).toBeLessThan(24)
  // Each batch resolved with its own task, in the order the tasks ran.
  expect(order).toEqual(Array.from({ length: 24 }, (_, x) => x))
})

test('batches with different timeouts never share a chunk', async () => {
  const { chunks, quick } = await measuredPool()
  await Promise.all(
    Array.from({ length: 24 }, (_, x) =>
      pool!.evaluate([task(x, quick)], x % 2 === 0 ? { timeoutMs: 60_000 } : { timeoutMs: 50_000 }),
    ),
  )
  // Alternating timeouts: no two neighbours in the queue may share a message.
  expect(chunks).toHaveLength(24)
})
