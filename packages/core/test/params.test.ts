import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  flattenParams,
  ParamSpace,
  splitFlatKey,
  unflattenParams,
  ValidationError,
  validateParams,
} from '../src/index.ts'
import { boundedParams, paramTree, validationErrorOf } from '../src/testing/index.ts'
import { expectSameData } from './same-data.ts'

describe('flattenParams / unflattenParams', () => {
  it('joins nested keys with dots', () => {
    expect(flattenParams({ a: { b: 1, c: { d: 2 } }, e: 3 })).toEqual({ 'a.b': 1, 'a.c.d': 2, e: 3 })
  })

  it('escapes dots and backslashes inside keys so they stay unambiguous', () => {
    const tree = { 'a.b': 1, a: { b: 2 }, 'x\\': { '.': 3 } }
    const flat = flattenParams(tree)
    expect(flat).toEqual({ 'a\\.b': 1, 'a.b': 2, 'x\\\\.\\.': 3 })
    expect(unflattenParams(flat)).toEqual(tree)
  })

  it('treats __proto__ as an ordinary key', () => {
    const flat = { '__proto__.x': 1 }
    const tree = unflattenParams(flat)
    expect(Object.getPrototypeOf(tree)).toBe(Object.prototype)
    expect(Object.keys(tree)).toEqual(['__proto__'])
    expect(flattenParams(tree)).toEqual(flat)
  })

  test.prop([paramTree()])('unflatten(flatten(t)) is t for any tree', (tree) => {
    expectSameData(unflattenParams(flattenParams(tree)), tree)
  })

  test.prop([paramTree()])('flatten(unflatten(f)) is f for any flattened tree', (tree) => {
    const flat = flattenParams(tree)
    expectSameData(flattenParams(unflattenParams(flat)), flat)
  })

  test.prop([fc.array(fc.string(), { minLength: 1, maxLength: 4 })])(
    'splitFlatKey inverts the escaping of any path',
    (path) => {
      const flat = flattenParams(
        path.reduceRight<Record<string, unknown>>(
          (inner, key) => {
            const node = {}
            Object.defineProperty(node, key, { value: inner, enumerable: true })
            return node
          },
          1 as unknown as Record<string, unknown>,
        ) as never,
      )
      expect(Object.keys(flat).map(splitFlatKey)).toEqual([path])
    },
  )

  it('rejects a key used both as a parameter and as a group', () => {
    expect(validationErrorOf(() => unflattenParams({ a: 1, 'a.b': 2 })).keyPath).toBe('a.b')
  })

  it('rejects empty groups and non-number leaves, naming the key', () => {
    expect(validationErrorOf(() => flattenParams({ a: {} })).keyPath).toBe('a')
    expect(validationErrorOf(() => flattenParams({ a: { b: 'x' } } as never)).keyPath).toBe('a.b')
    expect(validationErrorOf(() => flattenParams({ a: [1, 2] } as never)).message).toMatch(/an array/)
  })
})

describe('validateParams', () => {
  it('names the key of a NaN or infinite parameter', () => {
    const e = validationErrorOf(() => validateParams({ a: { b: Number.NaN } }))
    expect(e.keyPath).toBe('a.b')
    expect(e.message).toMatch(/NaN/)
    expect(validationErrorOf(() => validateParams({ x: Number.POSITIVE_INFINITY })).keyPath).toBe('x')
  })

  it('names missing and extra keys against a template', () => {
    expect(validationErrorOf(() => validateParams({ a: 1 }, { a: 1, b: { c: 2 } })).keyPath).toBe('b.c')
    const extra = validationErrorOf(() => validateParams({ a: 1, z: 2 }, { a: 1 }))
    expect(extra.keyPath).toBe('z')
    expect(extra.message).toMatch(/expected one of: a/)
  })

  it('rejects non-records', () => {
    expect(() => validateParams(null)).toThrow(ValidationError)
    expect(() => validateParams([1])).toThrow(/record of numbers/)
  })
})

describe('ParamSpace', () => {
  it('orders keys, starts and bounds as vectors; one-sided bounds allowed', () => {
    const space = ParamSpace.create({ a: 1, g: { b: 2, c: 3 } }, { a: [0, null], g: { c: [null, 5] } })
    expect(space.keys).toEqual(['a', 'g.b', 'g.c'])
    expect([...space.initial]).toEqual([1, 2, 3])
    expect([...space.lower]).toEqual([0, -Infinity, -Infinity])
    expect([...space.upper]).toEqual([Infinity, Infinity, 5])
    expect(space.toTree([4, 5, 6])).toEqual({ a: 4, g: { b: 5, c: 6 } })
    expect([...space.clip([-1, 0, 9])]).toEqual([0, 0, 5])
    expect(space.contains([-1, 0, 0])).toBe(false)
  })

  it('rejects lower > upper, NaN bounds, unknown keys and a start outside the bounds', () => {
    expect(validationErrorOf(() => ParamSpace.create({ a: 1 }, { a: [2, 1] })).message).toMatch(
      /lower bound 2 is greater than upper bound 1/,
    )
    expect(validationErrorOf(() => ParamSpace.create({ a: 1 }, { a: [Number.NaN, 1] })).keyPath).toBe('a')
    expect(validationErrorOf(() => ParamSpace.create({ a: 1 }, { b: [0, 1] } as never)).keyPath).toBe('b')
    const outside = validationErrorOf(() => ParamSpace.create({ g: { a: 5 } }, { g: { a: [0, 1] } }))
    expect(outside.keyPath).toBe('g.a')
    expect(outside.message).toMatch(/outside the bounds \[0, 1\]/)
    expect(() => ParamSpace.create({})).toThrow(/no parameters/)
  })

  test.prop([boundedParams()])(
    'accepts any start within its bounds and round-trips vectors',
    ({ params, bounds }) => {
      const space = ParamSpace.create(params, bounds)
      expect(space.contains(space.initial)).toBe(true)
      expectSameData(space.toTree(space.toVector(params)), params)
    },
  )
})
