// @parafit/mpi: evaluate objectives on the ranks of an MPI job (Open MPI or MPICH, started by
// mpirun or srun) through a small native binding. runMpi(main) is the simplest entry point;
// mpiPool() gives the pool itself; mpiCombined() spreads the terms of a combined objective.

export { detectMpi, type MpiLaunch } from '@parafit/core'
export { type MpiInfo, mpiBindingBuilt, type ProgressStats } from './addon.ts'
export { type MpiErrorCode, MpiMismatchError } from './errors.ts'
export { type MpiCombined, mpiCombined } from './mpi-combined.ts'
export { type MpiPoolOptions, mpiPool } from './mpi-pool.ts'
export { isRankZero, logOnRankZero, mpiRank, onRankZero, rankZeroProgress } from './rank-zero.ts'
export { runMpi } from './run-mpi.ts'
export type { LostRank, MpiOptions, MpiPool } from './types.ts'

import { mpiRuntime } from './runtime.ts'

/** MPI's own view of this process: rank, size, library version, host (initializes MPI). */
export function mpiInfo() {
  return mpiRuntime().info
}

/**
 * How this rank receives messages ('thread': the native progress thread; 'poll': the event
 * loop polls, where MPI allows only one thread or PARAFIT_MPI_PROGRESS=poll), and the progress
 * thread's counters: its CPU time, polls, sleeps, wake-ups and delivery latencies.
 */
export function mpiProgress() {
  const runtime = mpiRuntime()
  return { mode: runtime.transport.mode, ...runtime.mpi.progressStats() }
}
