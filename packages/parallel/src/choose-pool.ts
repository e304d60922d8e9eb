// choosePool: the pool a Fitter or a script gets from `numWorkers`. 1 is serial, n is n worker
// threads, 'auto' is one per available core; an existing pool is used as it is. Under an MPI
// launcher (mpirun, srun) with more than one rank, anything but 1 gives the MPI pool, as socca
// does: on rank 0 it evaluates on the other ranks, and on the other ranks the call serves rank 0
// and then ends the process, so the same script runs unchanged with or without mpirun.

import { availableParallelism } from 'node:os'
import { detectMpi, MpiUnavailableError } from '@parafit/core'
import { checkNumWorkersOrAuto } from './options.ts'
import type { Pool } from './pool.ts'
import { threadPool } from './pools.ts'
import { serialPool } from './serial-pool.ts'

export type PoolSpec = number | 'auto' | Pool

function isPool(value: unknown): value is Pool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Pool).evaluate === 'function' &&
    typeof (value as Pool).close === 'function'
  )
}

// A variable, so that @parafit/parallel neither depends on @parafit/mpi nor loads it off MPI.
const MPI_PACKAGE = '@parafit/mpi'

async function mpiPoolUnderLauncher(launcher: string, size: number): Promise<Pool> {
  let mpi: { mpiPool(): Promise<Pool> }
  try {
    mpi = (await import(MPI_PACKAGE)) as typeof mpi
  } catch (error) {
    throw new MpiUnavailableError(
      `this process was started by an MPI launcher (${launcher}, ${size} ranks), but @parafit/mpi ` +
        `cannot be loaded (${(error as Error).message}). Install it (npm install @parafit/mpi), ` +
        'or run without mpirun, or pass numWorkers: 1 to run each rank on its own.',
    )
  }
  return mpi.mpiPool()
}

export async function choosePool(spec: PoolSpec): Promise<Pool> {
  if (isPool(spec)) return spec
  const n = checkNumWorkersOrAuto(spec)
  const launch = detectMpi()
  if (launch.launcher !== null && launch.size > 1 && n !== 1) {
    return mpiPoolUnderLauncher(launch.launcher, launch.size)
  }
  if (n === 'auto') {
    const cores = availableParallelism()
    return cores === 1 ? serialPool() : threadPool({ numWorkers: cores })
  }
  return n === 1 ? serialPool() : threadPool({ numWorkers: n })
}
