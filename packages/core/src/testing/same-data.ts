// Structural comparison for property tests that compare backends: stricter than a deep-equal
// (key order, prototypes, -0, undefined fields) and not confused by keys named `constructor`.

/** The first place where `a` and `b` differ as data, or undefined when they are the same. */
export function dataDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} !== ${String(b)}`
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different prototypes`
  // Object.is: two invalid Dates (time NaN) are the same data; NaN === NaN is false.
  if (a instanceof Date)
    return Object.is(a.getTime(), (b as Date).getTime()) ? undefined : `${path}: different dates`
  if (ArrayBuffer.isView(a)) {
    const x = [...(a as unknown as Iterable<unknown>)]
    const y = [...(b as unknown as Iterable<unknown>)]
    return dataDifference(x, y, path)
  }
  if (a instanceof Map || a instanceof Set) {
    return dataDifference([...a.entries()], [...(b as Map<unknown, unknown>).entries()], path)
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return `${path}: keys [${ka}] vs [${kb}]`
  for (const k of ka) {
    const d = dataDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    )
    if (d !== undefined) return d
  }
  return undefined
}
