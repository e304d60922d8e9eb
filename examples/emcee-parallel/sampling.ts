// What the emcee examples share: the tutorial's ensemble (32 walkers in 5 dimensions, started
// from a seeded standard normal), one timed run on a pool, and a digest of the chain so runs on
// different pools can be compared at a glance.

import { type ObjectiveRef, Random } from '@parafit/core'
import type { Pool } from '@parafit/parallel'
import { EnsembleSampler } from '@parafit/sampler'

export const nWalkers = 32
export const nDim = 5

export const initial = (() => {
  const random = Random.fromSeed(42)
  return Array.from({ length: nWalkers }, () => Array.from({ length: nDim }, () => random.normal()))
})()

export interface Timed {
  readonly seconds: number
  readonly acceptance: number
  /** A hash of every point of the chain: equal digests, equal chains. */
  readonly digest: string
}

export function digest(chain: readonly Float64Array[]): string {
  let h = 2166136261
  for (const point of chain) {
    for (const word of new Uint32Array(point.buffer, point.byteOffset, point.length * 2)) {
      h = Math.imul(h ^ word, 16777619)
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

/** Loads the log-probability in every worker, then times `nSteps` steps on `pool`. */
export async function timedRun(pool: Pool, logProb: ObjectiveRef, nSteps: number): Promise<Timed> {
  await pool.prepare([logProb])
  const sampler = new EnsembleSampler({ logProb, nWalkers, nDim, pool, seed: 7 })
  const start = performance.now()
  await sampler.run(initial, nSteps, { progress: true })
  const seconds = (performance.now() - start) / 1000
  const acceptance = sampler.acceptanceFraction.reduce((s, a) => s + a, 0) / nWalkers
  return { seconds, acceptance, digest: digest(sampler.getChain({ flat: true })) }
}

/** One line per configuration: time, speedup against serial, and whether the chain is serial's. */
export function printTimed(label: string, t: Timed, serial: Timed | undefined): void {
  const speedup = serial === undefined ? '' : `  ${(serial.seconds / t.seconds).toFixed(2)}x serial`
  const same =
    serial === undefined ? '' : `  same chain as serial: ${t.digest === serial.digest ? 'yes' : 'NO'}`
  console.log(
    `${label.padEnd(26)} ${t.seconds.toFixed(2).padStart(6)} s${speedup.padEnd(15)} acceptance ${t.acceptance.toFixed(3)}  chain ${t.digest}${same}`,
  )
}

/** `--steps N` from the command line, or the default. */
export function stepsArgument(fallback: number): number {
  const i = process.argv.indexOf('--steps')
  const steps = i < 0 ? fallback : Number(process.argv[i + 1])
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new Error(`--steps needs a whole number ≥ 1, got ${process.argv[i + 1]}`)
  return steps
}
