// findClassInstance: what structured clone would flatten (an instance of a class arrives as a
// plain object, and one whose state is all #private as {}: fault probe P6), found with its key
// path; plain data, and the built-ins clone keeps, are never taken for one.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { ContextTransportError } from '../src/errors/classes.ts'
import { assertNoClassInstance, findClassInstance } from '../src/transport.ts'

class Secret {
  #hidden = 1
  get value(): number {
    return this.#hidden
  }
}
class Tagged extends Map {}

/** `value` with `leaf` put at `path` (keys of records, indices of arrays), and that key path. */
function plant(value: unknown, path: readonly string[], leaf: unknown): { tree: unknown; keyPath: string } {
  if (path.length === 0) return { tree: leaf, keyPath: '' }
  const [key, ...rest] = path as [string, ...string[]]
  const inner = plant(undefined, rest, leaf)
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {}
  ;(record as Record<string, unknown>)[key] = inner.tree
  return { tree: record, keyPath: `.${key}${inner.keyPath}` }
}

describe('findClassInstance', () => {
  test.prop([fc.jsonValue()])('finds nothing in plain data', (value) => {
    expect(findClassInstance(value, 'ctx')).toBeUndefined()
  })

  test.prop([
    fc.jsonValue(),
    fc.array(fc.constantFrom('a', 'b', 'c_1', '$d'), { minLength: 1, maxLength: 5 }),
  ])('finds an instance of a class wherever it is put, with its key path and class', (value, path) => {
    const { tree, keyPath } = plant(value, path, new Secret())
    expect(findClassInstance({ meta: tree }, 'ctx')).toEqual({
      keyPath: `ctx.meta${keyPath}`,
      className: 'Secret',
    })
  })

  test('names arrays, odd keys, Map entries and subclasses of built-ins on the way', () => {
    const found = (value: unknown) => findClassInstance(value, 'ctx')?.keyPath
    expect(found({ list: [1, { x: [new Secret()] }] })).toBe('ctx.list[1].x[0]')
    expect(found({ 'a-b': new Secret() })).toBe('ctx["a-b"]')
    expect(found({ m: new Map([['k', new Secret()]]) })).toBe('ctx.m.get("k")')
    expect(found({ m: new Tagged() })).toBe('ctx.m')
    expect(found({ p: Promise.resolve(1) })).toBe('ctx.p')
  })

  test('takes the built-ins structured clone keeps for data, and survives a cycle', () => {
    const cycle: Record<string, unknown> = { d: new Date(0) }
    cycle.self = cycle
    const kept = {
      d: new Date(0),
      r: /x/g,
      t: new Float64Array(3),
      b: new ArrayBuffer(8),
      s: new SharedArrayBuffer(8),
      e: new RangeError('x'),
      m: new Map([[1, { a: 1 }]]),
      set: new Set([1, 'a']),
      none: Object.create(null),
      cycle,
    }
    expect(findClassInstance(kept, 'ctx')).toBeUndefined()
  })

  test('assertNoClassInstance throws a ContextTransportError that says what would be lost', () => {
    expect(() => assertNoClassInstance({ meta: { s: new Secret() } }, 'ctx')).toThrow(ContextTransportError)
    expect(() => assertNoClassInstance({ meta: { s: new Secret() } }, 'ctx')).toThrow(
      /^context value at 'ctx\.meta\.s' cannot be sent between workers \(an instance of class Secret: structured clone copies only its own enumerable fields, so it would arrive as a plain object without its class, methods, getters or #private fields\)/,
    )
  })
})
