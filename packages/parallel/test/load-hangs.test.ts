// A module that never finishes loading (a loop or a wait at its top level or in its factory)
// hung mapWithContext on every backend, whatever timeoutMs said (fault probe F8). Loading now
// counts against timeoutMs: the worker stuck in it is stopped and replaced, and the call fails
// with ObjectiveLoadError naming the module. The serial pool cannot stop its own thread: a load
// that waits is left behind at the limit; one that loops cannot be helped (and is not tested).
import { AbortError, ObjectiveLoadError, objectiveModule } from '@parafit/core'
import { describe, expect, it } from 'vitest'
import { mapWithContext, type Pool, threadPool } from '../src/index.ts'
import { type Backend, faulty, makePool, trackPools, workerBackends, xs } from './helpers.ts'

const track = trackPools()
const fixture = (file: string, init?: unknown) =>
  objectiveModule(new URL(`./fixtures/${file}`, import.meta.url), { init })

async function stillWorks(pool: Pool): Promise<void> {
  const again = await mapWithContext(pool, faulty('throw', -1), xs(6))
  expect(again.map((r) => r.value)).toEqual([0, 1, 4, 9, 16, 25])
}

/** The error the call ends with, and how long it took. */
async function failure(call: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now()
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  return { error, ms: performance.now() - started }
}

const hangs: [string, string, unknown][] = [
  ['a synchronous loop at the top level', 'loops-on-load.objective.ts', undefined],
  ['a wait at the top level', 'waits-on-load.objective.ts', undefined],
  ['a synchronous loop in the factory', 'hangs-in-factory.objective.ts', { loop: true }],
  ['a wait in the factory', 'hangs-in-factory.objective.ts', { loop: false }],
]

describe.each(workerBackends)('a module that never finishes loading, %s', (backend: Backend) => {
  it.each(hangs.slice(0, 3))(
    '%s: ObjectiveLoadError naming the module at timeoutMs; the worker is replaced',
    async (_, file, init) => {
      const pool = track(makePool(backend, { timeoutMs: 400 }))
      const { error, ms } = await failure(mapWithContext(pool, fixture(file, init), xs(4)))
      expect(error).toBeInstanceOf(ObjectiveLoadError)
      expect((error as Error).message).toContain(
        `${file}: it did not finish loading within timeoutMs=400; the worker was stopped and replaced`,
      )
      expect(ms).toBeLessThan(3000)
      await stillWorks(pool)
    },
  )

  it("the call's own timeoutMs bounds the load; the same module is tried again by the next call", async () => {
    const pool = track(makePool(backend))
    const hang = fixture('waits-on-load.objective.ts')
    for (const timeoutMs of [300, 600]) {
      const { error, ms } = await failure(mapWithContext(pool, hang, xs(2), { timeoutMs }))
      expect((error as Error).message).toContain(`did not finish loading within timeoutMs=${timeoutMs}`)
      expect(ms).toBeGreaterThanOrEqual(timeoutMs - 20)
      expect(ms).toBeLessThan(timeoutMs + 2500)
    }
    await stillWorks(pool)
  })

  it('an AbortSignal ends the wait for a load at once and stops the worker stuck in it', async () => {
    const pool = track(makePool(backend))
    const controller = new AbortController()
    const call = mapWithContext(pool, fixture('loops-on-load.objective.ts'), xs(2), {
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(new Error('user pressed stop')), 300)
    const { error, ms } = await failure(call)
    expect(error).toBeInstanceOf(AbortError)
    expect(ms).toBeLessThan(1300)
    // Both workers were stuck in the loop: they must have been replaced for this to run.
    await stillWorks(pool)
  })
})

describe('a module that never finishes loading, serial', () => {
  it.each(hangs.filter(([what]) => what.includes('wait')))(
    '%s: ObjectiveLoadError naming the module at timeoutMs; the load is left behind',
    async (_, file, init) => {
      const pool = track(makePool('serial', { timeoutMs: 300 }))
      const { error, ms } = await failure(mapWithContext(pool, fixture(file, init), xs(2)))
      expect(error).toBeInstanceOf(ObjectiveLoadError)
      expect((error as Error).message).toContain(
        `${file}: it did not finish loading within timeoutMs=300; the serial pool cannot stop a load`,
      )
      expect(ms).toBeLessThan(1500)
      await stillWorks(pool)
    },
  )
})

describe('the load clock of a busy worker', () => {
  it('starts when the worker has finished the chunk it was running, not when the define was sent', async () => {
    const pool = threadPool({ numWorkers: 1 })
    try {
      const busy = objectiveModule(new URL('./fixtures/spins.objective.ts', import.meta.url), {
        init: { ms: 1000 },
      })
      const slow = objectiveModule(new URL('./fixtures/loads-slowly.objective.ts', import.meta.url))
      await mapWithContext(pool, busy, [{ x: 0 }], { timeoutMs: 5000 }) // loaded, so only its evaluation counts below
      // The worker spends 1 s on this task; the other module, sent meanwhile, loads in 0.6 s after
      // it. Its 1.5 s starts when the worker reads its define: counted from the send, it overran.
      const running = mapWithContext(pool, busy, [{ x: 1 }], { timeoutMs: 1500 })
      await new Promise((resolve) => setTimeout(resolve, 100))
      const loaded = mapWithContext(pool, slow, [{ x: 3 }], { timeoutMs: 1500 })
      expect((await running).map((r) => r.value)).toEqual([1])
      expect((await loaded).map((r) => r.value)).toEqual([9])
    } finally {
      await pool.close()
    }
  })
})
