// A long-lived pool fed a new objective ref per call kept every ref and its init, in the caller
// and in every worker, even after close() (fault probe F9: 3,000 refs of 100 kB held 300 MB).
// Refs are now held weakly here, released in the workers when the caller drops them, and at most
// MAX_IDLE_OBJECTIVES that no batch uses stay loaded in a worker. Counted with WeakRefs after a
// full garbage collection, here and in the worker (fixtures/held-inits.objective.ts). The cost
// measured of each objective, which sizes its chunks, goes with it.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { objectiveModule } from '@parafit/core'
import { describe, expect, it, vi } from 'vitest'
import { mapWithContext, type Pool } from '../src/index.ts'
import { CostModel } from '../src/scheduler/chunking.ts'
import { MAX_IDLE_OBJECTIVES } from '../src/scheduler/objective-registry.ts'
import { type Backend, makePool, trackPools, workerBackends, xs } from './helpers.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const track = trackPools()

const heldInits = (pad: Float64Array) =>
  objectiveModule(new URL('./fixtures/held-inits.objective.ts', import.meta.url), { init: { pad } })

/** 100 kB, as in the probe. */
const newPad = () => new Float64Array(12_500)

/**
 * A ref whose init holds a new pad, watched through `pads`. Made here, so that no variable of the
 * test keeps the pad alive.
 */
function tracked(pads: WeakRef<Float64Array>[]): ReturnType<typeof heldInits> {
  const pad = newPad()
  pads.push(new WeakRef(pad))
  return heldInits(pad)
}

/** How many of `pads` survive a full collection (after the finalizers' turn, twice). */
async function alive(pads: readonly WeakRef<Float64Array>[]): Promise<number> {
  for (let i = 0; i < 2; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return pads.filter((pad) => pad.deref() !== undefined).length
}

/** How many objectives the worker holds, after it has evaluated `ref`. */
async function heldByWorker(pool: Pool, ref: ReturnType<typeof heldInits>): Promise<number> {
  const [result] = await mapWithContext(pool, ref, [{ x: 1 }])
  return result!.context.meta.held as number
}

describe.each(workerBackends)('objective refs on a long-lived pool, %s', (backend: Backend) => {
  it('a worker keeps at most MAX_IDLE_OBJECTIVES idle objectives; this side keeps none the caller dropped', async () => {
    const pool = track(makePool(backend, { numWorkers: 1 }))
    const pads: WeakRef<Float64Array>[] = []
    const kept: ReturnType<typeof heldInits>[] = []
    let most = 0
    for (let i = 0; i < 3 * MAX_IDLE_OBJECTIVES; i++) {
      // The caller keeps every ref: only the bound can release them in the worker.
      kept.push(tracked(pads))
      most = Math.max(most, await heldByWorker(pool, kept[i]!))
    }
    expect(most).toBe(MAX_IDLE_OBJECTIVES + 1)
    kept.length = 0
    // Dropped by the caller: released here, and then in the worker too.
    expect(await alive(pads)).toBe(0)
    const probe = heldInits(newPad())
    let held = await heldByWorker(pool, probe)
    for (let i = 0; i < 20 && held > 1; i++) {
      await alive(pads)
      held = await heldByWorker(pool, probe)
    }
    expect(held).toBe(1)
  }, 30_000)

  it('the cost measured of an objective is dropped with it, and at close()', async () => {
    // The pool's own CostModel, caught as it records the first cost.
    const recorded = vi.spyOn(CostModel.prototype, 'record')
    try {
      const pool = makePool(backend, { numWorkers: 1 })
      const kept: ReturnType<typeof heldInits>[] = []
      for (let i = 0; i < 3 * MAX_IDLE_OBJECTIVES; i++) {
        kept.push(heldInits(new Float64Array(1)))
        await mapWithContext(pool, kept[i]!, [{ x: 1 }])
      }
      const cost = recorded.mock.contexts[0] as CostModel
      expect(recorded.mock.contexts.every((context) => context === cost)).toBe(true)
      // One number per ref ever seen was kept (fault probe F9, in small).
      expect(cost.objectives).toBe(MAX_IDLE_OBJECTIVES + 1)
      await pool.close()
      expect(cost.objectives).toBe(0)
    } finally {
      recorded.mockRestore()
    }
  }, 30_000)

  it('close() lets go of everything, a batch cut short included', async () => {
    const pool = makePool(backend, { numWorkers: 1 })
    const pads: WeakRef<Float64Array>[] = []
    await mapWithContext(pool, tracked(pads), xs(3))
    const cut = mapWithContext(pool, tracked(pads), xs(5000)).catch((e: unknown) => e)
    await pool.close()
    expect(await cut).toBeInstanceOf(Error)
    expect(pool.closed).toBe(true)
    expect(await alive(pads)).toBe(0)
  })
})
