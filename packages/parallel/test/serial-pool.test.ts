// The serial pool keeps the promises of the worker pools as far as one thread can: abort,
// close() and timeoutMs, with objectives that really spin the thread or really never settle;
// its default hands over the caller's objects, strict: true clones as a worker transport does.

import {
  AbortError,
  ContextTransportError,
  EvaluateContext,
  EvaluationTimeoutError,
  objective,
  PoolClosedError,
} from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { mapWithContext, mapWithContextSettled, serialPool } from '../src/index.ts'

/** Holds the thread for `ms`, as a CPU-bound objective does. */
function spin(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

function spinning(ms: number, counter: { calls: number }) {
  return objective<{ x: number }>((p) => {
    counter.calls++
    spin(ms)
    return p.x * p.x
  })
}

const never = objective<{ x: number }>(() => new Promise<number>(() => {}))
const xs = (n: number) => Array.from({ length: n }, (_, i) => ({ x: i }))

describe('serialPool', () => {
  test('an AbortSignal fired by a timer stops a batch of CPU-bound evaluations between two of them', async () => {
    const pool = serialPool()
    const counter = { calls: 0 }
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = performance.now()
    // 200 evaluations of 20 ms each would take 4 s.
    await expect(
      mapWithContext(pool, spinning(20, counter), xs(200), { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortError)
    expect(counter.calls).toBeGreaterThan(0)
    expect(counter.calls).toBeLessThan(100)
    expect(performance.now() - started).toBeLessThan(2000)
    await pool.close()
  })

  test('abort ends a batch at once while an asynchronous evaluation never settles', async () => {
    const pool = serialPool()
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    await expect(mapWithContext(pool, never, xs(3), { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    )
    // The pool goes on serving.
    const results = await mapWithContext(pool, spinning(0, { calls: 0 }), xs(3))
    expect(results.map((r) => r.value)).toEqual([0, 1, 4])
    await pool.close()
  })

  test('close() rejects a pending batch with PoolClosedError, whether it spins or waits', async () => {
    const waiting = serialPool()
    const pending = mapWithContext(waiting, never, xs(2))
    setTimeout(() => void waiting.close(), 50)
    await expect(pending).rejects.toBeInstanceOf(PoolClosedError)

    const spinningPool = serialPool()
    const counter = { calls: 0 }
    const busy = mapWithContext(spinningPool, spinning(20, counter), xs(200))
    setTimeout(() => void spinningPool.close(), 100)
    await expect(busy).rejects.toBeInstanceOf(PoolClosedError)
    expect(counter.calls).toBeLessThan(100)
    await expect(mapWithContext(spinningPool, never, xs(1))).rejects.toBeInstanceOf(PoolClosedError)
  })

  test('timeoutMs fails an evaluation that never settles, and one that returns late; the others go on', async () => {
    const pool = serialPool({ timeoutMs: 40 })
    const slowAt2 = objective<{ x: number }>((p) => {
      if (p.x === 2) return new Promise<number>(() => {})
      if (p.x === 3) spin(80)
      return p.x
    })
    const settled = await mapWithContextSettled(pool, slowAt2, xs(5))
    expect(settled.map((s) => s.ok)).toEqual([true, true, false, false, true])
    const errors = settled.filter((s) => !s.ok).map((s) => (s as { error: unknown }).error)
    for (const error of errors) expect(error).toBeInstanceOf(EvaluationTimeoutError)
    await pool.close()
  })

  test('a timed-out evaluation is run again while retries allow', async () => {
    const counter = { calls: 0 }
    const lateOnce = objective<{ x: number }>((p) => {
      counter.calls++
      if (counter.calls === 1) spin(60)
      return p.x
    })
    const pool = serialPool()
    const [result] = await mapWithContext(pool, lateOnce, [{ x: 7 }], { timeoutMs: 30, retries: 1 })
    expect(result!.value).toBe(7)
    expect(counter.calls).toBe(2)
    await pool.close()
  })

  test('contexts still come back in place after yielding', async () => {
    const pool = serialPool()
    const tagged = objective<{ x: number }>((p, ctx) => {
      spin(3)
      ctx.meta.x = p.x
      return p.x
    })
    const contexts = xs(20).map(() => new EvaluateContext())
    await mapWithContext(pool, tagged, xs(20), { contexts })
    expect(contexts.map((c) => c.meta.x)).toEqual(xs(20).map((p) => p.x))
    await pool.close()
  })

  test("by default the objective gets the caller's objects; strict: true clones them as a worker transport does", async () => {
    const seen: unknown[] = []
    const keep = objective<{ x: number }>((p, ctx) => {
      seen.push(p, ctx.config)
      ctx.meta.fn = () => p.x // a function cannot cross to a worker
      return p.x
    })
    const params = { x: 2 }
    const ctx = new EvaluateContext({ config: { mode: 'fast' } })
    const fast = serialPool()
    const [result] = await mapWithContext(fast, keep, [params], { contexts: [ctx] })
    expect(result!.value).toBe(2)
    expect(seen[0]).toBe(params)
    expect(seen[1]).toBe(ctx.config)
    expect(typeof ctx.meta.fn).toBe('function')

    seen.length = 0
    const strict = serialPool({ strict: true })
    const strictCtx = new EvaluateContext({ config: { mode: 'fast' } })
    const [failed] = await mapWithContextSettled(strict, keep, [params], { contexts: [strictCtx] })
    expect(seen[0]).not.toBe(params)
    expect(seen[0]).toEqual(params)
    expect(seen[1]).not.toBe(strictCtx.config)
    expect(failed!.ok).toBe(false)
    expect((failed as { error: Error }).error).toBeInstanceOf(ContextTransportError)
    await fast.close()
    await strict.close()
  })

  test('its options are checked: a misspelled one names the closest, a bad value its key', () => {
    expect(() => serialPool({ strikt: true } as never)).toThrow(/did you mean 'strict'/)
    expect(() => serialPool({ timeoutMs: -1 })).toThrow(/timeoutMs/)
  })
})
