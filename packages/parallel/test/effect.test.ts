import { ValidationError } from '@parafit/core'
import { Cause, Effect, Exit } from 'effect'
import { describe, expect, it } from 'vitest'
import { layerChoose, layerThreads, mapWithContext, ParallelPool } from '../src/effect.ts'
import { faulty, xs } from './helpers.ts'

describe('@parafit/parallel/effect', () => {
  it('provides a pool for the scope of the layer and closes it afterwards', async () => {
    let seen: { closed: boolean } | undefined
    const program = Effect.gen(function* () {
      const pool = yield* ParallelPool
      seen = pool
      const results = yield* mapWithContext(faulty('throw', -1), xs(10))
      return results.map((r) => r.value)
    })
    const values = await Effect.runPromise(program.pipe(Effect.provide(layerThreads({ numWorkers: 2 }))))
    expect(values).toEqual(xs(10).map(({ x }) => x * x))
    expect(seen?.closed).toBe(true)
  })

  it('interruption aborts the batch: a hung evaluation is stopped and the pool closed', async () => {
    const started = performance.now()
    const exit = await Effect.runPromiseExit(
      mapWithContext(faulty('hang', 0), xs(2)).pipe(
        Effect.timeout('300 millis'),
        Effect.provide(layerThreads({ numWorkers: 2 })),
      ),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(performance.now() - started).toBeLessThan(3000)
  })

  it('fails with the typed error of bad options', async () => {
    const exit = await Effect.runPromiseExit(
      mapWithContext(faulty('throw', -1), xs(1)).pipe(Effect.provide(layerChoose(0))),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) {
      const error = Cause.squash(exit.cause)
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).keyPath).toBe('numWorkers')
    }
  })
})
