import {
  AbortError,
  ContextTransportError,
  EvaluateContext,
  EvaluationTimeoutError,
  ObjectiveError,
  ObjectiveLoadError,
  ObjectiveValueError,
  objectiveModule,
  PoolClosedError,
  WorkerCrashedError,
} from '@parafit/core'
import { describe, expect, it } from 'vitest'
import { mapWithContext, mapWithContextSettled, type Pool, processPool, threadPool } from '../src/index.ts'
import { Secret } from './fixtures/faulty.objective.ts'
import { allBackends, type Backend, faulty, makePool, trackPools, workerBackends, xs } from './helpers.ts'

const track = trackPools()

async function settledOutcome(
  backend: Backend,
  fault: Parameters<typeof faulty>[0],
  options: { timeoutMs?: number; retries?: number } = {},
) {
  const pool = track(makePool(backend, options))
  const settled = await mapWithContextSettled(pool, faulty(fault), xs(8))
  return { pool, settled }
}

async function stillWorks(pool: Pool): Promise<void> {
  const again = await mapWithContext(pool, faulty('throw', -1), xs(6))
  expect(again.map((r) => r.value)).toEqual([0, 1, 4, 9, 16, 25])
}

describe.each(allBackends)('objective faults, %s', (backend) => {
  it('an objective that throws: ObjectiveError with parameters, remote stack and cause; the rest succeed', async () => {
    const { settled } = await settledOutcome(backend, 'throw')
    const failed = settled[3]!
    expect(failed.ok).toBe(false)
    if (failed.ok) return
    expect(failed.error).toBeInstanceOf(ObjectiveError)
    const error = failed.error as ObjectiveError
    expect(error.params).toEqual({ x: 3 })
    expect(error.message).toBe(
      'the root objective failed with parameters {"x":3}: RangeError: x=3 is out of the model\'s range',
    )
    expect((error.cause as Error).name).toBe('RangeError')
    expect((error.cause as Error).stack).toMatch(/faulty\.objective\.ts/)
    expect(failed.context.meta.x).toBe(3)
    expect(settled.filter((s) => s.ok)).toHaveLength(7)
  })

  it.each([
    ['nan', /returned NaN/],
    ['string', /returned a string/],
  ] as const)('an objective that returns %s: ObjectiveValueError', async (fault, message) => {
    const { settled } = await settledOutcome(backend, fault)
    const failed = settled[3]!
    expect(!failed.ok && failed.error).toBeInstanceOf(ObjectiveValueError)
    expect(!failed.ok && failed.error.message).toMatch(message)
  })

  it('metadata that cannot be cloned: ContextTransportError naming the key path', async () => {
    const { settled } = await settledOutcome(backend, 'uncloneable')
    const failed = settled[3]!
    expect(!failed.ok && failed.error).toBeInstanceOf(ContextTransportError)
    expect(!failed.ok && (failed.error as ContextTransportError).keyPath).toBe('ctx.meta.callback')
    expect(settled.filter((s) => s.ok)).toHaveLength(7)
  })

  it('an instance of a class written into the context: ContextTransportError naming the key path and the class', async () => {
    // Cloned, it would arrive as {} without a word (fault probe P6).
    const { settled } = await settledOutcome(backend, 'class-instance')
    const failed = settled[3]!
    expect(!failed.ok && failed.error).toBeInstanceOf(ContextTransportError)
    expect(!failed.ok && (failed.error as ContextTransportError).keyPath).toBe('ctx.meta.secret')
    expect(!failed.ok && failed.error.message).toMatch(
      /^context value at 'ctx\.meta\.secret' cannot be sent between workers \(an instance of class Secret: .*#private fields\)/,
    )
    expect(settled.filter((s) => s.ok)).toHaveLength(7)
  })

  it('an instance of a class in a context given to the pool fails only that evaluation, naming the key path', async () => {
    const pool = track(makePool(backend))
    const contexts = xs(8).map((_, i) => {
      const ctx = new EvaluateContext({ shared: { same: [1, 2, 3] } })
      if (i === 5) ctx.meta = { nested: [{ secret: new Secret() }] }
      return ctx
    })
    const settled = await mapWithContextSettled(pool, faulty('throw', -1), xs(8), { contexts })
    const failed = settled[5]!
    expect(!failed.ok && failed.error).toBeInstanceOf(ContextTransportError)
    expect(!failed.ok && (failed.error as ContextTransportError).keyPath).toBe('ctx.meta.nested[0].secret')
    expect(settled.map((s) => s.ok && s.value)).toEqual([0, 1, 4, 9, 16, false, 36, 49])
  })

  it('a context whose input cannot be cloned fails only that evaluation, naming the key path', async () => {
    const pool = track(makePool(backend))
    const contexts = xs(8).map((_, i) => new EvaluateContext({ config: i === 5 ? { hook: () => 1 } : { i } }))
    const settled = await mapWithContextSettled(pool, faulty('throw', -1), xs(8), { contexts })
    const failed = settled[5]!
    expect(!failed.ok && failed.error).toBeInstanceOf(ContextTransportError)
    expect(!failed.ok && (failed.error as ContextTransportError).keyPath).toBe('ctx.config.hook')
    expect(settled.map((s) => s.ok && s.value)).toEqual([0, 1, 4, 9, 16, false, 36, 49])
  })

  it('mapWithContext rejects with the lowest-index failure, after every context got its result', async () => {
    const pool = track(makePool(backend))
    const contexts = xs(8).map(() => new EvaluateContext())
    await expect(mapWithContext(pool, faulty('throw', 3), xs(8), { contexts })).rejects.toThrow(
      /x=3 is out of/,
    )
    expect(contexts.map((c) => c.loss)).toEqual([0, 1, 4, undefined, 16, 25, 36, 49])
  })

  it.each([
    ['missing.objective.ts', 'default', /missing\.objective\.ts: the file does not exist/],
    [
      'no-export.objective.ts',
      'default',
      /no-export\.objective\.ts: it has no export named 'default' \(its exports: somethingElse \(number\)\)/,
    ],
    [
      'throws-on-load.objective.ts',
      'default',
      /throws-on-load\.objective\.ts: it threw while loading: Error: cannot open calibration\.csv/,
    ],
  ])(
    'a module that cannot load (%s): ObjectiveLoadError naming the file, before any evaluation',
    async (file, exportName, message) => {
      const pool = track(makePool(backend))
      const ref = objectiveModule(new URL(`./fixtures/${file}`, import.meta.url), { export: exportName })
      const error = await mapWithContext(pool, ref, xs(3)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ObjectiveLoadError)
      expect((error as Error).message).toMatch(message)
      await stillWorks(pool)
    },
  )
})

describe.each(workerBackends)('worker faults, %s', (backend) => {
  it('a worker that calls process.exit: WorkerCrashedError for that task only; the pool replaces it', async () => {
    const { pool, settled } = await settledOutcome(backend, 'exit')
    const failed = settled[3]!
    expect(!failed.ok && failed.error).toBeInstanceOf(WorkerCrashedError)
    expect(!failed.ok && failed.error.message).toMatch(/exit code 3/)
    expect(settled.filter((s) => s.ok).map((s) => s.ok && s.value)).toEqual([0, 1, 4, 16, 25, 36, 49])
    await stillWorks(pool)
  })

  it('a module that kills its worker while loading: ObjectiveLoadError naming the file, in bounded time', async () => {
    const pool = track(makePool(backend))
    const ref = objectiveModule(new URL('./fixtures/exits-on-load.objective.ts', import.meta.url))
    const started = performance.now()
    const error = await mapWithContext(pool, ref, xs(50)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ObjectiveLoadError)
    expect((error as Error).message).toMatch(
      /exits-on-load\.objective\.ts: workers died while loading it \(exit code 7\)/,
    )
    expect(performance.now() - started).toBeLessThan(10_000)
    await stillWorks(pool)
  })

  it('a worker that crashes on an uncaught exception: WorkerCrashedError saying why; the pool recovers', async () => {
    const { pool, settled } = await settledOutcome(backend, 'crash')
    const failed = settled[3]!
    expect(!failed.ok && failed.error).toBeInstanceOf(WorkerCrashedError)
    // A process says why on its stderr, not in its exit code (fault probe P7).
    expect(!failed.ok && failed.error.message).toMatch(
      backend === 'threads'
        ? /\(uncaught Error: crashed outside the evaluation\)/
        : /\(exit code 1; the last it wrote to stderr:\n(.*\n)*\s+Error: crashed outside the evaluation\n\s+at .*faulty\.objective\.ts:\d+:\d+\)\)$/,
    )
    expect(settled.filter((s) => s.ok)).toHaveLength(7)
    await stillWorks(pool)
  })

  it('a worker past its memory limit: WorkerCrashedError; the pool recovers', async () => {
    const pool = track(
      backend === 'threads'
        ? threadPool({ numWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 64 } })
        : processPool({ numWorkers: 2, execArgv: ['--max-old-space-size=64'] }),
    )
    const settled = await mapWithContextSettled(pool, faulty('oom'), xs(6))
    const failed = settled[3]!
    expect(!failed.ok && failed.error).toBeInstanceOf(WorkerCrashedError)
    expect(!failed.ok && failed.error.message).toMatch(
      backend === 'threads'
        ? /out of memory/
        : /killed by SIGABRT \(it aborted, as V8 does when it runs out of memory\); the last it wrote to stderr:\n[\s\S]*FATAL ERROR: .*JavaScript heap out of memory\)$/,
    )
    expect(settled.filter((s) => s.ok)).toHaveLength(5)
    await stillWorks(pool)
  }, 30_000)

  it('an evaluation that hangs past timeoutMs: EvaluationTimeoutError in bounded time; the pool recovers', async () => {
    const started = performance.now()
    const { pool, settled } = await settledOutcome(backend, 'hang', { timeoutMs: 500 })
    expect(performance.now() - started).toBeLessThan(10_000)
    const failed = settled[3]!
    expect(!failed.ok && failed.error).toBeInstanceOf(EvaluationTimeoutError)
    expect(!failed.ok && failed.error.message).toMatch(/timeoutMs=500/)
    expect(settled.filter((s) => s.ok)).toHaveLength(7)
    await stillWorks(pool)
  })

  it('retries re-runs a task lost to a crash; exhausted retries still fail it', async () => {
    const pool = track(makePool(backend, { retries: 2 }))
    let runs = 0
    const settled = await mapWithContextSettled(pool, faulty('exit'), xs(5), {
      onProgress: () => void runs++,
    })
    expect(!settled[3]!.ok && settled[3]!.error).toBeInstanceOf(WorkerCrashedError)
    expect(runs).toBe(5)
    await stillWorks(pool)
  })

  it('an AbortSignal fired mid-batch rejects with AbortError within a second and stops the busy workers', async () => {
    const pool = track(makePool(backend))
    const controller = new AbortController()
    const running = mapWithContext(pool, faulty('hang', 1), xs(6), { signal: controller.signal })
    await new Promise((r) => setTimeout(r, 300))
    const aborted = performance.now()
    controller.abort(new Error('user pressed stop'))
    const error = await running.catch((e: unknown) => e)
    expect(performance.now() - aborted).toBeLessThan(1000)
    expect(error).toBeInstanceOf(AbortError)
    expect((error as Error).message).toMatch(/user pressed stop/)
    await stillWorks(pool)
  })

  it('closing the pool mid-batch rejects the batch with PoolClosedError and stops every worker', async () => {
    const pool = makePool(backend)
    const running = mapWithContext(pool, faulty('hang', 0), xs(4)).catch((e: unknown) => e)
    await new Promise((r) => setTimeout(r, 300))
    const closing = performance.now()
    await pool.close()
    expect(performance.now() - closing).toBeLessThan(1000)
    expect(await running).toBeInstanceOf(PoolClosedError)
  })
})
