import { deserialize, serialize } from 'node:v8'
import { expect } from 'vitest'

/**
 * Deep equality that also holds for keys named `constructor` or `__proto__` (which confuse
 * toStrictEqual): readable diff from toEqual, then byte-equal structured-clone encodings, which
 * also catch differences in key order, -0, undefined fields and typed array kinds. Both sides
 * are normalised by one round trip first, since V8 encodes the same number as an integer or a
 * double depending on how it was made.
 */
export function expectSameData(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected)
  const canonical = (v: unknown) => serialize(deserialize(serialize(v)))
  expect(Buffer.compare(canonical(actual), canonical(expected))).toBe(0)
}
