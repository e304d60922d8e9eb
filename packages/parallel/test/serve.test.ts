// The worker loop takes a chunk that has already arrived (a worker thread's receiveMessageOnPort)
// as soon as the previous one is reported, instead of one event-loop turn later; what it takes
// that way is handled exactly as if the message event had delivered it.
import { objectiveModule } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import type { FromWorker, ToWorker } from '../src/protocol.ts'
import { serve } from '../src/worker/serve.ts'
import { unpackResults } from './wire.ts'

const squares = objectiveModule(new URL('./fixtures/faulty.objective.ts', import.meta.url), {
  init: { fault: 'throw', at: -1 },
})
const spins = objectiveModule(new URL('./fixtures/spins.objective.ts', import.meta.url), { init: { ms: 5 } })

/** A worker loop fed by `deliver`; what it sends is in `sent`. */
function served(): {
  sent: FromWorker[]
  deliver: (message: ToWorker) => void
  until: (n: number) => Promise<void>
} {
  const sent: FromWorker[] = []
  let deliver: (message: ToWorker) => void = () => {}
  const serving = serve(
    (message) => sent.push(message),
    (handler) => {
      deliver = handler
    },
  )
  const until = async (n: number) => {
    for (
      const end = Date.now() + 5000;
      sent.filter((m) => m.type === 'done').length < n && Date.now() < end;
    ) {
      await serving.drained()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  return { sent, deliver: (message) => deliver(message), until }
}

describe('serve', () => {
  test('chunks waiting to be taken run after the current one, in order, and are reported once each', async () => {
    const sent: FromWorker[] = []
    let deliver: (message: ToWorker) => void = () => {}
    const waiting: ToWorker[] = [
      { type: 'run', chunkId: 2, refIds: 1, params: [{ x: 3 }], inputs: null },
      {
        type: 'run',
        chunkId: 3,
        refIds: 1,
        params: { keys: ['x'], values: new Float64Array([4, 5]) },
        inputs: null,
      },
    ]
    const taken: number[] = []
    const serving = serve(
      (message) => sent.push(message),
      (handler) => {
        deliver = handler
      },
      {
        take: () => {
          const message = waiting.shift()
          if (message?.type === 'run') taken.push(message.chunkId)
          return message
        },
      },
    )
    deliver({ type: 'define', refId: 1, ref: squares })
    deliver({ type: 'run', chunkId: 1, refIds: 1, params: [{ x: 2 }], inputs: null })
    // drained() covers what was queued when it was called; the taken chunks queue behind it.
    const reported = () => sent.filter((m) => m.type === 'done').length
    for (const until = Date.now() + 5000; reported() < 3 && Date.now() < until; ) {
      await serving.drained()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const done = sent.filter((m) => m.type === 'done')
    expect(done.map((m) => m.chunkId)).toEqual([1, 2, 3])
    expect(done.map((m) => unpackResults(m.results).map((r) => (r.ok ? r.value : r.error.message)))).toEqual([
      [4],
      [9],
      [16, 25],
    ])
    expect(taken).toEqual([2, 3])
  })

  test('a chunk of several objectives runs each task with its own, and reports each task its time', async () => {
    const { sent, deliver, until } = served()
    deliver({ type: 'define', refId: 1, ref: squares })
    deliver({ type: 'define', refId: 2, ref: spins })
    deliver({
      type: 'run',
      chunkId: 1,
      refIds: [1, 2, 1],
      params: [{ x: 2 }, { x: 3 }, { x: 4 }],
      inputs: null,
    })
    deliver({ type: 'run', chunkId: 2, refIds: 2, params: [{ x: 5 }], inputs: null })
    await until(2)
    const [mixed, single] = sent.filter((m) => m.type === 'done')
    expect(unpackResults(mixed!.results).map((r) => r.ok && r.value)).toEqual([4, 3, 16])
    const seconds = mixed!.taskSeconds!
    expect(seconds).toHaveLength(3)
    // The spinning objective's task took its 5 ms; the squares took far less.
    expect(seconds[1]).toBeGreaterThanOrEqual(0.005)
    expect(seconds[0]!).toBeLessThan(seconds[1]!)
    expect(mixed!.seconds).toBeGreaterThanOrEqual(seconds[0]! + seconds[1]! + seconds[2]!)
    // A chunk of one objective reports its total only.
    expect(single!.taskSeconds).toBeUndefined()
  })
})
