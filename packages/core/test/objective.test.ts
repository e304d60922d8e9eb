import { describe, expect, it } from 'vitest'
import {
  combine,
  defineObjective,
  EvaluateContext,
  type Hook,
  HookError,
  hooks,
  ObjectiveValueError,
  objective,
} from '../src/index.ts'
import { failure } from './helpers.ts'

function recorder(log: string[], name: string, fail?: 'pre' | 'post'): Hook {
  return {
    pre(ctx) {
      log.push(`${name}.pre loss=${ctx.loss}`)
      if (fail === 'pre') throw new Error(`${name} pre failed`)
    },
    post(ctx, error) {
      log.push(`${name}.post loss=${ctx.loss} error=${error === undefined ? 'none' : (error as Error).name}`)
      if (fail === 'post') throw new Error(`${name} post failed`)
    },
  }
}

describe('objective lifecycle', () => {
  it('sets parameters, runs pre-hooks, evaluates, sets the loss, runs post-hooks, in order', async () => {
    const log: string[] = []
    const f = objective<{ x: number }>((p, ctx) => {
      log.push(`evaluate params=${JSON.stringify(ctx.parameters)}`)
      return p.x * 2
    }).withHooks([recorder(log, 'a'), recorder(log, 'b')])
    const ctx = new EvaluateContext()
    ctx.loss = 99
    expect(await f.evaluate({ x: 3 }, ctx)).toBe(6)
    expect(ctx.loss).toBe(6)
    expect(log).toEqual([
      'a.pre loss=undefined',
      'b.pre loss=undefined',
      'evaluate params={"x":3}',
      'a.post loss=6 error=none',
      'b.post loss=6 error=none',
    ])
  })

  it('runs post-hooks after a failure; the evaluation error stays primary', async () => {
    const log: string[] = []
    const f = objective(() => {
      throw new TypeError('model diverged')
    }).withHooks([recorder(log, 'a', 'post'), recorder(log, 'b')])
    const ctx = new EvaluateContext()
    const error = await failure(f.evaluate({ x: 1 }, ctx))
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.message).toBe('the root objective failed with parameters {"x":1}: TypeError: model diverged')
    expect(error.params).toEqual({ x: 1 })
    expect(ctx.loss).toBeUndefined()
    expect(ctx.temp.error).toBe(error)
    expect(log).toEqual([
      'a.pre loss=undefined',
      'b.pre loss=undefined',
      'a.post loss=undefined error=ObjectiveError',
      'b.post loss=undefined error=ObjectiveError',
    ])
  })

  it('a failing pre-hook skips the evaluation but still runs every post-hook', async () => {
    const log: string[] = []
    let evaluated = false
    const f = objective(() => {
      evaluated = true
      return 1
    }).withHooks([recorder(log, 'a', 'pre'), recorder(log, 'b')])
    const error = await failure(f.evaluate({ x: 1 }))
    expect(error.message).toMatch(/a pre failed/)
    expect(evaluated).toBe(false)
    expect(log).toEqual([
      'a.pre loss=undefined',
      'a.post loss=undefined error=ObjectiveError',
      'b.post loss=undefined error=ObjectiveError',
    ])
  })

  it('reports the errors of several post-hooks together and keeps the loss', async () => {
    const log: string[] = []
    const f = objective(() => 5).withHooks([
      recorder(log, 'a', 'post'),
      recorder(log, 'b'),
      recorder(log, 'c', 'post'),
    ])
    const ctx = new EvaluateContext()
    const error = await failure(f.evaluate({ x: 1 }, ctx))
    expect(error.cause).toBeInstanceOf(HookError)
    const hookError = error.cause as HookError
    expect(hookError.errors.map((e) => (e as Error).message)).toEqual(['a post failed', 'c post failed'])
    expect(error.message).toMatch(/2 post-evaluation hook\(s\) failed: a post failed; c post failed/)
    expect(ctx.loss).toBe(5)
  })

  it('a post-hook that leaves no loss fails the evaluation instead of returning undefined', async () => {
    const clears: Hook = {
      post(ctx) {
        ctx.loss = undefined
      },
    }
    for (const f of [objective(() => 5), combine([objective(() => 5)])]) {
      const error = await failure(f.withHooks(clears).evaluate({ x: 1 }))
      expect(error).toBeInstanceOf(ObjectiveValueError)
      expect(error.message).toMatch(/a post-hook left ctx\.loss undefined/)
    }
  })

  it('withHooks returns a copy; the original keeps its hooks', async () => {
    const log: string[] = []
    const base = objective(() => 1)
    const hooked = base.withHooks(recorder(log, 'a'))
    await base.evaluate({ x: 0 })
    expect(log).toEqual([])
    await hooked.evaluate({ x: 0 })
    expect(log).toHaveLength(2)
    expect(base.hooks).toEqual([])
    expect(() => base.withHooks({} as Hook)).toThrow(/neither a pre nor a post/)
  })

  it('awaits async objectives', async () => {
    const f = objective(async (p: { x: number }) => {
      await new Promise((r) => setTimeout(r, 1))
      return p.x + 1
    })
    expect(await f.evaluate({ x: 1 })).toBe(2)
  })
})

describe('evaluateNow: the lifecycle without a promise for a synchronous objective', () => {
  const cases = [
    ['synchronous', (x: number) => x * 2],
    ['asynchronous', async (x: number) => x * 2],
  ] as const

  it.each(cases)(
    'a %s function gives what evaluate() gives, with the same hooks run in order',
    async (kind, fn) => {
      const run = async (how: 'evaluate' | 'evaluateNow') => {
        const log: string[] = []
        const f = objective<{ x: number }>((p) => fn(p.x)).withHooks([recorder(log, 'a')])
        const ctx = new EvaluateContext()
        const returned = how === 'evaluate' ? f.evaluate({ x: 3 }, ctx) : f.evaluateNow!({ x: 3 }, ctx)
        if (how === 'evaluateNow') expect(typeof returned === 'number').toBe(kind === 'synchronous')
        return { value: await returned, loss: ctx.loss, log }
      }
      expect(await run('evaluateNow')).toEqual(await run('evaluate'))
    },
  )

  it('a synchronous failure is thrown at once, as the same ObjectiveError evaluate() rejects with', async () => {
    const log: string[] = []
    const f = objective<{ x: number }>(() => {
      throw new RangeError('no')
    }).withHooks([recorder(log, 'a')])
    let thrown: unknown
    try {
      f.evaluateNow!({ x: 1 })
    } catch (error) {
      thrown = error
    }
    const rejected = await f.evaluate({ x: 1 }).catch((error: unknown) => error)
    expect(thrown).toBeInstanceOf(Error)
    expect((thrown as Error).name).toBe('ObjectiveError')
    expect((thrown as Error).message).toBe((rejected as Error).message)
    // Once for evaluateNow, once for evaluate: pre, then post with the failure.
    const once = ['a.pre loss=undefined', 'a.post loss=undefined error=ObjectiveError']
    expect(log).toEqual([...once, ...once])
  })

  it('a bad value fails the same way as through evaluate()', async () => {
    const f = objective(() => Number.NaN)
    expect(() => f.evaluateNow!({ x: 1 })).toThrow(ObjectiveValueError)
    await expect(f.evaluate({ x: 1 })).rejects.toBeInstanceOf(ObjectiveValueError)
  })
})

describe('objective values', () => {
  it.each([
    [Number.NaN, /returned NaN/],
    [Number.POSITIVE_INFINITY, /returned Infinity/],
    [Number.NEGATIVE_INFINITY, /returned -Infinity/],
    ['1', /returned a string; return a number/],
    [undefined, /returned undefined; return a number/],
    [null, /returned null/],
    [{ loss: 1 }, /returned an object; return a number/],
    [new Date(0), /returned an object of class Date/],
    [true, /returned a boolean/],
    [Float64Array.of(1, Number.NaN), /residual 1 of 2 is NaN/],
  ])('rejects %s with an ObjectiveValueError', async (value, message) => {
    const error = await failure(objective(() => value as number).evaluate({ x: 1 }))
    expect(error).toBeInstanceOf(ObjectiveValueError)
    expect(error.code).toBe('PARAFIT_OBJECTIVE_VALUE')
    expect(error.message).toMatch(message)
  })

  it('takes the sum of squares of residuals as the loss and keeps the residuals', async () => {
    const ctx = new EvaluateContext()
    expect(await objective(() => Float64Array.of(1, -2, 2)).evaluate({ x: 1 }, ctx)).toBe(9)
    expect([...ctx.residuals!]).toEqual([1, -2, 2])
    expect(await objective(() => [3, 4] as unknown as Float64Array).evaluate({ x: 1 })).toBe(25)
  })
})

describe('built-in hooks', () => {
  it('timing writes elapsed seconds, also for a failed evaluation, under its key', async () => {
    const ok = new EvaluateContext()
    await objective(async () => {
      await new Promise((r) => setTimeout(r, 20))
      return 1
    })
      .withHooks(hooks.timing())
      .evaluate({ x: 1 }, ok)
    expect((ok.meta.timing as { elapsedSeconds: number }).elapsedSeconds).toBeGreaterThanOrEqual(0.015)
    const failed = new EvaluateContext()
    await failure(
      objective(() => {
        throw new Error('x')
      })
        .withHooks([hooks.timing('t1'), hooks.timing('t2')])
        .evaluate({ x: 1 }, failed),
    )
    expect(failed.meta.t1).toEqual({ elapsedSeconds: expect.any(Number) })
    expect(failed.meta.t2).toEqual({ elapsedSeconds: expect.any(Number) })
    expect(() => hooks.timing('')).toThrow(/non-empty/)
  })

  it('evaluationId writes a fresh UUID on every evaluation, even with a reused context', async () => {
    const f = objective(() => 1).withHooks(hooks.evaluationId())
    const ctx = new EvaluateContext()
    await f.evaluate({ x: 1 }, ctx)
    const first = ctx.meta.evaluationId
    await f.evaluate({ x: 1 }, ctx)
    expect(first).toMatch(/^[0-9a-f-]{36}$/)
    expect(ctx.meta.evaluationId).not.toBe(first)
  })
})

describe('defineObjective', () => {
  it('runs the factory with init and returns an objective carrying the definition hooks', async () => {
    const log: string[] = []
    const def = defineObjective((init: { k: number }) => (p: { x: number }) => init.k * p.x).withHooks(
      recorder(log, 'h'),
    )
    expect(def.kind).toBe('parafit.objective')
    const f = await def.create({ k: 3 })
    expect(await f.evaluate({ x: 2 })).toBe(6)
    expect(log).toHaveLength(2)
  })

  it('accepts a factory that returns a ready objective', async () => {
    const def = defineObjective(async () => objective(() => 7))
    expect(await (await def.create(undefined)).evaluate({ x: 0 })).toBe(7)
  })

  it('rejects a factory that returns something else', async () => {
    await expect(defineObjective(() => 5 as never).create(undefined)).rejects.toThrow(
      /must return \(params, ctx\) => loss/,
    )
    expect(() => defineObjective(5 as never)).toThrow(/needs a factory/)
  })
})
