// The batches in flight: one per evaluate() call, holding its tasks, their outcomes as they
// arrive and the promise the caller awaits. A batch settles once, when its last task completes
// or when it fails whole (abort, close, a module that cannot load, a broken pool); an outcome
// that arrives after that is dropped.

import type { AbortError } from '@parafit/core'
import { abortError } from '../abort.ts'
import type { EvaluateOptions, LeafOutcome, LeafTask } from '../pool.ts'
import type { TaskInput } from '../protocol.ts'
import type { BalanceRound } from './chunking.ts'

export interface Batch {
  readonly tasks: readonly LeafTask[]
  /** The number of each task's objective (ObjectiveRegistry). */
  readonly refIds: readonly number[]
  /** Each task's context input to send (taskInput), or null when every one is empty (the usual case). */
  inputs: (TaskInput | null)[] | null
  readonly outcomes: (LeafOutcome | undefined)[]
  /** Runs of each task lost with its worker and retried. */
  readonly attempts: Uint16Array
  readonly options: EvaluateOptions
  done: number
  /** Tasks still in the queue (not yet sent to a worker). */
  queued: number
  /** The round of chunks being sent (chunking.ts). */
  readonly round: BalanceRound
  settled: boolean
  resolve(outcomes: LeafOutcome[]): void
  reject(error: Error): void
}

/** One task of a batch, waiting in the queue or held by a worker. */
export interface QueueItem {
  readonly batch: Batch
  readonly index: number
  /** Sent alone: after its chunk was lost, so a failure is pinned on exactly this task. */
  readonly single: boolean
}

/**
 * Whether tasks of `a` and `b` may go in one chunk: their timeout, retries and signal are the
 * same, so the chunk's clock, a retry and an abort treat every task of it alike. A sampler that
 * sends each proposal as a batch of its own still gets chunks of several proposals.
 */
export function canShareChunk(a: Batch, b: Batch): boolean {
  return (
    a === b ||
    (a.options.timeoutMs === b.options.timeoutMs &&
      a.options.retries === b.options.retries &&
      a.options.signal === b.options.signal)
  )
}

export class Batches {
  readonly #open = new Set<Batch>()

  /**
   * A batch of `tasks`, whose objectives are `refIds`, under `options`; `start` queues or sends
   * its tasks, and `onAbort` runs when its signal aborts.
   */
  open(
    tasks: readonly LeafTask[],
    refIds: readonly number[],
    options: EvaluateOptions,
    start: (batch: Batch) => void,
    onAbort: (batch: Batch, error: AbortError) => void,
  ): Promise<LeafOutcome[]> {
    return new Promise<LeafOutcome[]>((resolve, reject) => {
      const batch: Batch = {
        tasks,
        refIds,
        inputs: null,
        outcomes: new Array(tasks.length),
        attempts: new Uint16Array(tasks.length),
        options,
        done: 0,
        queued: tasks.length,
        round: { size: 0, fairShare: 0, left: 0 },
        settled: false,
        resolve,
        reject,
      }
      this.#open.add(batch)
      const signal = options.signal
      if (signal !== undefined) {
        const aborted = () => onAbort(batch, abortError(signal))
        signal.addEventListener('abort', aborted, { once: true })
        const cleanup = () => signal.removeEventListener('abort', aborted)
        batch.resolve = (o) => {
          cleanup()
          resolve(o)
        }
        batch.reject = (e) => {
          cleanup()
          reject(e)
        }
      }
      start(batch)
    })
  }

  /** The outcome of `item`'s task; its batch resolves with its last. */
  complete(item: QueueItem, outcome: LeafOutcome): void {
    const { batch } = item
    if (batch.settled) return
    batch.outcomes[item.index] = outcome
    batch.done++
    batch.options.onProgress?.(batch.done, batch.tasks.length)
    if (batch.done === batch.tasks.length) {
      batch.settled = true
      this.#open.delete(batch)
      batch.resolve(batch.outcomes as LeafOutcome[])
    }
  }

  fail(batch: Batch, error: Error): void {
    if (batch.settled) return
    batch.settled = true
    this.#open.delete(batch)
    batch.reject(error)
  }

  /** Fails every open batch, or with `refId` those that use that objective. */
  failAll(error: Error, refId?: number): void {
    for (const batch of [...this.#open]) {
      if (refId === undefined || batch.refIds.includes(refId)) this.fail(batch, error)
    }
  }

  /** The objectives the open batches use. */
  *refIds(): Iterable<number> {
    for (const batch of this.#open) yield* batch.refIds
  }
}
