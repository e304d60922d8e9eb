// Parameters and results cross to workers packed where they can (task-codec.ts); what arrives
// must be exactly what was sent, whatever its shape.
import { isDeepStrictEqual } from 'node:util'
import type { ParamTree } from '@parafit/core'
import { paramTree } from '@parafit/core/testing'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import type { TaskResult } from '../src/protocol.ts'
import { failedResults, packParams, paramCount, paramsAt } from '../src/task-codec.ts'
import { packResults, unpackParams, unpackResults } from './wire.ts'

/** Through the codec and a structured clone, as a worker would receive it. */
const roundTripParams = (params: ParamTree[]) => unpackParams(structuredClone(packParams(params)))
const roundTripResults = (results: TaskResult[]) => unpackResults(structuredClone(packResults(results)))

const flatRecords = fc
  .uniqueArray(fc.constantFrom('a', 'b', 'x', 'mu', '0', '1.5', 'constructor', '__proto__'), {
    minLength: 1,
    maxLength: 4,
  })
  .chain((keys) =>
    fc.array(
      fc.tuple(...keys.map(() => fc.double())).map((values) => {
        const record: Record<string, number> = {}
        for (const [i, key] of keys.entries())
          Object.defineProperty(record, key, {
            value: values[i],
            enumerable: true,
            writable: true,
            configurable: true,
          })
        return record as ParamTree
      }),
      { maxLength: 20 },
    ),
  )

const result: fc.Arbitrary<TaskResult> = fc.oneof(
  fc.record(
    {
      ok: fc.constant(true as const),
      value: fc.double(),
      quantities: fc.constant(undefined),
      meta: fc.constant({}),
      residuals: fc.constant(undefined),
    },
    { noNullPrototype: true },
  ),
  fc.record(
    {
      ok: fc.constant(true as const),
      value: fc.double(),
      quantities: fc.option(
        fc.dictionary(fc.string({ maxLength: 3 }), fc.double(), { noNullPrototype: true }),
        {
          nil: undefined,
        },
      ),
      meta: fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { noNullPrototype: true }),
      residuals: fc.option(fc.float64Array({ maxLength: 3 }), { nil: undefined }),
    },
    { noNullPrototype: true },
  ),
  fc.record(
    {
      ok: fc.constant(false as const),
      error: fc.record({ name: fc.constant('Error'), message: fc.string() }, { noNullPrototype: true }),
      state: fc.constant(undefined),
    },
    { noNullPrototype: true },
  ) as fc.Arbitrary<TaskResult>,
)

describe('task codec', () => {
  test('flat records of numbers with the same keys arrive equal, in key order, -0 and NaN included', () => {
    fc.assert(
      fc.property(flatRecords, (params) => {
        const back = roundTripParams(params)
        expect(isDeepStrictEqual(back, params)).toBe(true)
        for (const [i, record] of back.entries()) expect(Object.keys(record)).toEqual(Object.keys(params[i]!))
      }),
    )
  })

  test('a worker reads each record on its own (paramsAt), each a record of its own', () => {
    fc.assert(
      fc.property(fc.oneof(flatRecords, fc.array(paramTree(), { maxLength: 8 })), (params) => {
        const wire = structuredClone(packParams(params))
        expect(paramCount(wire)).toBe(params.length)
        for (const [i, record] of params.entries()) {
          expect(isDeepStrictEqual(paramsAt(wire, i), record)).toBe(true)
          // The objective may keep or change its record: two reads never share one.
          if (!Array.isArray(wire)) expect(paramsAt(wire, i)).not.toBe(paramsAt(wire, i))
        }
      }),
    )
  })

  test('any parameter trees arrive equal (nested ones travel whole)', () => {
    fc.assert(
      fc.property(fc.array(paramTree(), { maxLength: 8 }), (params) => {
        // (node's comparison: vitest's takes an own "constructor" key for the object's class)
        expect(isDeepStrictEqual(roundTripParams(params), params)).toBe(true)
      }),
    )
  })

  test('records with differing keys, or with a non-number, travel whole', () => {
    expect(Array.isArray(packParams([{ x: 1 }, { y: 2 }]))).toBe(true)
    expect(Array.isArray(packParams([{ x: 1 }, { x: 1, y: 2 }]))).toBe(true)
    expect(Array.isArray(packParams([{ x: 1 }, { x: { y: 2 } }]))).toBe(true)
    const packed = packParams([
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ])
    expect(packed).toEqual({ keys: ['x', 'y'], values: new Float64Array([1, 2, 3, 4]) })
  })

  test('results arrive equal; only those carrying more than a value travel whole', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 20 }), (results) => {
        expect(isDeepStrictEqual(roundTripResults(results), results)).toBe(true)
        const packed = packResults(results)
        const whole = new Set((packed.whole ?? []).map(([i]) => i))
        results.forEach((r, i) => {
          const plain =
            r.ok &&
            r.quantities === undefined &&
            r.residuals === undefined &&
            Object.keys(r.meta).length === 0
          expect(whole.has(i)).toBe(!plain)
        })
        expect(failedResults(packed)).toEqual(results.filter((r) => !r.ok))
      }),
    )
  })

  test('each unpacked result has a meta object of its own (contexts take it over)', () => {
    const [a, b] = unpackResults(
      packResults([
        { ok: true, value: 1, quantities: undefined, meta: {}, residuals: undefined },
        { ok: true, value: 2, quantities: undefined, meta: {}, residuals: undefined },
      ]),
    ) as Extract<TaskResult, { ok: true }>[]
    expect(a!.meta).not.toBe(b!.meta)
  })
})
