// socca's conventions: method 'nested' or 'ensemble', numWorkers or pool (both is an error);
// under mpirun the MPI pool is chosen with no change to the script.
//
//   npm run example -- socca [--method nested|ensemble]
//
// socca takes `ncores` or a pool, and uses MPI by itself when started by an MPI launcher. Both
// samplers do the same: `numWorkers: 'auto'` gives worker threads here, and the MPI pool when this
// very file runs under `mpirun -np 3` (which this example does next). With the ensemble sampler
// the other ranks serve rank 0 and then end, so only rank 0 goes past it; the nested sampler
// delivers log Z and the posterior to every rank, as socca does. Only rank 0 prints.

import { detectMpi, objectiveModule, Random, ValidationError } from '@parafit/core'
import { serialPool } from '@parafit/parallel'
import { EnsembleSampler, NestedSampler, Prior, uniform } from '@parafit/sampler'
import { digest } from '../emcee-parallel/sampling.ts'
import { mpiMissing, mpirunSelf } from '../mpirun-self.ts'

const methodAt = process.argv.indexOf('--method')
const method = methodAt < 0 ? 'nested' : process.argv[methodAt + 1]
if (method !== 'nested' && method !== 'ensemble')
  throw new Error(`--method is nested or ensemble, got ${method}`)

const launch = detectMpi()
const logProb = objectiveModule(new URL('./located.logprob.ts', import.meta.url))
const logLikelihood = objectiveModule(new URL('./located.likelihood.ts', import.meta.url))
const ensembleOptions = { logProb, nWalkers: 16, nDim: 2, seed: 2 }
const random = Random.fromSeed(1)
const initial = Array.from({ length: 16 }, () => [random.normal(), random.normal()])

type RanBy = { pid: number; threadId: number; rank: number }
interface Outcome {
  readonly ranBy: RanBy[]
  readonly samples: Float64Array[]
  readonly weights: Float64Array | undefined
  readonly logZ?: string
}

async function ensemble(): Promise<Outcome> {
  const sampler = new EnsembleSampler({ ...ensembleOptions, numWorkers: 'auto' })
  await sampler.run(initial, 200)
  await sampler.close()
  // Only rank 0 gets here under mpirun.
  const ranBy = sampler
    .getBlobs()
    .flat()
    .map((blob) => blob!.meta.ranBy as RanBy)
  return { ranBy, samples: sampler.getChain({ discard: 50, flat: true }), weights: undefined }
}

async function nested(): Promise<Outcome> {
  const prior = new Prior({ x: uniform(-5, 5), y: uniform(-5, 5) })
  const sampler = new NestedSampler({
    prior,
    logLikelihood,
    numWorkers: 'auto',
    nLive: 300,
    nNetworks: 0,
    seed: 2,
  })
  const result = await sampler.run({ nEff: 1000 })
  await sampler.close()
  // Every rank gets here, with the same results, under mpirun.
  const posterior = sampler.posterior()
  const exact = Math.log((2 * Math.PI * 0.5) / 100) // the Gaussian's integral over the prior's area
  return {
    ranBy: posterior.blobs.map((blob) => blob!.meta.ranBy as RanBy),
    samples: posterior.points.map((p) => Float64Array.of(p.x, p.y)),
    weights: Float64Array.from(posterior.logWeights, Math.exp),
    logZ: `${result.logZ.toFixed(3)} ± ${result.logZErr.toFixed(3)} (exact ${exact.toFixed(3)})`,
  }
}

if (launch.rank === 0) {
  console.log(
    launch.launcher === null ? 'without mpirun:' : `under ${launch.launcher}, ${launch.size} ranks:`,
  )
  try {
    new EnsembleSampler({ ...ensembleOptions, numWorkers: 2, pool: serialPool() })
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    console.log(`  numWorkers and pool together: ${error.name} (${error.code}): ${error.message}`)
  }
}

const outcome = method === 'nested' ? await nested() : await ensemble()
const where = new Set(
  outcome.ranBy.map(({ pid, threadId, rank }) =>
    launch.launcher === null ? `thread ${threadId} of pid ${pid}` : `MPI rank ${rank} (pid ${pid})`,
  ),
)
const n = outcome.samples.length
const w = outcome.weights ?? new Float64Array(n).fill(1 / n)
const mean = [0, 1].map((d) => outcome.samples.reduce((s, p, i) => s + w[i]! * p[d]!, 0))
if (launch.rank === 0) {
  console.log(`  method: '${method}', numWorkers: 'auto' evaluated on: ${[...where].sort().join(', ')}`)
  if (outcome.logZ !== undefined) console.log(`  log Z = ${outcome.logZ}`)
  console.log(
    `  posterior mean (${mean.map((m) => m.toFixed(2)).join(', ')}), truth (1, -2); samples ${digest(outcome.samples)}`,
  )
}

if (launch.launcher === null) {
  const missing = mpiMissing()
  if (missing !== undefined) {
    console.log(`MPI skipped: ${missing}`)
  } else {
    console.log('\nthe same file, unchanged:')
    const output = await mpirunSelf(import.meta.url, 3, ['--method', method])
    const mpiDigest = /samples ([0-9a-f]{8})/.exec(output)?.[1]
    console.log(
      `same samples with and without mpirun: ${mpiDigest === digest(outcome.samples) ? 'yes' : 'NO'}`,
    )
  }
}
