// The message loop shared by thread, process and MPI workers: define objectives, run chunks,
// report.

import type { FromWorker, PackedResults, ToWorker } from '../protocol.ts'
import { paramCount } from '../task-codec.ts'
import { WorkerEvaluator, withUncloneableStatesReported } from './evaluator.ts'

export interface Serving {
  /** Resolves when every chunk received so far has been run and reported. */
  drained(): Promise<void>
}

export interface ServeOptions {
  readonly evaluator?: WorkerEvaluator
  /**
   * Takes a message that has already arrived, without waiting for the event loop to dispatch it
   * (a worker thread: receiveMessageOnPort). After each chunk the worker takes the next one this
   * way, so a prefetched chunk starts at once instead of one event-loop turn later.
   */
  readonly take?: () => ToWorker | undefined
}

export function serve(
  send: (message: FromWorker) => void,
  onMessage: (handler: (message: ToWorker) => void) => void,
  options: ServeOptions = {},
): Serving {
  const evaluator = options.evaluator ?? new WorkerEvaluator()
  let queue = Promise.resolve()
  const handle = (message: ToWorker) => {
    if (message.type === 'define') {
      void evaluator.define(message.refId, message.ref).then((error) => {
        const { refId } = message
        send(error === undefined ? { type: 'defined', refId } : { type: 'defined', refId, error })
      })
      return
    }
    if (message.type === 'forget') {
      evaluator.forget(message.refIds)
      return
    }
    // Chunks run strictly one after another, in the order they arrived (a pool may send the next
    // chunk before this one is done, so the worker never waits for a message between chunks).
    queue = queue.then(() => runChunk(message))
  }
  onMessage(handle)
  const takeWaiting = () => {
    for (let message = options.take?.(); message !== undefined; message = options.take?.()) handle(message)
  }
  const runChunk = (message: Extract<ToWorker, { type: 'run' }>) => {
    const start = performance.now()
    // A chunk of several objectives reports each task's time: each objective has its own cost.
    const taskSeconds =
      typeof message.refIds === 'number' ? undefined : new Float64Array(paramCount(message.params))
    return evaluator.run(message.refIds, message.params, message.inputs, taskSeconds).then((results) => {
      const seconds = (performance.now() - start) / 1000
      const done = (packed: PackedResults): FromWorker =>
        taskSeconds === undefined
          ? { type: 'done', chunkId: message.chunkId, results: packed, seconds }
          : { type: 'done', chunkId: message.chunkId, results: packed, seconds, taskSeconds }
      try {
        send(done(results))
      } catch {
        // A context held something that cannot be cloned: report it per task, send the rest.
        send(done(withUncloneableStatesReported(results)))
      }
      takeWaiting()
    })
  }
  send({ type: 'ready' })
  return { drained: () => queue }
}
