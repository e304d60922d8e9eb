// mpiPool(): the pool of an MPI job. On rank 0 it is a Pool like any other (mapWithContext,
// parallelCombined and the Fitter use it unchanged) whose workers are ranks 1..N-1. On the other
// ranks it serves rank 0 until rank 0 closes the pool; then, by default, the process exits
// (status 0, MPI finalized), so a script written for one machine runs unchanged under mpirun, as
// with schwimmbad's MPIPool.

import { oneOf, optionKeys, ValidationError } from '@parafit/core'
import { functionFingerprint } from './fingerprint.ts'
import { checkMpiOptions } from './options.ts'
import { serveRank } from './serve-rank.ts'
import { openSession } from './session.ts'
import type { MpiOptions, MpiPool } from './types.ts'

export interface MpiPoolOptions extends MpiOptions {
  /**
   * What mpiPool() does on ranks other than 0 once rank 0 has closed the pool: 'exit' the
   * process (default), or 'return' a closed pool so the script can go on.
   */
  readonly workerRanks?: 'exit' | 'return'
}

const MPI_POOL_OPTION_KEYS = optionKeys<MpiPoolOptions>()([
  'timeoutMs',
  'retries',
  'closeTimeoutMs',
  'workerRanks',
])

export async function mpiPool(options: MpiPoolOptions = {}): Promise<MpiPool> {
  checkMpiOptions(options, 'mpiPool() options', MPI_POOL_OPTION_KEYS)
  if (options.workerRanks !== undefined) oneOf(options.workerRanks, 'workerRanks', ['exit', 'return'])
  const session = await openSession(functionFingerprint('mpiPool', undefined), options)
  if (session.pool !== undefined) return session.pool
  await serveRank(session.runtime, session.id)
  session.end()
  if (options.workerRanks !== 'return') process.exit(0)
  return releasedPool(session.runtime.rank)
}

/** What a worker rank holds after serving: a closed pool that says which rank it is. */
function releasedPool(rank: number): MpiPool {
  const closed = () =>
    Promise.reject(
      new ValidationError(
        `this is MPI rank ${rank}; only rank 0's pool evaluates. Evaluate where isRankZero() is true`,
      ),
    )
  return {
    kind: 'mpi',
    size: 0,
    rank,
    lostRanks: [],
    closed: true,
    prepare: closed,
    evaluate: closed,
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  }
}
