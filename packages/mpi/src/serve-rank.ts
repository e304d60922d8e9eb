// A worker rank serving rank 0: the worker loop of @parafit/parallel over MPI messages. It runs
// until rank 0 releases it, then confirms once everything it was given has been run and
// reported. A module whose file differs from rank 0's fails to define here, with both hashes.

import { type Objective, type ObjectiveRef, serializeError } from '@parafit/core'
import { serve, type ToWorker, WorkerEvaluator } from '@parafit/parallel/internal'
import { MpiMismatchError } from './errors.ts'
import { moduleHash } from './fingerprint.ts'
import type { MpiRuntime } from './runtime.ts'

export function serveRank(
  runtime: MpiRuntime,
  session: number,
  local: ReadonlyMap<string, Objective> = new Map(),
): Promise<void> {
  const { transport } = runtime
  const hold = transport.hold()
  return new Promise<void>((resolve) => {
    let deliver: (message: ToWorker) => void = () => {}
    const send = (message: Parameters<Parameters<typeof serve>[0]>[0]) =>
      transport.send(0, { t: 'pool', session, message })
    const serving = serve(
      send,
      (handler) => {
        deliver = handler
      },
      { evaluator: new WorkerEvaluator((ref: ObjectiveRef) => local.get(ref.module)) },
    )
    let released = false
    transport.open(session, (envelope) => {
      // After the release, what comes (runMpi's result) is for whoever waits next.
      if (released) return false
      if (envelope.t === 'pool' && 'type' in envelope.message) {
        const message = envelope.message as ToWorker
        if (message.type === 'define' && !local.has(message.ref.module)) {
          const expected = (envelope as { moduleHash?: string }).moduleHash
          const mine = moduleHash(message.ref.module)
          if (expected !== undefined && expected !== mine) {
            const error = new MpiMismatchError(
              `rank ${runtime.rank} (${runtime.info.host}) sees a different file for ${message.ref.module} ` +
                `than rank 0 (sha256 ${mine.slice(0, 16)} here, ${expected.slice(0, 16)} on rank 0); ` +
                'every rank must see the same objective files (on a cluster, the same checkout on every node)',
            )
            runtime.say(error.message)
            send({ type: 'defined', refId: message.refId, error: serializeError(error) })
            return true
          }
        }
        deliver(message)
        return true
      }
      if (envelope.t === 'release') {
        released = true
        void serving.drained().then(() => {
          transport.send(0, { t: 'released', session })
          transport.close(session)
          hold()
          resolve()
        })
        return true
      }
      return false
    })
  })
}
