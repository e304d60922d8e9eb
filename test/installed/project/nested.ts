// A user's nested sampling script: log Z and the posterior of likelihood.ts with one network per
// region (trained on the pool's workers), on the pool named by argv[2] (threads, or mpi under
// mpirun, where every rank prints); prints one JSON line.
import { objectiveModule } from '@parafit/core'
import { NestedSampler, Prior, uniform } from '@parafit/sampler'

const pool = process.argv[2] ?? 'threads'
const sampler = new NestedSampler({
  prior: new Prior({ x: uniform(0, 1), y: uniform(0, 1) }),
  logLikelihood: objectiveModule(new URL('./likelihood.ts', import.meta.url)),
  nLive: 200,
  nNetworks: 1,
  seed: 3,
  numWorkers: pool === 'mpi' ? 'auto' : 2,
})
const result = await sampler.run({ nEff: 500 })
await sampler.close()
const posterior = sampler.posterior()
console.log(
  JSON.stringify({
    pool,
    logZ: result.logZ,
    logZErr: result.logZErr,
    nLike: result.nLike,
    points: posterior.points.length,
  }),
)
