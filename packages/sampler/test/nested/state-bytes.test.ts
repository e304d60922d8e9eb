// The nested sampler's state as bytes: points travel packed, one Float64Array per shell and per
// batch in flight, and come back as they were; a state written a point at a time still reads.

import { isDeepStrictEqual } from 'node:util'
import { serialize } from 'node:v8'
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import type { NestedCheckpoint } from '../../src/nested/checkpoint.ts'
import { decodeState, encodeState } from '../../src/nested/state-bytes.ts'

/** Records with Object's prototype, as a run's state has (v8 gives those back). */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(model, { noNullPrototype: true })

const state = fc.integer({ min: 1, max: 5 }).chain((d) => {
  const point = fc.float64Array({ minLength: d, maxLength: d })
  const points = fc.array(point, { maxLength: 12 })
  return rec({
    settings: fc.constant({ dimensions: d }),
    shells: fc.array(rec({ points, logL: fc.array(fc.double(), { maxLength: 3 }), nSample: fc.nat() }), {
      maxLength: 4,
    }),
    pending: fc.array(
      rec({
        index: fc.nat(),
        points,
        transferred: fc.array(rec({ point, logL: fc.double() }), { maxLength: 2 }),
      }),
      { maxLength: 2 },
    ),
    counters: rec({ nLike: fc.nat() }),
  })
}) as fc.Arbitrary<unknown> as fc.Arbitrary<NestedCheckpoint>

describe('the nested state as bytes', () => {
  test.prop([state])('comes back as it was, each point a Float64Array of its own', (data) => {
    const back = decodeState(encodeState(data))
    expect(isDeepStrictEqual(back, data)).toBe(true)
    const all = back.shells.flatMap((s) => s.points)
    expect(new Set(all.map((p) => p.buffer)).size).toBe(all.length)
  })

  test.prop([state])('a state written before, a typed array per point, still reads', (data) => {
    expect(isDeepStrictEqual(decodeState(serialize(data)), data)).toBe(true)
  })

  test('the points of a shell are one typed array in the bytes, not one per point', () => {
    const points = Array.from({ length: 2000 }, (_, i) => Float64Array.of(i, -i, i / 3))
    const data = {
      settings: { dimensions: 3 },
      shells: [{ points }],
      pending: [],
    } as unknown as NestedCheckpoint
    // Each typed array costs Node's serializer a header of its own: packed, the bytes are fewer.
    expect(encodeState(data).length).toBeLessThan(serialize(data).length)
  })
})
