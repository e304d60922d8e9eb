// A user's sampling script: emcee's ensemble sampler on posterior.ts, on the pool named by
// argv[2] (threads, or mpi under mpirun); prints the chain's summary as one JSON line.
import { objectiveModule } from '@parafit/core'
import { EnsembleSampler } from '@parafit/sampler'

const pool = process.argv[2] ?? 'threads'
const sampler = new EnsembleSampler({
  logProb: objectiveModule(new URL('./posterior.ts', import.meta.url)),
  nWalkers: 16,
  nDim: 2,
  seed: 7,
  numWorkers: pool === 'mpi' ? 'auto' : 2,
})
const initial = Array.from({ length: 16 }, (_, i) => [0.1 * Math.cos(i), 0.1 * Math.sin(2 * i + 1)])
await sampler.run(initial, 400)
const chain = sampler.getChain({ discard: 100, flat: true })
const mean = [0, 1].map((d) => chain.reduce((s, p) => s + p[d]!, 0) / chain.length)
console.log(
  JSON.stringify({ pool, samples: chain.length, mean, last: Array.from(sampler.getLogProb().at(-1)!) }),
)
await sampler.close()
