// emcee's tutorial with an 8 MB data array read by the log-probability: shipped to each worker once, so the speedup stays.
//
//   npm run example -- large-data [--steps 30]
//
// emcee's tutorial passes `data = randn(5000, 200)` with `args=(data,)`, which pickles it with
// every call: 66 s against 21.5 s serially (0.3x). Here the data goes in the module reference's
// `init`, which each worker receives once and passes to the factory; after that only the five
// parameters of each point cross.

import { availableParallelism } from 'node:os'
import { objectiveModule, Random } from '@parafit/core'
import { type Pool, processPool, serialPool, threadPool } from '@parafit/parallel'
import { printTimed, stepsArgument, type Timed, timedRun } from '../emcee-parallel/sampling.ts'
import type { EmceeInit } from '../emcee-parallel/spinning-gaussian.logprob.ts'

const nSteps = stepsArgument(30)
const random = Random.fromSeed(9)
const data = new Float64Array(5000 * 200).map(() => random.normal())
const module = new URL('../emcee-parallel/spinning-gaussian.logprob.ts', import.meta.url)
const workers = availableParallelism()

console.log(
  `32 walkers, 5 dimensions, ${nSteps} steps, 5-8 ms per call; data ${(data.byteLength / 1e6).toFixed(1)} MB read by every call\n`,
)
let serial: Timed | undefined
const backends: [string, () => Pool][] = [
  ['serial', () => serialPool()],
  [`threads (${workers})`, () => threadPool({ numWorkers: workers })],
  [`processes (${workers})`, () => processPool({ numWorkers: workers })],
]
for (const [name, makePool] of backends) {
  for (const init of [{}, { data }] as EmceeInit[]) {
    const pool = makePool()
    try {
      const t = await timedRun(pool, objectiveModule(module, { init }), nSteps)
      serial ??= t
      printTimed(`${name}, ${init.data === undefined ? 'no data' : 'with data'}`, t, serial)
    } finally {
      await pool.close()
    }
  }
}
console.log('\nemcee (its tutorial, 4 cores): data passed with every call 0.3x serial; as a global, 3.1x.')
