// The pool a Fitter or a sampler evaluates on, run by run: the caller's own (never
// closed here), or one chosen from numWorkers. A thread pool is made per run and closed after
// it; an MPI pool is kept for the next run until close(), since its worker ranks, once released,
// have no way back to the script.

import { ValidationError } from '@parafit/core'
import { choosePool } from './choose-pool.ts'
import { checkNumWorkersOrAuto } from './options.ts'
import type { Pool } from './pool.ts'

export interface PoolChoice {
  readonly numWorkers?: number | 'auto'
  readonly pool?: Pool
}

/** Throws unless at most one of numWorkers and pool is given, and numWorkers is valid. */
export function assertPoolChoice(options: PoolChoice): void {
  if (options.pool !== undefined && options.numWorkers !== undefined) {
    throw new ValidationError('give numWorkers or pool, not both', 'numWorkers')
  }
  if (options.numWorkers !== undefined) checkNumWorkersOrAuto(options.numWorkers)
}

/**
 * The pool for each run of a Fitter or a sampler: `acquire()` before a run, `release(pool)` after
 * it, `close()` when the owner is closed.
 */
export class PoolLease {
  readonly #choice: PoolChoice
  #kept: Pool | undefined

  constructor(choice: PoolChoice) {
    assertPoolChoice(choice)
    this.#choice = choice
  }

  async acquire(): Promise<Pool> {
    if (this.#choice.pool !== undefined) return this.#choice.pool
    if (this.#kept !== undefined && !this.#kept.closed) return this.#kept
    const pool = await choosePool(this.#choice.numWorkers ?? 1)
    if (pool.kind === 'mpi') this.#kept = pool
    return pool
  }

  /** Closes a pool made for one run; the caller's pool and a kept MPI pool stay open. */
  async release(pool: Pool): Promise<void> {
    if (pool === this.#choice.pool || pool === this.#kept) return
    await pool.close()
  }

  /** Closes a kept MPI pool, if any. */
  async close(): Promise<void> {
    const pool = this.#kept
    this.#kept = undefined
    await pool?.close()
  }
}
