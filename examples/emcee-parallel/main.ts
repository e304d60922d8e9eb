// emcee's parallel tutorial: 32 walkers, 5 dimensions, a 5-8 ms log-probability; serial, threads, processes, MPI.
//
//   npm run example -- emcee-parallel [--steps 100]
//
// The tutorial (docs/tutorials/parallel.ipynb) times 100 steps serially, then on a
// multiprocessing Pool, then on an MPI pool. Here the same ensemble runs on the serial pool, on
// worker threads, on worker processes and on MPI ranks (mpirun of this same script), and each
// configuration prints its time, its speedup and a digest of its chain: the same seed gives the
// same chain everywhere.

import { availableParallelism } from 'node:os'
import { objectiveModule } from '@parafit/core'
import { isRankZero, runMpi } from '@parafit/mpi'
import { processPool, serialPool, threadPool } from '@parafit/parallel'
import { mpiMissing, mpirunSelf } from '../mpirun-self.ts'
import { printTimed, stepsArgument, type Timed, timedRun } from './sampling.ts'

const nSteps = stepsArgument(100)
const logProb = objectiveModule(new URL('./spinning-gaussian.logprob.ts', import.meta.url))

if (process.argv.includes('--mpi-part')) {
  // Under mpirun: rank 0 samples, the other ranks evaluate. Prints the result for the parent.
  const t = await runMpi((pool) => timedRun(pool, logProb, nSteps))
  if (isRankZero()) console.log(`MPI_RESULT ${JSON.stringify(t)}`)
} else {
  const workers = availableParallelism()
  console.log(
    `emcee's parallel tutorial: 32 walkers, 5 dimensions, ${nSteps} steps, 5-8 ms per log-probability\n`,
  )
  const configs = [
    ['serial', () => serialPool()],
    [`threads (${workers} workers)`, () => threadPool({ numWorkers: workers })],
    [`processes (${workers} workers)`, () => processPool({ numWorkers: workers })],
  ] as const
  let serial: Timed | undefined
  for (const [label, makePool] of configs) {
    const pool = makePool()
    try {
      const t = await timedRun(pool, logProb, nSteps)
      serial ??= t
      printTimed(label, t, serial)
    } finally {
      await pool.close()
    }
  }
  const missing = mpiMissing()
  if (missing !== undefined) {
    console.log(`MPI skipped: ${missing}`)
  } else {
    const output = await mpirunSelf(import.meta.url, workers + 1, ['--mpi-part', '--steps', String(nSteps)])
    const line = output.split('\n').find((l) => l.startsWith('MPI_RESULT '))
    if (line === undefined) throw new Error('the MPI run printed no result')
    printTimed(`MPI (${workers} worker ranks)`, JSON.parse(line.slice('MPI_RESULT '.length)) as Timed, serial)
  }
  console.log(
    '\nemcee on a 4-core machine, 100 steps (its tutorial): serial 21.5 s, multiprocessing.Pool 6.5 s (3.3x),\n' +
      'schwimmbad MPIPool with 3 workers 8.9 s (2.4x). On 2 cores the ideal is 2x.',
  )
}
