// The message loop shared by thread, process and MPI workers: define objectives, run chunks,
// report.

import type { FromWorker, ToWorker } from '../protocol.ts'
import { packResults, unpackParams } from '../task-codec.ts'
import { WorkerEvaluator, withUncloneableStatesReported } from './evaluator.ts'

export interface Serving {
  /** Resolves when every chunk received so far has been run and reported. */
  drained(): Promise<void>
}

export function serve(
  send: (message: FromWorker) => void,
  onMessage: (handler: (message: ToWorker) => void) => void,
  evaluator: WorkerEvaluator = new WorkerEvaluator(),
): Serving {
  let queue = Promise.resolve()
  onMessage((message) => {
    if (message.type === 'define') {
      void evaluator
        .define(message.refId, message.ref)
        .then((error) => send({ type: 'defined', refId: message.refId, error }))
      return
    }
    // Chunks run strictly one after another, in the order they arrived (a pool may send the next
    // chunk before this one is done, so the worker never waits for a message between chunks).
    queue = queue.then(() => runChunk(message))
  })
  const runChunk = (message: Extract<ToWorker, { type: 'run' }>) => {
    const start = performance.now()
    return evaluator.run(message.refId, unpackParams(message.params), message.inputs).then((results) => {
      const seconds = (performance.now() - start) / 1000
      try {
        send({ type: 'done', chunkId: message.chunkId, results: packResults(results), seconds })
      } catch {
        // A context held something that cannot be cloned: report it per task, send the rest.
        send({
          type: 'done',
          chunkId: message.chunkId,
          results: packResults(withUncloneableStatesReported(results)),
          seconds,
        })
      }
    })
  }
  send({ type: 'ready' })
  return { drained: () => queue }
}
