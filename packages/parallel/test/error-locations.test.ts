// Errors from the user's module keep pointing at the user's code after crossing from a worker
// thread or child process: the file:line:column of a throw in an evaluation or at load, and of
// a syntax error, which the worker (a plain Node, not vitest) reads from Node's loader.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ObjectiveError, ObjectiveLoadError, objectiveModule } from '@parafit/core'
import { afterAll, describe, expect, it } from 'vitest'
import { mapWithContext, mapWithContextSettled } from '../src/index.ts'
import { faulty, makePool, trackPools, workerBackends, xs } from './helpers.ts'

const track = trackPools()
const scratch = mkdtempSync(join(tmpdir(), 'parafit-locations-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe.each(workerBackends)('user code locations, %s', (backend) => {
  it("an evaluation that throws: the cause's stack has the user's file:line:column", async () => {
    const pool = track(makePool(backend))
    const settled = await mapWithContextSettled(pool, faulty('throw'), xs(5))
    const failed = settled[3]!
    expect(failed.ok).toBe(false)
    if (failed.ok) return
    expect(failed.error).toBeInstanceOf(ObjectiveError)
    const cause = failed.error.cause as Error
    expect(cause.name).toBe('RangeError')
    // faulty.objective.ts line 44: `throw new RangeError(...)`.
    expect(cause.stack).toMatch(/fixtures\/faulty\.objective\.ts:44:13\)?$/m)
  })

  it('a module that throws while loading: ObjectiveLoadError whose message and cause give the line', async () => {
    const pool = track(makePool(backend))
    const ref = objectiveModule(new URL('./fixtures/throws-on-load.objective.ts', import.meta.url))
    const error = await mapWithContext(pool, ref, xs(2)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ObjectiveLoadError)
    expect((error as Error).message).toMatch(/\(at \S*fixtures\/throws-on-load\.objective\.ts:1:7\)$/)
    expect(((error as Error).cause as Error).stack).toMatch(/fixtures\/throws-on-load\.objective\.ts:1:7/)
  })

  it('a module with a syntax error: ObjectiveLoadError with path:line:column and the line', async () => {
    const model = join(scratch, `${backend}-model.ts`)
    writeFileSync(model, 'const a: number = 1\n\nconst x = ;\nexport default a\n')
    const pool = track(makePool(backend))
    const error = await mapWithContext(pool, objectiveModule(pathToFileURL(model)), xs(2)).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ObjectiveLoadError)
    expect((error as Error).message).toContain(`${model}:3:11: Expression expected\n  3 | const x = ;`)
  })
})
