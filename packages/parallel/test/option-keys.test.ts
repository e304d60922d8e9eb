// Unknown option keys fail with a ValidationError that names the key path and suggests the
// closest known key, before anything is evaluated or any worker started; the right spelling is
// accepted at every level.
import { EvaluateContext, objective, type ValidationError } from '@parafit/core'
import { assertUnknownOption, rejectedValidationError, validationErrorOf } from '@parafit/core/testing'
import { describe, expect, it } from 'vitest'
import { mapWithContext, mapWithContextSettled, processPool, serialPool, threadPool } from '../src/index.ts'
import { trackPools, xs } from './helpers.ts'

const track = trackPools()

function expectNamed(error: ValidationError, keyPath: string, suggestion: string): void {
  assertUnknownOption(error, keyPath, suggestion)
  expect(error.message).not.toContain('excess property')
}

function counted() {
  const calls = { n: 0 }
  const fn = objective((p: { x: number }) => {
    calls.n++
    return p.x * p.x
  })
  return { calls, fn }
}

describe('mapWithContext options', () => {
  it('refuses a misspelled option before evaluating anything', async () => {
    const { calls, fn } = counted()
    const pool = track(serialPool())
    expectNamed(
      await rejectedValidationError(mapWithContext(pool, fn, xs(3), { timeout: 5 } as never)),
      'timeout',
      'timeoutMs',
    )
    expectNamed(
      await rejectedValidationError(mapWithContext(pool, fn, xs(3), { retry: 1 } as never)),
      'retry',
      'retries',
    )
    expectNamed(
      await rejectedValidationError(mapWithContextSettled(pool, fn, xs(3), { context: [] } as never)),
      'context',
      'contexts',
    )
    expectNamed(
      await rejectedValidationError(
        mapWithContextSettled(pool, fn, xs(3), { onprogress: () => {} } as never),
      ),
      'onprogress',
      'onProgress',
    )
    expect(calls.n).toBe(0)
  })

  it('accepts every option spelled right', async () => {
    const { calls, fn } = counted()
    const pool = track(serialPool())
    const contexts = xs(3).map(() => new EvaluateContext())
    const progress: number[] = []
    const results = await mapWithContext(pool, fn, xs(3), {
      timeoutMs: 60_000,
      retries: 0,
      signal: new AbortController().signal,
      onProgress: (done) => progress.push(done),
      contexts,
    })
    expect(results.map((r) => r.value)).toEqual([0, 1, 4])
    expect(results[2]!.context).toBe(contexts[2])
    expect(progress.at(-1)).toBe(3)
    expect(calls.n).toBe(3)
  })
})

describe('pool options', () => {
  it('refuses a misspelled option at every level, naming its key path', () => {
    expectNamed(
      validationErrorOf(() => threadPool({ numworkers: 2 } as never)),
      'numworkers',
      'numWorkers',
    )
    expectNamed(
      validationErrorOf(() => threadPool({ numWorkers: 2, timeOut: 10 } as never)),
      'timeOut',
      'timeoutMs',
    )
    expectNamed(
      validationErrorOf(() => threadPool({ numWorkers: 2, resourceLimit: {} } as never)),
      'resourceLimit',
      'resourceLimits',
    )
    const nested = validationErrorOf(() =>
      threadPool({ numWorkers: 2, resourceLimits: { maxOldGenerationSizeMB: 64, stackSize: 4 } } as never),
    )
    expectNamed(nested, 'resourceLimits.maxOldGenerationSizeMB', 'maxOldGenerationSizeMb')
    expect(nested.message).toContain("'maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb'")
    expectNamed(
      validationErrorOf(() => processPool({ numWorkers: 2, execArg: [] } as never)),
      'execArg',
      'execArgv',
    )
    expectNamed(
      validationErrorOf(() => processPool({ numWorkers: 2, enviroment: {} } as never)),
      'enviroment',
      'env',
    )
  })

  it('accepts every option spelled right, and any names in env', async () => {
    const threads = track(
      threadPool({
        numWorkers: 1,
        timeoutMs: 60_000,
        retries: 1,
        resourceLimits: {
          maxOldGenerationSizeMb: 256,
          maxYoungGenerationSizeMb: 32,
          codeRangeSizeMb: 16,
          stackSizeMb: 4,
        },
      }),
    )
    expect(threads.size).toBe(1)
    const processes = track(
      processPool({
        numWorkers: 1,
        timeoutMs: 60_000,
        retries: 0,
        execArgv: [],
        env: { ANY_NAME_AT_ALL: '1' },
      }),
    )
    expect(processes.size).toBe(1)
    // Values of the wrong type are refused too, naming the key.
    expect(() => threadPool({ numWorkers: 2, resourceLimits: 5 } as never)).toThrow(
      /resourceLimits of threadPool options must be an object, got number \(at 'resourceLimits'\)/,
    )
  })
})
