// EnsembleSampler: its contract (validation, chain access, continuation, abort), the same chain
// on every pool, vectorised calls spread over the pool, contexts coming back, and real faults.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import {
  EvaluationTimeoutError,
  objectiveModule,
  Random,
  ValidationError,
  WorkerCrashedError,
} from '@parafit/core'
import { type Pool, processPool, serialPool, threadPool } from '@parafit/parallel'
import { afterAll, beforeAll, describe, expect, vi } from 'vitest'
import { StepSchedule } from '../../src/ensemble/step-schedule.ts'
import {
  deMove,
  EnsembleSampler,
  integratedTime,
  type LogProbFn,
  SampleError,
  stretchMove,
} from '../../src/index.ts'
import type { GaussianInit } from '../fixtures/gaussian.logprob.ts'

const fixture = new URL('../fixtures/gaussian.logprob.ts', import.meta.url)
const gaussian = (init: GaussianInit = {}) => objectiveModule(fixture, { init })
const lossFixture = new URL('../fixtures/loss.objective.ts', import.meta.url)

const standardNormal: LogProbFn = (x) => {
  let r2 = 0
  for (const v of x) r2 += v * v
  return -0.5 * r2
}

/** A small seeded Gaussian ball around `center`. */
function ball(nWalkers: number, nDim: number, seed: number, center = 0, width = 0.1): number[][] {
  const random = Random.fromSeed(seed)
  return Array.from({ length: nWalkers }, () =>
    Array.from({ length: nDim }, () => center + width * random.normal()),
  )
}

const plain = (chain: Float64Array[][]) => chain.map((step) => step.map((p) => [...p]))

let threads2: Pool
let threads3: Pool
let processes2: Pool
beforeAll(() => {
  threads2 = threadPool({ numWorkers: 2 })
  threads3 = threadPool({ numWorkers: 3 })
  processes2 = processPool({ numWorkers: 2 })
})
afterAll(async () => {
  await Promise.all([threads2.close(), threads3.close(), processes2.close()])
})

describe('validation', () => {
  const ok = { logProb: standardNormal, nWalkers: 8, nDim: 2 }

  test('options are checked when the sampler is made, with what to do', () => {
    expect(() => new EnsembleSampler({ ...ok, nWalkers: 3 })).toThrow(/at least 2 × nDim/)
    expect(() => new EnsembleSampler({ ...ok, nDim: 0 })).toThrow(/nDim must be a whole number/)
    expect(() => new EnsembleSampler({ ...ok, numWorkers: 2, pool: serialPool() })).toThrow(/not both/)
    expect(() => new EnsembleSampler({ ...ok, numWorkers: 0 })).toThrow(/numWorkers/)
    expect(() => new EnsembleSampler({ ...ok, seed: 1.5 })).toThrow(/seed/)
    expect(() => new EnsembleSampler({ ...ok, numWorkers: 2 })).toThrow(/defineLogProb/)
    expect(() => new EnsembleSampler({ ...ok, pool: threads2 })).toThrow(/only this thread can run/)
    expect(() => new EnsembleSampler({ ...ok, logProb: 42 as never })).toThrow(ValidationError)
    expect(() => new EnsembleSampler({ ...ok, moves: [] })).toThrow(/moves is empty/)
    expect(() => new EnsembleSampler({ ...ok, moves: [[stretchMove(), -1]] })).toThrow(/weight > 0/)
    expect(() => stretchMove({ a: 1 })).toThrow(/a must be a finite number > 1, got 1/)
    expect(() => new EnsembleSampler({ ...ok, onBadValue: 'ignore' as never })).toThrow(/onBadValue/)
  })

  test('initial walkers: count, shape, finiteness', async () => {
    const sampler = new EnsembleSampler(ok)
    await expect(sampler.run(ball(7, 2, 1), 1)).rejects.toThrow(/8 walkers/)
    await expect(sampler.run([...ball(7, 2, 1), [1]], 1)).rejects.toThrow(/walker 7 must be 2 numbers/)
    await expect(sampler.run([...ball(7, 2, 1), [1, Number.NaN]], 1)).rejects.toThrow(
      /walker 7, parameter 1 is NaN/,
    )
    await expect(sampler.run(null, 1)).rejects.toThrow(/no previous run/)
    await expect(sampler.run(ball(8, 2, 1), -1)).rejects.toThrow(/nSteps/)
    expect(sampler.iteration).toBe(0)
  })

  test('a degenerate ensemble is refused before anything is evaluated', async () => {
    let calls = 0
    const counted: LogProbFn = (x) => {
      calls++
      return standardNormal(x, undefined as never)
    }
    const sampler = new EnsembleSampler({ logProb: counted, nWalkers: 8, nDim: 3 })
    const same = Array.from({ length: 8 }, () => [1, 2, 3])
    await expect(sampler.run(same, 5)).rejects.toThrow(/same value 1 for parameter 0/)
    // On a line: every walker is a + t·b, so the walkers span one dimension of three.
    const line = Array.from({ length: 8 }, (_, k) => [1 + k, 2 + 2 * k, 3 - k])
    await expect(sampler.run(line, 5)).rejects.toThrow(/not linearly independent/)
    expect(calls).toBe(0)
    const skipping = new EnsembleSampler({
      logProb: counted,
      nWalkers: 8,
      nDim: 3,
      skipInitialStateCheck: true,
    })
    await skipping.run(line, 2)
    expect(skipping.iteration).toBe(2)
  })

  test("which export: 'logProb' before a loss named 'objective'; a wrong name lists the exports", async () => {
    const named = new URL('../fixtures/named.logprob.ts', import.meta.url)
    const sampler = new EnsembleSampler({
      logProb: objectiveModule(named),
      nWalkers: 8,
      nDim: 2,
      pool: threads2,
    })
    await sampler.run(ball(8, 2, 1), 3)
    const x = sampler.getChain()[0]![0]!
    expect(sampler.getLogProb()[0]![0]).toBeCloseTo(-0.5 * (x[0]! ** 2 + x[1]! ** 2), 12)
    const wrong = new EnsembleSampler({
      logProb: objectiveModule(named, { export: 'medium' }),
      nWalkers: 8,
      nDim: 2,
    })
    await expect(wrong.run(ball(8, 2, 1), 3)).rejects.toThrow(
      /no export named 'medium' \(its exports: logProb \(log-probability\), narrow \(log-probability\), objective \(objective\), wide \(log-probability\)\)/,
    )
  })

  test('a defineObjective module (a loss) is refused as a log-probability', async () => {
    const loss = objectiveModule(lossFixture)
    const sampler = new EnsembleSampler({ logProb: loss, nWalkers: 8, nDim: 2 })
    await expect(sampler.run(ball(8, 2, 1), 3)).rejects.toThrow(/defineLogProb/)
    // The refusal does not leave the sampler marked as running: a second run() says the same.
    await expect(sampler.run(ball(8, 2, 1), 3)).rejects.toThrow(/defineLogProb/)
  })

  test('a second run() while one is starting is refused', async () => {
    const sampler = new EnsembleSampler({ logProb: gaussian(), nWalkers: 8, nDim: 2 })
    const first = sampler.run(ball(8, 2, 1), 3, { progress: true })
    await expect(sampler.run(ball(8, 2, 1), 3)).rejects.toThrow(/already running/)
    await first
    await sampler.close()
  })
})

describe('chain', () => {
  test('getChain, getLogProb, discard and thin as emcee, acceptance per walker', async () => {
    const sampler = new EnsembleSampler({ logProb: standardNormal, nWalkers: 6, nDim: 2, seed: 4 })
    const summary = await sampler.run(ball(6, 2, 2), 30)
    expect(summary).toMatchObject({
      steps: 30,
      stop: { kind: 'completed', reason: 'completed: the 30 steps asked for' },
    })
    expect(sampler.iteration).toBe(30)
    const chain = sampler.getChain()
    expect(chain).toHaveLength(30)
    expect(chain[0]).toHaveLength(6)
    expect(chain[0]![0]).toHaveLength(2)
    // emcee keeps steps discard + thin - 1, discard + 2 thin - 1, ...
    const thinned = sampler.getChain({ discard: 10, thin: 3 })
    expect(thinned).toHaveLength(6)
    expect(plain(thinned)).toEqual(plain([12, 15, 18, 21, 24, 27].map((s) => chain[s]!)))
    const flat = sampler.getChain({ discard: 10, thin: 3, flat: true })
    expect(flat.map((p) => [...p])).toEqual(plain(thinned).flat())
    const logProb = sampler.getLogProb()
    chain.forEach((step, s) => {
      step.forEach((p, k) => {
        expect(logProb[s]![k]).toBe(standardNormal(p, undefined as never))
      })
    })
    expect(sampler.getLogProb({ discard: 28, flat: true })).toEqual(
      Float64Array.from([...logProb[28]!, ...logProb[29]!]),
    )
    // A walker's acceptance is the fraction of steps at which it moved.
    const moved = Array.from(
      { length: 6 },
      (_, k) => chain.filter((step, s) => (s === 0 ? true : step[k]![0] !== chain[s - 1]![k]![0])).length,
    )
    const fractions = sampler.acceptanceFraction
    for (let k = 0; k < 6; k++) expect(fractions[k]).toBeLessThanOrEqual(moved[k]! / 30 + 1e-12)
    for (let k = 0; k < 6; k++) expect(fractions[k]).toBeGreaterThanOrEqual((moved[k]! - 1) / 30 - 1e-12)
    expect(sampler.lastState!.coords.map((c) => [...c])).toEqual(plain(chain)[29])
    // τ of a thinned chain is in steps of the whole chain, as emcee reports it: thin times the τ of
    // the thinned chain. (A 30-step chain's τ is too noisy to compare thinned with unthinned.)
    expect(sampler.autocorrTime({ quiet: true })).toEqual(integratedTime(chain, { quiet: true }))
    const ofThinned = integratedTime(sampler.getChain({ thin: 2 }), { quiet: true })
    expect(sampler.autocorrTime({ thin: 2, quiet: true })).toEqual(ofThinned.map((t) => 2 * t))
    sampler.reset()
    expect(sampler.iteration).toBe(0)
    await sampler.run(null, 2)
    expect(sampler.iteration).toBe(2)
  })

  test.prop([fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 25 })], { numRuns: 15 })(
    'stopping and continuing gives the chain of one uninterrupted run',
    async (seed, first) => {
      const make = () => new EnsembleSampler({ logProb: standardNormal, nWalkers: 6, nDim: 3, seed })
      const start = ball(6, 3, seed)
      const whole = make()
      await whole.run(start, 30)
      const split = make()
      await split.run(start, first)
      await split.run(null, 30 - first)
      expect(plain(split.getChain())).toEqual(plain(whole.getChain()))
      expect(split.acceptanceFraction).toEqual(whole.acceptanceFraction)
    },
  )

  test('the random state to resume from is computed at each step for a chain file only', async () => {
    const computed = vi.spyOn(StepSchedule.prototype, 'resumeRandomState')
    const dir = mkdtempSync(join(tmpdir(), 'parafit-resume-state-'))
    try {
      const make = (chainFile?: { path: string }) =>
        new EnsembleSampler({
          logProb: standardNormal,
          nWalkers: 6,
          nDim: 2,
          seed: 4,
          ...(chainFile === undefined ? {} : { chainFile }),
        })
      // Once at the end of a run, where the sampler's own stream goes on from; with a file, once
      // more for each of the 20 steps.
      await make().run(ball(6, 2, 2), 20)
      expect(computed).toHaveBeenCalledTimes(1)
      computed.mockClear()
      await make({ path: join(dir, 'chain.h5') }).run(ball(6, 2, 2), 20)
      expect(computed).toHaveBeenCalledTimes(21)
    } finally {
      computed.mockRestore()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('moves: a stretch/DE mixture is drawn per step, deterministically', async () => {
    const run = async () => {
      const sampler = new EnsembleSampler({
        logProb: standardNormal,
        nWalkers: 10,
        nDim: 2,
        seed: 9,
        moves: [
          [stretchMove({ a: 2.5 }), 0.7],
          [deMove(), 0.3],
        ],
      })
      await sampler.run(ball(10, 2, 3), 200)
      return sampler
    }
    const a = await run()
    const b = await run()
    expect(plain(a.getChain())).toEqual(plain(b.getChain()))
    const mean = a.acceptanceFraction.reduce((s, f) => s + f, 0) / 10
    expect(mean).toBeGreaterThan(0.2)
    expect(mean).toBeLessThan(0.95)
  })
})

describe('on pools', () => {
  test.prop([fc.integer({ min: -100_000, max: 100_000 })], { numRuns: 4 })(
    'the same seed gives the same chain serially, on 2 and 3 threads and on 2 processes',
    async (seed) => {
      const start = ball(8, 3, seed)
      const chainOn = async (logProb: LogProbFn | ReturnType<typeof gaussian>, pool?: Pool) => {
        const sampler = new EnsembleSampler({
          logProb,
          nWalkers: 8,
          nDim: 3,
          seed,
          ...(pool ? { pool } : {}),
        })
        await sampler.run(start, 12)
        return { chain: plain(sampler.getChain()), logProb: sampler.getLogProb().map((l) => [...l]) }
      }
      const reference = await chainOn(standardNormal)
      for (const pool of [undefined, threads2, threads3, processes2]) {
        expect(await chainOn(gaussian(), pool)).toEqual(reference)
      }
    },
  )

  test('numWorkers: 2 runs on worker threads, and what the log-probability writes comes back', async () => {
    const sampler = new EnsembleSampler({ logProb: gaussian(), nWalkers: 8, nDim: 2, numWorkers: 2, seed: 5 })
    await sampler.run(ball(8, 2, 5), 10)
    const blobs = sampler.getBlobs()
    const logProb = sampler.getLogProb()
    const threadIds = new Set<number>()
    blobs.forEach((step, s) => {
      step.forEach((blob, k) => {
        expect(blob!.quantities!.r2).toBeCloseTo(-2 * logProb[s]![k]!, 12)
        threadIds.add((blob!.meta.ranBy as { threadId: number }).threadId)
      })
    })
    expect(threadIds.has(0)).toBe(false) // never the caller's thread
    expect(threadIds.size).toBe(2)
  })

  test.prop([fc.integer({ min: -100_000, max: 100_000 }), fc.constantFrom(threads2, threads3, processes2)], {
    numRuns: 6,
  })('proposals started one by one as their walkers are decided give the same chain', async (seed, pool) => {
    const start = ball(8, 3, seed)
    const reference = new EnsembleSampler({ logProb: standardNormal, nWalkers: 8, nDim: 3, seed })
    await reference.run(start, 10)
    // Uneven evaluation times, so evaluations finish out of order.
    const logProb = gaussian({ spinMs: 0.3, jitterMs: 1.5 })
    const pipelined = new EnsembleSampler({ logProb, nWalkers: 8, nDim: 3, seed, pool, pipeline: true })
    await pipelined.run(start, 10)
    expect(plain(pipelined.getChain())).toEqual(plain(reference.getChain()))
    expect(pipelined.acceptanceFraction).toEqual(reference.acceptanceFraction)
  })

  test('a vectorised log-probability: one call per worker for what is ready, and the same chain', async () => {
    const perPoint = new EnsembleSampler({ logProb: gaussian(), nWalkers: 12, nDim: 2, seed: 6 })
    await perPoint.run(ball(12, 2, 6), 8)
    for (const pool of [threads3, processes2]) {
      const vectorized = new EnsembleSampler({
        logProb: gaussian({ vectorized: true }),
        nWalkers: 12,
        nDim: 2,
        seed: 6,
        vectorized: true,
        pool,
      })
      await vectorized.run(ball(12, 2, 6), 8)
      expect(plain(vectorized.getChain())).toEqual(plain(perPoint.getChain()))
      // Each call got a contiguous share of a batch of at most 12 points (the initial one).
      const sizes = vectorized
        .getBlobs()
        .flat()
        .map((b) => (b!.meta.ranBy as { points: number }).points)
      expect(Math.max(...sizes)).toBe(Math.ceil(12 / pool.size))
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1)
    }
  })

  test('a vectorised in-process function is called once per batch on the serial pool', async () => {
    const sizes: number[] = []
    const sampler = new EnsembleSampler({
      logProb: (thetas: readonly Float64Array[]) => {
        sizes.push(thetas.length)
        return thetas.map((x) => standardNormal(x, undefined as never) as number)
      },
      nWalkers: 10,
      nDim: 2,
      vectorized: true,
    })
    await sampler.run(ball(10, 2, 1), 4)
    // The 10 initial walkers, then 10 proposals per step, in batches of whatever is ready.
    expect(sizes[0]).toBe(10)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50)
    expect(sizes.length).toBeLessThanOrEqual(1 + 2 * 4)
  })
})

describe('stops and faults', () => {
  test('aborting resolves with the steps done; continuing gives the uninterrupted chain', async () => {
    const whole = new EnsembleSampler({
      pipeline: true,
      logProb: gaussian({ spinMs: 1 }),
      nWalkers: 8,
      nDim: 2,
      seed: 3,
      pool: threads2,
    })
    await whole.run(ball(8, 2, 3), 12)
    const controller = new AbortController()
    const sampler = new EnsembleSampler({
      pipeline: true,
      logProb: gaussian({ spinMs: 1 }),
      nWalkers: 8,
      nDim: 2,
      seed: 3,
      pool: threads2,
    })
    // Abort while step 6 is in flight (from its first proposal's evaluation).
    const summary = await sampler.run(ball(8, 2, 3), 12, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 5) setTimeout(() => controller.abort(), 2)
      },
    })
    expect(summary.stop).toEqual({
      kind: 'aborted',
      reason: `aborted by the signal after ${summary.steps} of 12 steps; run(null, n) continues the chain`,
    })
    expect(summary.steps).toBeGreaterThanOrEqual(5)
    expect(summary.steps).toBeLessThan(12)
    expect(sampler.iteration).toBe(summary.steps)
    await sampler.run(null, 12 - summary.steps)
    expect(plain(sampler.getChain())).toEqual(plain(whole.getChain()))
  })

  test('-Infinity (outside the prior) is a rejection, never a failure', async () => {
    const sampler = new EnsembleSampler({
      logProb: gaussian({ edgeAbove: 0.2 }),
      nWalkers: 8,
      nDim: 2,
      seed: 2,
    })
    await sampler.run(ball(8, 2, 2, -0.5), 300)
    const x0 = sampler.getChain({ flat: true }).map((p) => p[0]!)
    expect(Math.max(...x0)).toBeLessThanOrEqual(0.2)
    expect(Math.max(...x0)).toBeGreaterThan(0)
    expect(sampler.nBadValues).toBe(0)
  })

  test('NaN raises SampleError by default, keeping the steps before; onBadValue: reject steers away', async () => {
    const make = (onBadValue?: 'reject') =>
      new EnsembleSampler({
        logProb: gaussian({ nanAbove: 0.5 }),
        nWalkers: 8,
        nDim: 2,
        seed: 2,
        ...(onBadValue ? { onBadValue } : {}),
      })
    const raising = make()
    const error = await raising.run(ball(8, 2, 2, -1), 500).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SampleError)
    expect((error as SampleError).message).toMatch(/NaN/)
    expect((error as SampleError).step).toBe(raising.iteration)
    expect(raising.iteration).toBeGreaterThan(0)
    // The kept steps are the uninterrupted run's first steps.
    const rejecting = make('reject')
    await rejecting.run(ball(8, 2, 2, -1), 500)
    expect(rejecting.nBadValues).toBeGreaterThan(0)
    expect(Math.max(...rejecting.getChain({ flat: true }).map((p) => p[0]!))).toBeLessThanOrEqual(0.5)
    const prefix = plain(rejecting.getChain()).slice(0, raising.iteration)
    expect(plain(raising.getChain())).toEqual(prefix)
  })

  test('a throwing log-probability: SampleError, steps before kept, the state is that of the last whole step', async () => {
    const sampler = new EnsembleSampler({
      logProb: gaussian({ throwAbove: 1.5 }),
      nWalkers: 8,
      nDim: 2,
      seed: 4,
      pool: threads2,
      pipeline: true,
    })
    const error = await sampler.run(ball(8, 2, 4), 2000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SampleError)
    expect((error as Error).message).toMatch(/x0=.* is beyond the model/)
    const kept = sampler.iteration
    expect(kept).toBeGreaterThan(0)
    expect(sampler.lastState!.coords.map((c) => [...c])).toEqual(plain(sampler.getChain())[kept - 1])
    // Started one by one or in batches, the run stops before the same step with the same chain.
    const batched = new EnsembleSampler({
      logProb: gaussian({ throwAbove: 1.5 }),
      nWalkers: 8,
      nDim: 2,
      seed: 4,
    })
    await expect(batched.run(ball(8, 2, 4), 2000)).rejects.toThrow(SampleError)
    expect(plain(batched.getChain())).toEqual(plain(sampler.getChain()))
  })

  test('a worker that exits: SampleError caused by WorkerCrashedError, the pool goes on', async () => {
    const sampler = new EnsembleSampler({
      logProb: gaussian({ exitAbove: 1.5 }),
      nWalkers: 8,
      nDim: 2,
      seed: 4,
      pool: processes2,
    })
    const error = await sampler.run(ball(8, 2, 4), 2000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SampleError)
    expect((error as SampleError).cause).toBeInstanceOf(WorkerCrashedError)
    expect(sampler.iteration).toBeGreaterThan(0)
    const next = new EnsembleSampler({ logProb: gaussian(), nWalkers: 8, nDim: 2, pool: processes2 })
    await next.run(ball(8, 2, 4), 3)
    expect(next.iteration).toBe(3)
  }, 60_000)

  test('a worker that hangs: SampleError caused by EvaluationTimeoutError, in bounded time', async () => {
    const sampler = new EnsembleSampler({
      logProb: gaussian({ hangAbove: 1.5 }),
      nWalkers: 8,
      nDim: 2,
      seed: 4,
      numWorkers: 2,
      timeoutMs: 500,
    })
    const error = await sampler.run(ball(8, 2, 4), 2000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SampleError)
    expect((error as SampleError).cause).toBeInstanceOf(EvaluationTimeoutError)
    expect(sampler.iteration).toBeGreaterThan(0)
  }, 60_000)
})
