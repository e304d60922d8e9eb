// A busy worker gets its next chunk before it finishes the one it runs, so that it never waits
// for a message round trip, also when the work comes as many small batches (a sampler that sends
// each proposal as soon as it can be built). Observed on the messages themselves.
import { objectiveModule } from '@parafit/core'
import { afterEach, expect, test } from 'vitest'
import type { LeafTask } from '../src/pool.ts'
import { WorkerPool } from '../src/scheduler/worker-pool.ts'
import { spawnThread } from '../src/thread-handle.ts'
import type { SpawnWorker } from '../src/worker-handle.ts'

const spins = objectiveModule(new URL('./fixtures/spins.objective.ts', import.meta.url), {
  init: { ms: 20 },
})
const task = (x: number): LeafTask => ({
  objective: spins,
  params: { x },
  input: { parameters: { x }, config: {}, shared: {}, meta: {} },
})

let pool: WorkerPool | undefined
afterEach(async () => {
  await pool?.close()
  pool = undefined
})

/** A one-thread pool that logs each chunk sent ('run') and each chunk's results received ('done'). */
function loggedPool(log: string[]): WorkerPool {
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
        if (message.type === 'run') log.push('run')
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
