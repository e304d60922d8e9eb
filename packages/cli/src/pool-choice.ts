// Which pool a command evaluates on: the MPI ranks under mpirun or srun, else worker threads
// (one included, so that Ctrl-C and --timeout work whatever the model does).

import { availableParallelism } from 'node:os'
import { detectMpi } from '@parafit/core'
import { type Pool, threadPool } from '@parafit/parallel'

/** The launch when the command will evaluate on MPI ranks (-w 1 keeps each rank on its own). */
function mpiLaunch(workers: number | 'auto') {
  const launch = detectMpi()
  return launch.launcher !== null && launch.size > 1 && workers !== 1 ? launch : undefined
}

export function describePool(workers: number | 'auto'): string {
  const launch = mpiLaunch(workers)
  if (launch !== undefined) return `MPI, ${launch.size - 1} worker ranks (${launch.launcher})`
  const n = workers === 'auto' ? availableParallelism() : workers
  return n === 1 ? '1 worker thread' : `${n} worker threads`
}

/**
 * Off MPI the command always evaluates on worker threads, one included: an objective that
 * never yields then still leaves this thread free for Ctrl-C and --timeout, which the calling
 * thread (the library's numWorkers: 1) cannot honour while the objective holds it.
 */
export function commandPool(workers: number | 'auto', timeoutMs: number | undefined): Pool | undefined {
  if (mpiLaunch(workers) !== undefined) return undefined
  const numWorkers = workers === 'auto' ? availableParallelism() : workers
  return threadPool({ numWorkers, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
}
