// Context state crosses threads, processes and MPI ranks with the structured clone algorithm
// (postMessage, v8.serialize). When a value cannot be cloned, the raw DataCloneError says only
// "could not be cloned"; cloneState finds the key path of the offending value so the user
// knows which write to fix. The search runs only on failure, never on the hot path.

import { ContextTransportError } from './errors.ts'

function tryClone(value: unknown): { ok: true } | { ok: false; reason: string } {
  try {
    structuredClone(value)
    return { ok: true }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

function children(value: object): [string, unknown][] {
  if (Array.isArray(value)) return value.map((v, i) => [`[${i}]`, v])
  if (value instanceof Map)
    return [...value.entries()].map(([k, v]) => [`.get(${JSON.stringify(String(k))})`, v])
  if (value instanceof Set) return [...value].map((v, i) => [`{${i}}`, v])
  return Object.keys(value).map((k) => [
    /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`,
    (value as Record<string, unknown>)[k],
  ])
}

/**
 * The key path (from `root`) of the deepest value that cannot be structured-cloned, with the
 * reason, or undefined when the whole value clones.
 */
export function findUncloneable(
  value: unknown,
  root: string,
): { keyPath: string; reason: string } | undefined {
  const first = tryClone(value)
  if (first.ok) return undefined
  let path = root
  let current: unknown = value
  let reason = first.reason
  // Descend into the first child that fails on its own; stop when no child does.
  for (;;) {
    if (typeof current !== 'object' || current === null) break
    let next: [string, unknown] | undefined
    for (const [key, child] of children(current)) {
      const result = tryClone(child)
      if (!result.ok) {
        next = [key, child]
        reason = result.reason
        break
      }
    }
    if (next === undefined) break
    path += next[0]
    current = next[1]
  }
  return { keyPath: path, reason }
}

/** structuredClone, with a ContextTransportError naming the key path when it fails. */
export function cloneState<T>(value: T, root: string): T {
  try {
    return structuredClone(value)
  } catch (error) {
    const found = findUncloneable(value, root)
    if (found === undefined) throw error
    throw new ContextTransportError(found.keyPath, found.reason)
  }
}

/** Throws a ContextTransportError if `value` cannot cross to another worker. */
export function assertCloneable(value: unknown, root: string): void {
  const found = findUncloneable(value, root)
  if (found !== undefined) throw new ContextTransportError(found.keyPath, found.reason)
}
