// Chaos: long runs on a process pool with `retries` while a helper kills random workers with
// SIGKILL. Every method of the Fitter and both samplers must end exactly where the same run
// ends undisturbed, and leave no worker behind. The kill schedule is seeded: the seed is printed,
// and PARAFIT_CHAOS_SEED=<seed> replays it.

import { objectiveModule, Random } from '@parafit/core'
import { type FitResult, Fitter, type Method } from '@parafit/fitter'
import { mapWithContext, processPool } from '@parafit/parallel'
import { EnsembleSampler, NestedSampler, Prior, uniform } from '@parafit/sampler'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ChaosInit, Exponentials } from './fixtures/chaos.objective.ts'
import { killWorkers, poolWorkers } from './worker-killer.ts'

const seed = Number(process.env.PARAFIT_CHAOS_SEED ?? 16)
console.log(`worker-kills: chaos seed ${seed} (PARAFIT_CHAOS_SEED=${seed} replays the kill schedule)`)

const RETRIES = 30
// Workers are killed once they have run this long: a worker that dies while it starts or loads
// its objective, three times running, is taken for a broken setup (the pool stops). 0 kills any.
const MIN_AGE_MS = Number(process.env.PARAFIT_CHAOS_MIN_AGE_MS ?? 800)
const pool = processPool({ numWorkers: 2, retries: RETRIES })
beforeAll(async () => {
  // Started before the runs, so that the first run's workers can be killed from its start.
  await mapWithContext(pool, objectiveWith(0), [initial, initial])
})
afterAll(async () => {
  await pool.close()
  expect(poolWorkers(), 'workers left after close()').toEqual([])
})

const model = new URL('./fixtures/chaos.objective.ts', import.meta.url)
const densities = new URL('./fixtures/chaos.logprob.ts', import.meta.url)
const objectiveWith = (pauseMs: number) => objectiveModule(model, { init: { pauseMs } satisfies ChaosInit })
const initial: Exponentials = { a: 1, ka: 0.5, b: 1, kb: 0.05 }
const bounds = { a: [0, 10], ka: [0, 5], b: [0, 10], kb: [0, 5] } as const

/** Runs `run` while workers are killed every 150–450 ms (5 at most); the kills must have happened. */
async function underFire<T>(name: string, index: number, run: () => Promise<T>): Promise<T> {
  const killer = killWorkers(Random.fromSeed(seed, index), {
    minMs: 150,
    maxMs: 450,
    minAgeMs: MIN_AGE_MS,
    maxKills: 5,
  })
  let kills = 0
  try {
    return await run()
  } finally {
    kills = killer.stop()
    console.log(`worker-kills: ${name}: ${kills} workers killed (seed ${seed})`)
    expect(kills, `${name}: no worker was killed (seed ${seed})`).toBeGreaterThan(0)
  }
}

const comparable = (r: FitResult) => ({
  params: r.params,
  loss: r.loss,
  nEvals: r.nEvals,
  nFailed: r.nFailed,
  steps: r.steps,
  history: r.history,
  stopKind: r.stopKind,
  stopReason: r.stopReason,
})

describe(`workers killed with SIGKILL under long runs (seed ${seed})`, { timeout: 120_000 }, () => {
  // Each run pauses about 1.2 s in all on 2 workers (evaluations × pause / 2): long enough for
  // a few kills whatever the machine's speed.
  test.each([
    ['lm', 400, 28], // converges after 87 evaluations
    ['nelder-mead', 400, 6],
    ['cmaes', 600, 4],
    ['de', 600, 4],
  ] as [Method, number, number][])(
    '%s ends where the undisturbed run ends',
    async (method, budget, pauseMs) => {
      const options = { method, seed: 9, budget }
      const undisturbed = await new Fitter(objectiveWith(0), { initial, bounds }).fit(options)
      const fitter = new Fitter(objectiveWith(pauseMs), { initial, bounds, pool, retries: RETRIES })
      const index = ['lm', 'nelder-mead', 'cmaes', 'de'].indexOf(method)
      const chaotic = await underFire(method, index, () => fitter.fit(options))
      expect(comparable(chaotic), `seed ${seed}`).toEqual(comparable(undisturbed))
    },
  )

  test('the ensemble sampler ends with the undisturbed chain', async () => {
    const logProb = (pauseMs: number) => objectiveModule(densities, { init: { pauseMs } })
    const start = Array.from({ length: 16 }, (_, k) => [0.1 * Math.sin(k), 0.1 * Math.cos(k), 0.05 * k - 0.4])
    const options = { nWalkers: 16, nDim: 3, seed: 4 }
    const undisturbed = new EnsembleSampler({ ...options, logProb: logProb(0) })
    await undisturbed.run(start, 40)
    const sampler = new EnsembleSampler({ ...options, logProb: logProb(4), pool, retries: RETRIES })
    await underFire('ensemble', 4, () => sampler.run(start, 40))
    expect(sampler.getChain(), `seed ${seed}`).toEqual(undisturbed.getChain())
    expect(sampler.getLogProb()).toEqual(undisturbed.getLogProb())
    expect(sampler.acceptanceFraction).toEqual(undisturbed.acceptanceFraction)
  })

  test('the nested sampler (networks trained on the same pool) ends with the undisturbed posterior', async () => {
    const options = {
      prior: new Prior({ x: uniform(-6, 6), y: uniform(-6, 6), z: uniform(-10, 10) }),
      nLive: 150,
      nNetworks: 1,
      seed: 5,
    }
    const logLikelihood = (pauseMs: number) => objectiveModule(densities, { init: { pauseMs } })
    const undisturbed = new NestedSampler({ ...options, logLikelihood: logLikelihood(0) })
    const expected = await undisturbed.run({ nEff: 300 })
    const sampler = new NestedSampler({
      ...options,
      logLikelihood: logLikelihood(1),
      pool,
      retries: RETRIES,
    })
    const summary = await underFire('nested', 5, () => sampler.run({ nEff: 300 }))
    expect({ ...summary, seconds: 0 }, `seed ${seed}`).toEqual({ ...expected, seconds: 0 })
    const posterior = (s: { posterior(): ReturnType<NestedSampler['posterior']> }) => {
      const p = s.posterior()
      return { logW: [...p.logWeights], logL: [...p.logLikelihoods], points: p.unitPoints.map((u) => [...u]) }
    }
    expect(posterior(sampler)).toEqual(posterior(undisturbed))
  })
})
