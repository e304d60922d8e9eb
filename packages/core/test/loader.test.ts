import { describe, expect, it } from 'vitest'
import {
  loadObjective,
  loadObjectiveCached,
  ObjectiveLoadError,
  objectiveModule,
  ValidationError,
} from '../src/index.ts'

const good = new URL('./fixtures/good.objective.ts', import.meta.url)

async function loadError(ref: ReturnType<typeof objectiveModule>): Promise<ObjectiveLoadError> {
  const error = await loadObjective(ref).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ObjectiveLoadError)
  return error as ObjectiveLoadError
}

describe('objectiveModule', () => {
  it('is plain data that survives structured cloning', () => {
    const ref = objectiveModule(good, { init: { offset: 1, data: Float64Array.of(1, 2) } })
    expect(structuredClone(ref)).toEqual(ref)
    expect(ref).toEqual({
      kind: 'parafit.ref',
      module: good.href,
      export: 'default',
      init: { offset: 1, data: Float64Array.of(1, 2) },
    })
  })

  it('accepts absolute paths and rejects relative ones with a hint', () => {
    expect(objectiveModule(good.pathname).module).toBe(good.href)
    expect(() => objectiveModule('./peaks.ts')).toThrow(ValidationError)
    expect(() => objectiveModule('./peaks.ts')).toThrow(/new URL\('\.\/peaks\.ts', import\.meta\.url\)/)
  })
})

describe('loadObjective', () => {
  it('imports the module and runs its factory with init', async () => {
    const f = await loadObjective(objectiveModule(good, { init: { offset: 1 } }))
    expect(await f.evaluate({ x: 4 })).toBe(9)
    const named = await loadObjective(objectiveModule(good, { export: 'named' }))
    expect(await named.evaluate({ x: 4 })).toBe(4)
  })

  it('caches per reference object, so the factory runs once', async () => {
    const ref = objectiveModule(good, { init: { offset: 0 } })
    const [a, b] = await Promise.all([loadObjectiveCached(ref), loadObjectiveCached(ref)])
    expect(a).toBe(b)
  })

  it('names the file when it does not exist', async () => {
    const e = await loadError(objectiveModule(new URL('./fixtures/missing.objective.ts', import.meta.url)))
    expect(e.message).toMatch(/missing\.objective\.ts: the file does not exist/)
    expect(e.module).toMatch(/missing\.objective\.ts$/)
  })

  it('lists the exports when the named one is missing', async () => {
    const e = await loadError(objectiveModule(good, { export: 'nope' }))
    expect(e.message).toMatch(/no export named 'nope' \(its exports: .*named.*\)/)
  })

  it('tells how to fix a plain function or another value', async () => {
    expect((await loadError(objectiveModule(good, { export: 'plainFunction' }))).message).toMatch(
      /export defineObjective/,
    )
    expect((await loadError(objectiveModule(good, { export: 'notAnObjective' }))).message).toMatch(
      /make it with defineObjective/,
    )
  })

  it('reports a module that throws while loading, and a factory that throws', async () => {
    const e = await loadError(
      objectiveModule(new URL('./fixtures/throws-on-load.objective.ts', import.meta.url)),
    )
    expect(e.message).toMatch(
      /throws-on-load\.objective\.ts: it threw while loading: Error: cannot open data\.csv/,
    )
    const f = await loadError(objectiveModule(good, { export: 'factoryThrows' }))
    expect(f.message).toMatch(/its factory threw: RangeError: bad init/)
  })
})
