// A job of one rank (`mpirun -np 1`, or a script run without a launcher): there is no other
// rank to send work to, so tasks run here, through the serial pool (same cloning of contexts,
// same errors), while the pool still reports itself as MPI.

import {
  type EvaluateOptions,
  type LeafObjective,
  type LeafOutcome,
  type LeafTask,
  type PrepareOptions,
  serialPool,
} from '@parafit/parallel'
import type { LostRank, MpiPool } from './types.ts'

export class SingleRankPool implements MpiPool {
  readonly kind = 'mpi' as const
  readonly size = 1
  readonly rank = 0
  readonly lostRanks: readonly LostRank[] = []
  readonly #inner = serialPool()
  readonly #onClose: () => void

  constructor(onClose: () => void) {
    this.#onClose = onClose
  }

  get closed(): boolean {
    return this.#inner.closed
  }

  prepare(objectives: readonly LeafObjective[], options?: PrepareOptions): Promise<void> {
    return this.#inner.prepare(objectives, options)
  }

  evaluate(tasks: readonly LeafTask[], options?: EvaluateOptions): Promise<LeafOutcome[]> {
    return this.#inner.evaluate(tasks, options)
  }

  async close(): Promise<void> {
    if (this.#inner.closed) return
    await this.#inner.close()
    this.#onClose()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
