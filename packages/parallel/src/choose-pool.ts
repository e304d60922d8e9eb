// choosePool: the pool a Fitter or a script gets from `numWorkers`. 1 is serial, n is n worker
// threads, 'auto' is one per available core; an existing pool is used as it is. Under an MPI
// launcher with more than one rank, the MPI pool (added with @parafit/mpi, issue 4).

import { availableParallelism } from 'node:os'
import { ValidationError } from '@parafit/core'
import { decodeOptions, ThreadPoolOptions } from './options.ts'
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

export async function choosePool(spec: PoolSpec): Promise<Pool> {
  if (isPool(spec)) return spec
  if (spec === 'auto') {
    const cores = availableParallelism()
    return cores === 1 ? serialPool() : threadPool({ numWorkers: cores })
  }
  if (typeof spec !== 'number') {
    throw new ValidationError(
      `numWorkers must be a whole number, 'auto', or a pool; got ${typeof spec}`,
      'numWorkers',
    )
  }
  decodeOptions(ThreadPoolOptions, { numWorkers: spec }, 'numWorkers')
  return spec === 1 ? serialPool() : threadPool({ numWorkers: spec })
}
