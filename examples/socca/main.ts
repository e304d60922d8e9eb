// socca's conventions: numWorkers or pool (both is an error); under mpirun the MPI pool is chosen with no change to the script.
//
//   npm run example -- socca
//
// socca takes `ncores` or a pool, and uses MPI by itself when started by an MPI launcher. The
// sampler does the same: `numWorkers: 'auto'` gives worker threads here, and the MPI pool when
// this very file runs under `mpirun -np 3` (which this example does next). On the other ranks
// the sampler's pool serves rank 0 and then ends the process, so only rank 0 goes past it.

import { detectMpi, objectiveModule, Random, ValidationError } from '@parafit/core'
import { serialPool } from '@parafit/parallel'
import { EnsembleSampler } from '@parafit/sampler'
import { digest } from '../emcee-parallel/sampling.ts'
import { mpiMissing, mpirunSelf } from '../mpirun-self.ts'

const launch = detectMpi()
const logProb = objectiveModule(new URL('./located.logprob.ts', import.meta.url))
const options = { logProb, nWalkers: 16, nDim: 2, seed: 2 }
const random = Random.fromSeed(1)
const initial = Array.from({ length: 16 }, () => [random.normal(), random.normal()])

if (launch.rank === 0) {
  console.log(
    launch.launcher === null ? 'without mpirun:' : `under ${launch.launcher}, ${launch.size} ranks:`,
  )
  try {
    new EnsembleSampler({ ...options, numWorkers: 2, pool: serialPool() })
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    console.log(`  numWorkers and pool together: ${error.name} (${error.code}): ${error.message}`)
  }
}

const sampler = new EnsembleSampler({ ...options, numWorkers: 'auto' })
await sampler.run(initial, 200)
await sampler.close()

// Only rank 0 gets here under mpirun.
const where = new Set(
  sampler
    .getBlobs()
    .flat()
    .map((blob) => {
      const { pid, threadId, rank } = blob!.meta.ranBy as { pid: number; threadId: number; rank: number }
      return launch.launcher === null ? `thread ${threadId} of pid ${pid}` : `MPI rank ${rank} (pid ${pid})`
    }),
)
const samples = sampler.getChain({ discard: 50, flat: true })
const mean = [0, 1].map((d) => samples.reduce((s, p) => s + p[d]!, 0) / samples.length)
console.log(`  numWorkers: 'auto' evaluated on: ${[...where].sort().join(', ')}`)
console.log(
  `  posterior mean (${mean.map((m) => m.toFixed(2)).join(', ')}), truth (1, -2); chain ${digest(samples)}`,
)

if (launch.launcher === null) {
  const missing = mpiMissing()
  if (missing !== undefined) {
    console.log(`MPI skipped: ${missing}`)
  } else {
    console.log('\nthe same file, unchanged:')
    const output = await mpirunSelf(import.meta.url, 3)
    const mpiDigest = /chain ([0-9a-f]{8})/.exec(output)?.[1]
    console.log(`same chain with and without mpirun: ${mpiDigest === digest(samples) ? 'yes' : 'NO'}`)
  }
}
