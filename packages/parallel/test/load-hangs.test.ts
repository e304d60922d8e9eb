// A module that never finishes loading (a loop or a wait at its top level or in its factory)
// hung mapWithContext on every backend, whatever timeoutMs said (fault probe F8). Loading now
// counts against timeoutMs: the worker stuck in it is stopped and replaced, and the call fails
// with ObjectiveLoadError naming the module. The serial pool cannot stop its own thread: a load
// that waits is left behind at the limit; one that loops cannot be helped (and is not tested).
import { AbortError, ObjectiveLoadError, objectiveModule } from '@parafit/core'
import { describe, expect, it } from 'vitest'
import { mapWithContext, type Pool } from '../src/index.ts'
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
