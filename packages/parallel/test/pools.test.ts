import { EvaluateContext, objective, objectiveModule, PoolClosedError, ValidationError } from '@parafit/core'
import { describe, expect, it } from 'vitest'
import { choosePool, mapWithContext, processPool, serialPool, threadPool } from '../src/index.ts'
import { allBackends, counting, faulty, makePool, trackPools, workerBackends, xs } from './helpers.ts'

const track = trackPools()

describe.each(allBackends)('%s pool', (backend) => {
  it('returns values and contexts in input order, updating the given contexts in place', async () => {
    const pool = track(makePool(backend))
    const contexts = xs(50).map(() => new EvaluateContext({ config: { run: 'a' } }))
    const results = await mapWithContext(pool, faulty('throw', -1), xs(50), { contexts })
    expect(results.map((r) => r.value)).toEqual(xs(50).map(({ x }) => x * x))
    results.forEach((r, i) => {
      expect(r.context).toBe(contexts[i])
      expect(r.context.meta.x).toBe(i)
      expect(r.context.loss).toBe(i * i)
      expect(r.context.parameters).toEqual({ x: i })
    })
  })

  it('a meta the objective empties comes back empty; an empty one stays empty', async () => {
    const pool = track(makePool(backend))
    const clears = objectiveModule(new URL('./fixtures/clears-meta.objective.ts', import.meta.url))
    const given = new EvaluateContext()
    given.meta = { note: 'from the caller' }
    const contexts = [given, new EvaluateContext()]
    const results = await mapWithContext(pool, clears, [{ x: 1 }, { x: 2 }], { contexts })
    expect(results.map((r) => r.value)).toEqual([1, 2])
    expect(contexts.map((c) => c.meta)).toEqual([{}, {}])
    expect(contexts[0]!.meta).not.toBe(contexts[1]!.meta)
  })

  it('sends config and shared to the worker but brings back only the result state', async () => {
    const pool = track(makePool(backend))
    const ctx = new EvaluateContext({ config: { mode: 'fast' }, shared: { table: [1, 2] } })
    await mapWithContext(pool, counting(), [{ x: 1 }], { contexts: [ctx] })
    expect(ctx.config).toEqual({ mode: 'fast' })
    expect(ctx.shared).toEqual({ table: [1, 2] })
    expect(ctx.meta.factoryRuns).toBe(1)
  })

  it('in a batch where only some contexts carry input, each task gets its own and no other', async () => {
    const pool = track(makePool(backend))
    const echoes = objectiveModule(new URL('./fixtures/echoes-input.objective.ts', import.meta.url))
    const contexts = xs(40).map(({ x }) => {
      const ctx = new EvaluateContext(x % 7 === 3 ? { config: { mode: `m${x}` } } : undefined)
      if (x % 11 === 5) ctx.meta.note = `n${x}`
      return ctx
    })
    await mapWithContext(pool, echoes, xs(40), { contexts })
    contexts.forEach((ctx, x) => {
      expect(ctx.meta.mode).toBe(x % 7 === 3 ? `m${x}` : null)
      expect(ctx.meta.note).toBe(x % 11 === 5 ? `n${x}` : null)
    })
  })

  it('closing twice is harmless and a closed pool refuses work with PoolClosedError', async () => {
    const pool = makePool(backend)
    await pool.close()
    await pool.close()
    expect(pool.closed).toBe(true)
    await expect(mapWithContext(pool, counting(), xs(2))).rejects.toBeInstanceOf(PoolClosedError)
    await expect(pool[Symbol.asyncDispose]()).resolves.toBeUndefined()
  })

  it('validates parameters and contexts before evaluating', async () => {
    const pool = track(makePool(backend))
    const nan = await mapWithContext(pool, counting(), [{ x: 1 }, { x: Number.NaN }]).catch((e: unknown) => e)
    expect(nan).toBeInstanceOf(ValidationError)
    // The key path once, not twice (fault probe P7).
    expect((nan as ValidationError).message).toBe(
      "paramsList[1]: parameter is NaN, not a finite number (at 'x')",
    )
    expect((nan as ValidationError).keyPath).toBe('x')
    await expect(
      mapWithContext(pool, counting(), xs(2), { contexts: [new EvaluateContext()] }),
    ).rejects.toThrow(/got 1 contexts for 2/)
    await expect(mapWithContext(pool, counting(), xs(2), { timeoutMs: -5 })).rejects.toThrow(ValidationError)
  })
})

describe.each(workerBackends)('%s pool (workers)', (backend) => {
  it('spreads work over every worker and builds each objective once per worker', async () => {
    const pool = track(makePool(backend, { numWorkers: 2 }))
    const ref = counting()
    const first = await mapWithContext(pool, ref, xs(200))
    const second = await mapWithContext(pool, ref, xs(200))
    const all = [...first, ...second]
    expect(new Set(all.map((r) => r.context.meta.worker)).size).toBe(2)
    expect(new Set(all.map((r) => r.context.meta.factoryRuns))).toEqual(new Set([1]))
  })

  it('rejects an in-process objective with a message saying how to make a module', async () => {
    const pool = track(makePool(backend))
    await expect(
      mapWithContext(
        pool,
        objective(() => 1),
        xs(1),
      ),
    ).rejects.toThrow(/defineObjective.*objectiveModule/)
  })
})

describe('thread pool data sharing', () => {
  it('shares typed arrays over SharedArrayBuffers in init with every thread, without copying', async () => {
    const pool = track(threadPool({ numWorkers: 2 }))
    const hits = new Int32Array(new SharedArrayBuffer(4))
    const data = new Float64Array(new SharedArrayBuffer(8 * 1000)).fill(0.5)
    const results = await mapWithContext(pool, counting({ hits, data }), xs(64))
    expect(Atomics.load(hits, 0)).toBe(64)
    expect(results[0]!.context.meta.dataSum).toBe(1)
  })
})

describe('pool options', () => {
  it.each([
    [
      () => threadPool({ numWorkers: 0 }),
      /^numWorkers must be a whole number from 1 to \d+, got 0 \(at 'numWorkers'\)$/,
    ],
    [() => threadPool({ numWorkers: -2 }), /numWorkers must be a whole number from 1 to \d+, got -2/],
    [() => threadPool({ numWorkers: 2.5 }), /numWorkers must be a whole number from 1 to \d+, got 2.5/],
    [() => processPool({ numWorkers: 1e7 }), /numWorkers must be a whole number from 1 to \d+, got 10000000/],
    [() => threadPool({} as never), /numWorkers must be a whole number from 1 to \d+, got undefined/],
    [
      () => threadPool({ numWorkers: 2, timeoutMs: 0 }),
      /timeoutMs must be a finite number of milliseconds > 0, got 0/,
    ],
    [
      () => threadPool({ numWorkers: 2, retries: 1.5 }),
      /retries must be a whole number from 0 to 100, got 1.5/,
    ],
    [
      () => processPool({ numWorkers: 2, execArgv: '--inspect' } as never),
      /execArgv must be an array of strings/,
    ],
    [() => processPool({ numWorkers: 2, env: { A: 1 } } as never), /env.A must be a string, got number/],
    [
      () => threadPool({ numWorkers: 2, colour: 'red' } as never),
      /unknown option 'colour' in threadPool options/,
    ],
  ])('rejects bad options: %#', (make, message) => {
    expect(make).toThrow(ValidationError)
    expect(make).toThrow(message)
  })

  it('choosePool: 1 is serial, n is n threads, a pool is used as it is', async () => {
    const one = track(await choosePool(1))
    expect(one.kind).toBe('serial')
    const three = track(await choosePool(3))
    expect([three.kind, three.size]).toEqual(['threads', 3])
    const mine = track(serialPool())
    expect(await choosePool(mine)).toBe(mine)
    const auto = track(await choosePool('auto'))
    expect(auto.size).toBeGreaterThanOrEqual(1)
    await expect(choosePool(0)).rejects.toThrow(ValidationError)
    await expect(choosePool('many' as never)).rejects.toThrow(
      /numWorkers must be a whole number from 1 to \d+ or 'auto' \(one per core\), got 'many'/,
    )
  })
})
