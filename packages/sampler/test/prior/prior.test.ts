import { fc, test } from '@fast-check/vitest'
import { flattenParams, type ParamTree } from '@parafit/core'
import { paramTree } from '@parafit/core/testing'
import { describe, expect, it } from 'vitest'
import { custom, logUniform, normal, truncatedNormal, uniform } from '../../src/prior/distributions.ts'
import { Prior, type PriorSpec } from '../../src/prior/prior.ts'

function example() {
  return new Prior({ a: uniform(0, 1), b: { c: normal(0, 2), e: logUniform(1e-3, 1) }, d: 0.5 })
}

/** Own property set, so that keys such as `__proto__` are ordinary keys. */
function record(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return out
}

/**
 * A prior spec from a parameter tree: an even leaf v becomes uniform(v, v + 1) (free), an odd
 * one stays the fixed value v. Gives the spec and the tree's flattened keys that are free.
 */
function specOf(tree: ParamTree): { spec: PriorSpec; free: string[] } {
  const toSpec = (node: ParamTree): Record<string, unknown> =>
    record(
      Object.keys(node).map((key) => {
        const value = node[key]!
        if (typeof value !== 'number') return [key, toSpec(value)]
        return [key, value % 2 === 0 ? uniform(value, value + 1) : value]
      }),
    )
  const flat = flattenParams(tree)
  return { spec: toSpec(tree) as PriorSpec, free: Object.keys(flat).filter((key) => flat[key]! % 2 === 0) }
}

const integerTree = paramTree({ value: fc.integer({ min: -1000, max: 1000 }) })

describe('Prior', () => {
  it('has one cube dimension per free parameter, keys flattened, and fixed values in its trees', () => {
    const prior = example()
    expect(prior.dimensions).toBe(3)
    expect(prior.keys).toEqual(['a', 'b.c', 'b.e'])
    const tree = prior.transform(Float64Array.of(0.5, 0.5, 0.5))
    expect(tree).toEqual({ a: 0.5, b: { c: 0, e: expect.closeTo(Math.sqrt(1e-3), 15) }, d: 0.5 })
    // typed: the tree's leaves are numbers
    const c: number = tree.b.c
    expect(c).toBe(0)
  })

  it('returns a fresh tree on each call, in the spec shape and key order', () => {
    const prior = example()
    const first = prior.transform([0.1, 0.2, 0.3])
    first.b.c = 99
    const second = prior.transform([0.1, 0.2, 0.3])
    expect(second.b.c).not.toBe(99)
    expect(Object.keys(second)).toEqual(['a', 'b', 'd'])
    expect(Object.keys(second.b)).toEqual(['c', 'e'])
  })

  it('escapes keys exactly as core flattens trees, and orders them as flattenParams does', () => {
    const prior = new Prior({
      'x.y': uniform(0, 1),
      z: { 'w\\': normal(0, 1), '.': 3 },
      b: 1,
      10: uniform(0, 1),
      2: normal(5, 1),
    })
    // Integer-like keys come first in JavaScript's key order, ascending; then the rest as written.
    expect(prior.keys).toEqual(['2', '10', 'x\\.y', 'z.w\\\\'])
    const tree = prior.transform([0.5, 0.5, 0.5, 0.5])
    expect(tree).toEqual({ 2: 5, 10: 0.5, 'x.y': 0.5, z: { 'w\\': 0, '.': 3 }, b: 1 })
    const flat = flattenParams(tree as ParamTree)
    expect(Object.keys(flat).filter((key) => prior.keys.includes(key))).toEqual(prior.keys)
  })

  it('treats __proto__ as an ordinary key', () => {
    const prior = new Prior(record([['__proto__', record([['a', uniform(0, 2)]])]]) as PriorSpec)
    expect(prior.keys).toEqual(['__proto__.a'])
    const tree = prior.transform([0.5]) as Record<string, unknown>
    expect(Object.getPrototypeOf(tree)).toBe(Object.prototype)
    expect(Object.keys(tree)).toEqual(['__proto__'])
    expect(flattenParams(tree as ParamTree)).toEqual({ '__proto__.a': 1 })
  })

  test.prop([integerTree, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true }))])(
    'keys are the free keys of flattenParams, in its order, for any tree (with dots, backslashes, __proto__)',
    (tree, us) => {
      const { spec, free } = specOf(tree)
      fc.pre(free.length > 0)
      const prior = new Prior(spec)
      expect(prior.keys).toEqual(free)
      const u = Float64Array.from(us.take(prior.dimensions))
      const flat = flattenParams(prior.transform(u) as ParamTree)
      // the tree has the spec's keys in the same order; free leaves lie in [v, v + 1], fixed ones are v
      const original = flattenParams(tree)
      expect(Object.keys(flat)).toEqual(Object.keys(original))
      for (const key of Object.keys(original)) {
        const v = original[key]!
        if (free.includes(key)) {
          expect(flat[key]).toBeGreaterThanOrEqual(v)
          expect(flat[key]).toBeLessThanOrEqual(v + 1)
        } else {
          expect(flat[key]).toBe(v)
        }
      }
    },
  )

  test.prop([integerTree, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true }))])(
    'transformInto and toTree agree with transform',
    (tree, us) => {
      const { spec, free } = specOf(tree)
      fc.pre(free.length > 0)
      const prior = new Prior(spec)
      const u = Float64Array.from(us.take(prior.dimensions))
      const out = new Float64Array(prior.dimensions)
      expect(prior.transformInto(u, out)).toBe(out)
      const tree1 = prior.transform(u) as ParamTree
      expect(prior.toTree(out)).toEqual(tree1)
      const flat = flattenParams(tree1)
      expect(Array.from(out)).toEqual(prior.keys.map((key) => flat[key]))
      // in place: out may be u itself
      const copy = Float64Array.from(u)
      expect(Array.from(prior.transformInto(copy, copy))).toEqual(Array.from(out))
    },
  )

  it('transforms every kind of distribution in one prior', () => {
    const prior = new Prior({
      u: uniform(-1, 1),
      l: logUniform(1, 100),
      n: normal(10, 2),
      t: truncatedNormal(0, 1, 8, 9),
      c: custom((u) => u * u, { name: 'square' }),
    })
    const tree = prior.transform([0.5, 0.5, 0.5, 0.5, 0.5])
    expect(tree.u).toBe(0)
    expect(tree.l).toBeCloseTo(10, 13)
    expect(tree.n).toBe(10)
    expect(tree.t).toBeCloseTo(8.084888899018166, 14)
    expect(tree.c).toBe(0.25)
  })
})

describe('Prior.describe', () => {
  it('is plain JSON data: keys, kinds and numbers, fixed values; null for an infinite bound', () => {
    const prior = new Prior({
      a: uniform(0, 1),
      b: { c: truncatedNormal(0, 1, 0, Number.POSITIVE_INFINITY), e: custom((u) => u) },
      d: 0.5,
      f: custom((u) => u, { name: 'identity' }),
    })
    const description = prior.describe()
    expect(description).toEqual({
      free: [
        { key: 'a', kind: 'uniform', low: 0, high: 1 },
        { key: 'b.c', kind: 'truncatedNormal', mean: 0, sd: 1, low: 0, high: null },
        { key: 'b.e', kind: 'custom', name: 'custom' },
        { key: 'f', kind: 'custom', name: 'identity' },
      ],
      fixed: [{ key: 'd', value: 0.5 }],
    })
    expect(JSON.parse(JSON.stringify(description))).toEqual(description)
  })

  it('is the same for equal specs and a fresh copy each time', () => {
    const first = example().describe()
    expect(example().describe()).toEqual(first)
    ;(first.free[0] as { low: number }).low = 7
    expect(example().describe().free[0]).toEqual({ key: 'a', kind: 'uniform', low: 0, high: 1 })
  })

  const changes: [string, PriorSpec][] = [
    ['a bound', { a: uniform(0, 2), b: { c: normal(0, 2), e: logUniform(1e-3, 1) }, d: 0.5 }],
    ['an sd', { a: uniform(0, 1), b: { c: normal(0, 2.0000001), e: logUniform(1e-3, 1) }, d: 0.5 }],
    ['a kind', { a: uniform(0, 1), b: { c: normal(0, 2), e: uniform(1e-3, 1) }, d: 0.5 }],
    ['a fixed value', { a: uniform(0, 1), b: { c: normal(0, 2), e: logUniform(1e-3, 1) }, d: 0.6 }],
    ['a key', { a: uniform(0, 1), b: { c: normal(0, 2), f: logUniform(1e-3, 1) }, d: 0.5 }],
    ['the order', { b: { c: normal(0, 2), e: logUniform(1e-3, 1) }, a: uniform(0, 1), d: 0.5 }],
    [
      'a fixed value made free',
      { a: uniform(0, 1), b: { c: normal(0, 2), e: logUniform(1e-3, 1) }, d: uniform(0, 1) },
    ],
  ]
  for (const [what, spec] of changes) {
    it(`differs when ${what} changes`, () => {
      expect(JSON.stringify(new Prior(spec).describe())).not.toBe(JSON.stringify(example().describe()))
    })
  }
})
