// What becomes of the tasks a worker held when it died or was stopped. Its running chunk is to
// blame: split into single tasks when it held several (so that a rerun pins the culprit, and
// innocent tasks are not charged a retry); a single task is retried while `retries` allows, then
// fails. Chunks it had not started go back as they were. An MPI pool does not isolate culprits
// (each rerun of one would cost a rank for good): each task of the running chunk is charged.

import { EvaluationTimeoutError, WorkerCrashedError } from '@parafit/core'
import type { WorkerExit } from '../worker-handle.ts'
import type { QueueItem } from './batch.ts'
import type { Chunk, WorkerSlot } from './slot.ts'

export interface Recovery {
  /** A new worker took the dead one's place. */
  readonly replaced: boolean
  readonly isolateCulprits: boolean
  /** Called for each task that fails now, with its error. */
  fail(item: QueueItem, error: Error): void
}

/** The tasks of `chunks`, held by `slot`'s worker when it exited, that go back to the queue, in order. */
export function recoverTasks(
  chunks: readonly Chunk[],
  slot: WorkerSlot,
  exit: WorkerExit,
  { replaced, isolateCulprits, fail }: Recovery,
): QueueItem[] {
  // A worker stopped for a load it overran ran none of its chunks: none is to blame.
  const innocent = slot.overran !== undefined
  const running = innocent ? undefined : chunks[0]
  const waiting = innocent ? chunks : chunks.slice(1)
  const live = running?.items.filter((item) => !item.batch.settled) ?? []
  const requeue: QueueItem[] = []
  if (live.length > 1 && isolateCulprits) {
    for (const item of live) requeue.push({ batch: item.batch, index: item.index, single: true })
  }
  for (const item of live.length === 1 || !isolateCulprits ? live : []) {
    const { batch } = item
    if (batch.attempts[item.index]! < (batch.options.retries ?? 0)) {
      batch.attempts[item.index]!++
      requeue.push({ batch, index: item.index, single: true })
    } else {
      // An MPI rank is not stopped: its handle says what became of it. A worker killed for
      // 'timeout' while it ran a chunk was killed by that chunk's clock, which runs only with its
      // batch's timeoutMs (a load that overran leaves its chunks innocent, above).
      const error =
        slot.killReason === 'timeout'
          ? new EvaluationTimeoutError(batch.options.timeoutMs!, replaced ? undefined : exit.reason)
          : new WorkerCrashedError(slot.handle.label, exit.reason)
      fail(item, error)
    }
  }
  for (const chunk of waiting) requeue.push(...chunk.items.filter((item) => !item.batch.settled))
  return requeue
}
