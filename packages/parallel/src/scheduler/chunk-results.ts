// What comes back with a chunk's results: each task's outcome, and what the chunk cost per
// objective for the cost model. Kept apart from the scheduler: this is the caller's hot path for
// cheap objectives, where every object made per task counts (a batch of 100,000 holds them all
// until it settles).

import { type ContextResultState, deserializeError, type ParamTree } from '@parafit/core'
import type { LeafOutcome } from '../pool.ts'
import { type PackedResults, type ResultsOnTheWire, resultState, type TaskResult } from '../protocol.ts'
import { isEmptyRecord } from '../task-codec.ts'
import type { QueueItem } from './batch.ts'
import type { CostModel } from './chunking.ts'
import type { Chunk } from './slot.ts'

/**
 * The outcome of a task that returned a value and nothing else: one object that is also its
 * own result state, where a plain outcome holds a second record (every object counts here).
 */
class ValueOutcome implements ContextResultState {
  readonly ok = true
  readonly value: number
  readonly parameters: ParamTree
  readonly loss: number
  readonly meta: Record<string, unknown>
  readonly quantities = undefined
  readonly residuals = undefined

  constructor(value: number, parameters: ParamTree, meta: Record<string, unknown>) {
    this.value = value
    this.parameters = parameters
    this.loss = value
    this.meta = meta
  }

  get state(): ContextResultState {
    return this
  }
}

/**
 * Each task's outcome from its chunk's results, given to `complete`. A result that is a value
 * and nothing else (the common case, packed) becomes its outcome directly.
 */
export function completeChunk(
  chunk: Chunk,
  wire: ResultsOnTheWire,
  complete: (item: QueueItem, outcome: LeafOutcome) => void,
): void {
  const packed = Array.isArray(wire) ? undefined : (wire as PackedResults)
  const results = packed === undefined ? (wire as readonly TaskResult[]) : undefined
  const whole = packed?.whole === null || packed === undefined ? undefined : new Map(packed.whole)
  chunk.items.forEach((item, i) => {
    const task = item.batch.tasks[item.index]!
    const result = results === undefined ? whole?.get(i) : results[i]
    if (result === undefined) {
      // Its context's meta came back empty: an empty one it sent is kept, not replaced by a copy.
      const value = packed!.values[i]!
      complete(
        item,
        new ValueOutcome(value, task.params, isEmptyRecord(task.input.meta) ? task.input.meta : {}),
      )
      return
    }
    complete(
      item,
      result.ok
        ? { ok: true, value: result.value, state: resultState(result, task.params) }
        : { ok: false, error: deserializeError(result.error), state: resultState(result, task.params) },
    )
  })
}

/** What a chunk took, per objective: a chunk of several objectives reports each task's time. */
export function recordChunkCost(
  cost: CostModel,
  chunk: Chunk,
  seconds: number,
  taskSeconds: Float64Array | undefined,
): void {
  const { refIds, items } = chunk
  if (typeof refIds === 'number') {
    cost.record(refIds, seconds, items.length)
    return
  }
  if (taskSeconds === undefined) return
  const spent = new Map<number, { seconds: number; tasks: number }>()
  refIds.forEach((refId, i) => {
    const entry = spent.get(refId) ?? { seconds: 0, tasks: 0 }
    entry.seconds += taskSeconds[i] ?? 0
    entry.tasks++
    spent.set(refId, entry)
  })
  for (const [refId, entry] of spent) cost.record(refId, entry.seconds, entry.tasks)
}
