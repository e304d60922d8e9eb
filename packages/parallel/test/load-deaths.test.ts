// A module that killed its worker while loading is unloadable after three deaths in a row; deaths
// spread over a pool's life, with successful loads between them, must not add up (found by the
// chaos test: outside kills that happened to land during loads failed a healthy module).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ObjectiveLoadError, objectiveModule } from '@parafit/core'
import { describe, expect, it } from 'vitest'
import { mapWithContext, processPool } from '../src/index.ts'
import { trackPools } from './helpers.ts'

const track = trackPools()
const module = new URL('./fixtures/dies-on-load-counted.objective.ts', import.meta.url)

describe('deaths while loading an objective', () => {
  it('only deaths in a row count: two, a good load, one more, and the module still loads', async () => {
    const deaths = join(mkdtempSync(join(tmpdir(), 'parafit-load-deaths-')), 'count')
    writeFileSync(deaths, '2')
    const env = { ...process.env, PARAFIT_TEST_LOAD_DEATHS: deaths }
    const pool = track(processPool({ numWorkers: 1, retries: 2, env }))
    const ref = objectiveModule(module)
    // Two deaths while loading, then the third worker loads it.
    expect((await mapWithContext(pool, ref, [{ x: 3 }])).map((r) => r.value)).toEqual([9])
    // The worker dies evaluating x < 0; its replacement dies once more while loading, then loads.
    writeFileSync(deaths, '1')
    const outcome = await mapWithContext(pool, ref, [{ x: -1 }]).catch((e: unknown) => e)
    expect(outcome).not.toBeInstanceOf(ObjectiveLoadError)
    expect((await mapWithContext(pool, ref, [{ x: 5 }])).map((r) => r.value)).toEqual([25])
  })

  it('three deaths in a row still make the module unloadable, named', async () => {
    const deaths = join(mkdtempSync(join(tmpdir(), 'parafit-load-deaths-')), 'count')
    writeFileSync(deaths, '3')
    const env = { ...process.env, PARAFIT_TEST_LOAD_DEATHS: deaths }
    const pool = track(processPool({ numWorkers: 1, retries: 5, env }))
    const outcome = await mapWithContext(pool, objectiveModule(module), [{ x: 3 }]).catch((e: unknown) => e)
    expect(outcome).toBeInstanceOf(ObjectiveLoadError)
    expect(String(outcome)).toMatch(/dies-on-load-counted\.objective\.ts: workers died while loading it/)
  })
})
