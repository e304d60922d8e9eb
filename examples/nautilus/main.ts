// nautilus's parallel example for real: nested sampling of 3 parameters whose likelihood sleeps
// 10 ms, giving the evidence log Z ± its error and the posterior; serially, with numWorkers: 4,
// and then the same file under `mpirun -np 5` (rank 0 samples, 4 ranks evaluate, and every rank
// gets log Z and the posterior).
//
//   npm run example -- nautilus [--n-eff 2000] [--n-live 1000] [--sleep-ms 10]
//
// nautilus's guide runs this to N_eff = 10,000: about 330 s serially and 100 s with pool=4
// (3.3x). --n-eff 10000 does the same here; the default stops earlier to keep the example short.

import { detectMpi, objectiveModule } from '@parafit/core'
import { NestedSampler, Prior, uniform } from '@parafit/sampler'
import { mpiMissing, mpirunSelf } from '../mpirun-self.ts'

function numberArgument(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  const value = i < 0 ? fallback : Number(process.argv[i + 1])
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`${name} needs a positive number, got ${process.argv[i + 1]}`)
  return value
}

const nEff = numberArgument('--n-eff', 2000)
const nLive = numberArgument('--n-live', 1000)
const sleepMs = numberArgument('--sleep-ms', 10)
// ln ∫ exp(-χ²/2) over the cube: per axis σ√(2π) × erf(0.5 / (σ√2)) with σ = 0.1.
const exactLogZ = 3 * Math.log(0.1 * Math.sqrt(2 * Math.PI) * 0.9999994266968562)
const launch = detectMpi()
const prior = new Prior({ a: uniform(0, 1), b: uniform(0, 1), c: uniform(0, 1) })
const logLikelihood = objectiveModule(new URL('./sleeping-likelihood.ts', import.meta.url), {
  init: { sleepMs },
})

async function sample(numWorkers: number | 'auto') {
  const sampler = new NestedSampler({ prior, logLikelihood, numWorkers, nLive, seed: 4 })
  const result = await sampler.run({ nEff, progress: launch.rank === 0 && process.stderr.isTTY })
  await sampler.close()
  const posterior = sampler.posterior()
  const w = Float64Array.from(posterior.logWeights, Math.exp)
  const summary = (['a', 'b', 'c'] as const).map((name) => {
    let mean = 0
    for (let i = 0; i < w.length; i++) mean += w[i]! * posterior.points[i]![name]
    let variance = 0
    for (let i = 0; i < w.length; i++) variance += w[i]! * (posterior.points[i]![name] - mean) ** 2
    return `${name} = ${mean.toFixed(3)} ± ${Math.sqrt(variance).toFixed(3)}`
  })
  return { result, summary: summary.join('  ') }
}

const line = (r: Awaited<ReturnType<typeof sample>>) =>
  `log Z = ${r.result.logZ.toFixed(3)} ± ${r.result.logZErr.toFixed(3)}  calls ${r.result.nLike}  ${r.summary}`

if (launch.launcher !== null) {
  // Under mpirun every rank runs this and gets the same results.
  const r = await sample('auto')
  console.log(`rank ${launch.rank}: ${line(r)}  (${r.result.seconds.toFixed(1)} s)`)
} else {
  console.log(
    `nautilus's example: 3 parameters, a ${sleepMs} ms likelihood, N_eff ${nEff}; exact log Z = ${exactLogZ.toFixed(3)}\n`,
  )
  const serial = await sample(1)
  console.log(`numWorkers: 1  ${serial.result.seconds.toFixed(1).padStart(6)} s  1.00x  ${line(serial)}`)
  const four = await sample(4)
  console.log(
    `numWorkers: 4  ${four.result.seconds.toFixed(1).padStart(6)} s  ${(serial.result.seconds / four.result.seconds).toFixed(2)}x  ${line(four)}`,
  )
  console.log(`same run with 4 workers: ${line(four) === line(serial) ? 'yes' : 'NO'}`)
  const missing = mpiMissing()
  if (missing !== undefined) {
    console.log(`MPI skipped: ${missing}`)
  } else {
    console.log('\nthe same file under mpirun, 4 worker ranks:')
    const output = await mpirunSelf(import.meta.url, 5, process.argv.slice(2))
    const ranks = output.split('\n').filter((l) => l.startsWith('rank '))
    const same = ranks.length === 5 && ranks.every((l) => l.includes(line(serial)))
    console.log(`every rank has the serial run's log Z and posterior: ${same ? 'yes' : 'NO'}`)
  }
}
