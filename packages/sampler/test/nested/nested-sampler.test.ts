// The nested sampler's contract: the same seed gives the same run on every pool, a stopped run
// resumes to exactly the uninterrupted result, faults end in errors that name the point, bad
// options are refused at construction, and results come back with their blobs.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { objectiveModule, ValidationError } from '@parafit/core'
import { type Pool, processPool, serialPool, threadPool } from '@parafit/parallel'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  NestedCheckpointError,
  NestedSampler,
  NestedSamplerError,
  type NestedSamplerOptions,
  Prior,
  uniform,
} from '../../src/index.ts'
import { gaussian } from './problems.ts'

const fixture = new URL('../fixtures/gaussian.likelihood.ts', import.meta.url)
const prior3 = new Prior({ x0: uniform(0, 1), x1: uniform(0, 1), x2: uniform(0, 1) })
// Small settings keep each run to a few thousand calls.
const small = { nLive: 200, nNetworks: 0, seed: 7 } as const
const runTo = { nEff: 1500 } as const

let folder: string
let threads2: Pool
let processes2: Pool

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'parafit-nested-'))
  threads2 = threadPool({ numWorkers: 2 })
  processes2 = processPool({ numWorkers: 2 })
})

afterAll(async () => {
  await threads2.close()
  await processes2.close()
  await rm(folder, { recursive: true, force: true })
})

function sampler(options: Partial<NestedSamplerOptions> = {}): NestedSampler {
  return new NestedSampler({
    prior: prior3,
    logLikelihood: objectiveModule(fixture, { init: {} }),
    ...small,
    ...options,
  } as NestedSamplerOptions)
}

function fingerprint(s: NestedSampler) {
  const p = s.posterior()
  return { logW: [...p.logWeights], logL: [...p.logLikelihoods], points: p.unitPoints.map((u) => [...u]) }
}

describe('NestedSampler', () => {
  it('gives the same run, bit for bit, on this thread, worker threads, processes and a likelihood/sampler pair', {
    timeout: 120_000,
  }, async () => {
    // One network per region, so the networks are trained on each pool too.
    const runs = []
    for (const pool of [serialPool(), threads2, processes2, { likelihood: threads2, sampler: processes2 }]) {
      const s = sampler({ pool, nNetworks: 1 })
      const summary = await s.run(runTo)
      runs.push({ summary: { ...summary, seconds: 0 }, posterior: fingerprint(s) })
    }
    expect(runs[0]!.summary.stop.kind).toBe('converged')
    expect(runs[0]!.summary.stop.reason).toBe(
      `converged: N_eff ${Math.floor(runs[0]!.summary.nEff)} (target ${runTo.nEff}); exploration ended ` +
        'with ≤ 0.01 of the evidence in the live points',
    )
    for (const run of runs.slice(1)) expect(run).toEqual(runs[0])
  })

  it('runs a likelihood function in this thread, and hands back what it wrote into its context per point', async () => {
    const problem = gaussian(3)
    const s = new NestedSampler({
      prior: problem.prior,
      logLikelihood: (params, ctx) => {
        ctx.quantities = { sum: (params.x0 as number) + (params.x1 as number) }
        return problem.logLikelihood(params as Record<string, number>)
      },
      ...small,
    })
    const summary = await s.run(runTo)
    expect(summary.nEff).toBeGreaterThanOrEqual(1500)
    const p = s.posterior()
    expect(p.points.length).toBe(p.blobs.length)
    for (let i = 0; i < 20; i++) {
      expect(p.blobs[i]!.quantities!.sum).toBe((p.points[i]!.x0 as number) + (p.points[i]!.x1 as number))
    }
  })

  it('a vectorized likelihood gives the same run as one call per point', async () => {
    const one = sampler()
    await one.run(runTo)
    const chunked = sampler({
      logLikelihood: objectiveModule(fixture, { export: 'vectorized', init: {} }),
      vectorized: true,
      pool: threads2,
    })
    await chunked.run(runTo)
    expect(fingerprint(chunked)).toEqual(fingerprint(one))
  })

  it('a second run with a larger nEff continues the first', async () => {
    const s = sampler()
    const first = await s.run({ nEff: 800 })
    const more = Math.ceil(first.nEff * 1.5)
    const second = await s.run({ nEff: more })
    expect(second.stop.kind).toBe('converged')
    expect(second.nLike).toBeGreaterThan(first.nLike)
    expect(second.nEff).toBeGreaterThanOrEqual(more)
    expect(Math.abs(second.logZ - gaussian(3).logZ)).toBeLessThan(4 * second.logZErr)
  })

  it.each(['resume.ckpt', 'resume.h5'])(
    'stops at nLikeMax and resumes from the checkpoint (%s) to exactly the uninterrupted result',
    async (name) => {
      const longer = { nEff: 3000 }
      const whole = sampler()
      await whole.run(longer)
      const path = join(folder, name)
      const stopped = sampler({ checkpoint: { path } })
      const partial = await stopped.run({ ...longer, nLikeMax: 1500 })
      expect(partial.stop).toEqual({
        kind: 'budget',
        reason: 'stopped: the budget of 1500 likelihood calls (nLikeMax, over all runs) is used up',
      })
      expect(partial.nLike).toBeLessThanOrEqual(1500)
      // Restarted jobs pick the file up: once to a stop in the sampling phase (after empty shells
      // were dropped at the end of exploration), then to the end.
      let phase = ''
      const again = sampler({ checkpoint: { path } })
      const second = await again.run({ ...longer, nLikeMax: 4500, onProgress: (p) => (phase = p.phase) })
      expect(second.stop.kind).toBe('budget')
      expect(phase).toBe('sampling')
      const resumed = sampler({ checkpoint: { path } })
      const done = await resumed.run(longer)
      expect(resumed.resumed).toBe(true)
      expect(done.stop.kind).toBe('converged')
      expect(fingerprint(resumed)).toEqual(fingerprint(whole))
    },
  )

  it('an abort mid-batch resolves with everything so far, and the run resumes to the same result', async () => {
    const whole = sampler({ pool: threads2 })
    await whole.run(runTo)
    const controller = new AbortController()
    const s = sampler({ pool: threads2 })
    const summary = await s.run({
      ...runTo,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.nLike >= 1000) controller.abort()
      },
    })
    expect(summary.stop).toEqual({ kind: 'aborted', reason: 'aborted by the signal' })
    expect(summary.nLike).toBeGreaterThanOrEqual(1000)
    await s.run(runTo)
    expect(fingerprint(s)).toEqual(fingerprint(whole))
  })

  it("timeoutMs ends the call with stop.kind 'timeout', and the next call goes on", async () => {
    const s = sampler()
    const summary = await s.run({ ...runTo, timeoutMs: 1 })
    expect(summary.stop).toEqual({
      kind: 'timeout',
      reason: "stopped: this run's time limit of 1 ms (timeoutMs) is reached",
    })
    expect((await s.run(runTo)).stop.kind).toBe('converged')
  })

  it('refuses a checkpoint written for another problem, naming what differs', async () => {
    const path = join(folder, 'other.ckpt')
    await sampler({ checkpoint: { path } }).run({ nEff: 200, nLikeMax: 400 })
    const other = new NestedSampler({
      prior: new Prior({ x0: uniform(0, 2), x1: uniform(0, 1), x2: uniform(0, 1) }),
      logLikelihood: objectiveModule(fixture, { init: {} }),
      ...small,
      checkpoint: { path },
    })
    const error = await other.run(runTo).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NestedCheckpointError)
    expect((error as Error).message).toMatch(/the prior/)
    const garbage = join(folder, 'garbage.ckpt')
    await writeFile(garbage, 'not a checkpoint')
    const bad = await sampler({ checkpoint: { path: garbage } })
      .run(runTo)
      .catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(NestedCheckpointError)
  })

  it('a likelihood that throws fails the run with an error naming the point', async () => {
    const s = sampler({
      logLikelihood: objectiveModule(fixture, { init: { throwAbove: 0.9 } }),
      pool: threads2,
    })
    const error = await s.run(runTo).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NestedSamplerError)
    expect((error as Error).message).toMatch(/"x0":0\.9\d*/)
    expect((error as Error).message).toMatch(/no model above x0 = 0.9/)
    expect((error as NestedSamplerError).params!.x0).toBeGreaterThan(0.9)
  })

  it('NaN fails the run by default, and counts as -Infinity with onBadValue: reject', async () => {
    const nan = { logLikelihood: objectiveModule(fixture, { init: { nanAbove: 0.95 } }) }
    const error = await sampler(nan)
      .run(runTo)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NestedSamplerError)
    expect((error as Error).message).toMatch(/NaN at \{"x0":0\.9/)
    const tolerant = sampler({ ...nan, onBadValue: 'reject' })
    const summary = await tolerant.run(runTo)
    expect(summary.stop.kind).toBe('converged')
    // The Gaussian has almost no mass above 0.95, so log Z hardly moves.
    expect(Math.abs(summary.logZ - gaussian(3).logZ)).toBeLessThan(6 * summary.logZErr + 0.01)
  })

  it('a likelihood that is -Infinity everywhere ends in an error, not an endless exploration', async () => {
    const s = new NestedSampler({ prior: prior3, logLikelihood: () => Number.NEGATIVE_INFINITY, ...small })
    const error = await s.run(runTo).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NestedSamplerError)
    expect((error as Error).message).toMatch(/-Infinity at all \d+ points drawn from the prior/)
  })

  it('a worker that dies is replaced and its points retried (one retry by default)', async () => {
    const marker = join(folder, 'exited')
    const s = sampler({
      logLikelihood: objectiveModule(fixture, { init: { exitAbove: 0.8, exitMarker: marker } }),
      pool: processes2,
    })
    const summary = await s.run(runTo)
    expect(summary.stop.kind).toBe('converged')
    const reference = sampler()
    await reference.run(runTo)
    expect(fingerprint(s)).toEqual(fingerprint(reference))
  })

  it('refuses bad options at construction, naming the option', () => {
    const make = (o: Record<string, unknown>) => () => sampler(o as Partial<NestedSamplerOptions>)
    expect(make({ nLive: 40 })).toThrow(/nLive must exceed nPointsMin \(53/)
    expect(make({ nBatch: 0 })).toThrow(/nBatch must be a whole number ≥ 1/)
    expect(make({ nNetworks: -1 })).toThrow(/nNetworks/)
    expect(make({ nlive: 500 })).toThrow(/nlive.*nLive/s)
    expect(make({ onBadValue: 'skip' })).toThrow(/onBadValue/)
    expect(make({ numWorkers: 2, pool: serialPool() })).toThrow(/numWorkers or pool/)
    expect(make({ prior: { x: 1 } })).toThrow(ValidationError)
    expect(() => new Prior({ a: 1 })).toThrow(/no free parameters/)
  })

  it('discardExploration leaves the exploration phase out of log Z and the posterior', async () => {
    const all = sampler()
    const kept = await all.run({ nEff: 2500 })
    const discarding = sampler()
    const unbiased = await discarding.run({ nEff: 2500, discardExploration: true })
    expect(unbiased.stop.kind).toBe('converged')
    // Fewer points count, so reaching the same N_eff takes more calls.
    expect(unbiased.nLike).toBeGreaterThan(kept.nLike)
    expect(discarding.posterior().points.length).toBeLessThan(unbiased.nLike)
    expect(Math.abs(unbiased.logZ - gaussian(3).logZ)).toBeLessThan(4 * unbiased.logZErr)
  })

  it('maxTrainingPoints caps what each network trains on: another run, still right, and part of the checkpoint', {
    timeout: 60_000,
  }, async () => {
    const path = join(folder, 'capped.ckpt')
    const capped = sampler({ nNetworks: 1, maxTrainingPoints: 100, checkpoint: { path } })
    const summary = await capped.run(runTo)
    expect(summary.stop.kind).toBe('converged')
    expect(Math.abs(summary.logZ - gaussian(3).logZ)).toBeLessThan(4 * summary.logZErr)
    const whole = sampler({ nNetworks: 1 })
    await whole.run(runTo)
    expect(fingerprint(capped)).not.toEqual(fingerprint(whole))
    const other = sampler({ nNetworks: 1, maxTrainingPoints: 200, checkpoint: { path } })
    await expect(other.run(runTo)).rejects.toThrow(/maxTrainingPoints \(100 in the file, 200 now\)/)
    expect(() => sampler({ maxTrainingPoints: 5 })).toThrow(/maxTrainingPoints must be a whole number ≥ 10/)
  })

  it('posterior({ equalWeight }) draws each point at most once, in proportion to its weight', async () => {
    const s = sampler()
    await s.run(runTo)
    const weighted = s.posterior()
    const equal = s.posterior({ equalWeight: true })
    expect(equal.points.length).toBeGreaterThan(100)
    expect(equal.points.length).toBeLessThan(weighted.points.length)
    const w = [...equal.logWeights]
    expect(new Set(w).size).toBe(1)
    const key = (u: Float64Array) => u.join(',')
    expect(new Set(equal.unitPoints.map(key)).size).toBe(equal.unitPoints.length)
    // Expected size: Σ w / max w.
    const max = Math.max(...weighted.logWeights)
    const expected = [...weighted.logWeights].reduce((sum, lw) => sum + Math.exp(lw - max), 0)
    expect(Math.abs(equal.points.length - expected)).toBeLessThan(5 * Math.sqrt(expected))
  })
})
