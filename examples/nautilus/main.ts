// nautilus's parallel example: 3 parameters, a likelihood that sleeps 10 ms, numWorkers: 4.
//
//   npm run example -- nautilus [--steps 30]
//
// nautilus's guide runs its sampler serially and then with `pool=4` (about 330 s and 100 s, 3.3x).
// Here the ensemble sampler does the same with `numWorkers: 4`: four worker threads, each
// blocked in its 10 ms call, so four run at once even on a 2-core machine.

import { objectiveModule, Random } from '@parafit/core'
import { EnsembleSampler } from '@parafit/sampler'
import { stepsArgument } from '../emcee-parallel/sampling.ts'

const nSteps = stepsArgument(30)
const logProb = objectiveModule(new URL('./sleeping-likelihood.logprob.ts', import.meta.url))
const nWalkers = 32
const random = Random.fromSeed(3)
const initial = Array.from({ length: nWalkers }, () =>
  Array.from({ length: 3 }, () => 0.5 + 0.05 * random.normal()),
)

console.log(
  `nautilus's example: 3 parameters, 10 ms sleeping likelihood, ${nWalkers} walkers, ${nSteps} steps\n`,
)
let serialSeconds = 0
for (const numWorkers of [1, 4]) {
  const sampler = new EnsembleSampler({ logProb, nWalkers, nDim: 3, numWorkers, seed: 5 })
  const start = performance.now()
  await sampler.run(initial, nSteps, { progress: true })
  const seconds = (performance.now() - start) / 1000
  if (numWorkers === 1) serialSeconds = seconds
  const samples = sampler.getChain({ discard: Math.floor(nSteps / 3), flat: true })
  const summary = ['a', 'b', 'c'].map((name, d) => {
    const values = samples.map((p) => p[d]!)
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length)
    return `${name} = ${mean.toFixed(3)} ± ${sd.toFixed(3)}`
  })
  console.log(
    `numWorkers: ${numWorkers}  ${seconds.toFixed(2).padStart(6)} s  ${(serialSeconds / seconds).toFixed(2)}x  ${summary.join('  ')}`,
  )
}
console.log(
  '\n(the posterior is a Gaussian at 0.5 with σ = 0.1 in each parameter; nautilus with pool=4: 3.3x)',
)
