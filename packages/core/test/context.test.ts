import { deserialize, serialize } from 'node:v8'
import { test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { ContextTransportError, cloneState, EvaluateContext, findUncloneable } from '../src/index.ts'
import { evaluateContext } from '../src/testing/index.ts'
import { expectSameData } from './same-data.ts'

describe('EvaluateContext children', () => {
  it('deep-copies config into each child, shares `shared`, and configures in index order', () => {
    const parent = new EvaluateContext({ config: { nested: { n: 1 } }, shared: { cache: [] } })
    const calls: number[] = []
    const children = parent.spawnChildren(3, (i, child, count, p) => {
      calls.push(i)
      expect(count).toBe(3)
      expect(p).toBe(parent)
      ;(child.config.nested as { n: number }).n = 10 + i
    })
    expect(calls).toEqual([0, 1, 2])
    expect(children.map((c) => (c.config.nested as { n: number }).n)).toEqual([10, 11, 12])
    expect((parent.config.nested as { n: number }).n).toBe(1)
    expect(children.every((c) => c.shared === parent.shared)).toBe(true)
    expect(parent.children).toEqual(children)
  })

  it('gives each child a config of its own when the parent has none, or an empty one', () => {
    for (const parent of [new EvaluateContext(), new EvaluateContext({ config: {} })]) {
      const children = parent.spawnChildren(3, (i, child) => {
        child.config.index = i
      })
      expect(children.map((c) => c.config.index)).toEqual([0, 1, 2])
      expect(parent.config).toEqual({})
      expect(children.every((c) => c.shared === parent.shared)).toBe(true)
    }
  })

  it('replaces an earlier batch of children', () => {
    const parent = new EvaluateContext()
    parent.spawnChildren(3)
    const second = parent.spawnChildren(1)
    expect(parent.children).toEqual(second)
    expect(parent.children).toHaveLength(1)
  })

  it('collects child metadata into meta.children in index order', () => {
    const parent = new EvaluateContext()
    const [a, b] = parent.spawnChildren(2)
    b!.loss = 2
    a!.loss = 1
    a!.meta.tag = 'a'
    parent.collectChildMeta()
    expect(parent.meta.children).toEqual([
      { parameters: undefined, loss: 1, quantities: undefined, meta: { tag: 'a' } },
      { parameters: undefined, loss: 2, quantities: undefined, meta: {} },
    ])
  })

  it('leaves meta alone when there are no children', () => {
    const ctx = new EvaluateContext()
    ctx.collectChildMeta()
    expect(ctx.meta).toEqual({})
  })
})

describe('context transport', () => {
  test.prop([evaluateContext()])('input state survives v8.serialize and rebuilds an equal context', (ctx) => {
    const copy = EvaluateContext.fromInputState(deserialize(serialize(ctx.toInputState())))
    expectSameData(copy.toInputState(), ctx.toInputState())
    expect(copy.temp).toEqual({})
  })

  // Seed 929741696 once drew an invalid Date (time NaN), which the comparison took for a difference.
  test.prop([evaluateContext()], { seed: 929741696 })(
    'input state with an invalid Date survives v8.serialize (regression seed)',
    (ctx) => {
      expectSameData(deserialize(serialize(ctx.toInputState())), ctx.toInputState())
    },
  )

  test.prop([evaluateContext()])('result state survives v8.serialize and is applied in place', (ctx) => {
    const target = new EvaluateContext({ config: { keep: true } })
    const before = target
    target.applyResultState(deserialize(serialize(ctx.toResultState())))
    expect(target).toBe(before)
    expectSameData(target.toResultState(), ctx.toResultState())
    expect(target.config).toEqual({ keep: true })
  })

  it('never sends temp, and applyResultState overwrites rather than merges', () => {
    const ctx = new EvaluateContext()
    ctx.temp.handle = () => 1
    ctx.meta = { a: 1 }
    expect(Object.keys(ctx.toInputState())).toEqual(['parameters', 'config', 'shared', 'meta'])
    expect(Object.keys(ctx.toResultState())).toEqual([
      'parameters',
      'loss',
      'quantities',
      'meta',
      'residuals',
    ])
    ctx.applyResultState({
      parameters: { x: 1 },
      loss: 2,
      quantities: undefined,
      meta: { b: 2 },
      residuals: undefined,
    })
    expect(ctx.meta).toEqual({ b: 2 })
  })

  it('names the key path of a value that cannot be cloned', () => {
    const ctx = new EvaluateContext()
    ctx.meta = { ok: 1, deep: { list: [1, { fn: () => 1 }] } }
    expect(() => cloneState(ctx.toResultState(), 'result')).toThrow(ContextTransportError)
    try {
      cloneState(ctx.toResultState(), 'result')
    } catch (error) {
      expect((error as ContextTransportError).keyPath).toBe('result.meta.deep.list[1].fn')
      expect((error as Error).message).toMatch(/ctx\.temp/)
    }
    expect(findUncloneable({ m: new Map([['k', Symbol('s')]]) }, 'meta')?.keyPath).toBe('meta.m.get("k")')
    expect(findUncloneable({ a: [1, 2] }, 'meta')).toBeUndefined()
  })

  it('names the config key when a child cannot get its copy of config', () => {
    const ctx = new EvaluateContext({ config: { solver: { callback: () => 0 } } })
    expect(() => ctx.spawnChildren(1)).toThrow(/config\.solver\.callback/)
  })
})
