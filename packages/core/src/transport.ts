// Context state crosses threads, processes and MPI ranks with the structured clone algorithm
// (postMessage, v8.serialize). When a value cannot be cloned, the raw DataCloneError says only
// "could not be cloned"; cloneState finds the key path of the offending value so the user
// knows which write to fix. That search runs only on failure. findClassInstance, below, runs on
// every task whose context holds objects (an instance of a class would lose its class in the
// clone), so it walks without building a path until it finds one.

import { ContextTransportError } from './errors/classes.ts'

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

/** The built-in classes structured clone copies with their class. */
const CLONED_PROTOTYPES = new Set<unknown>([
  Date.prototype,
  RegExp.prototype,
  Map.prototype,
  Set.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
])

/** Objects structured clone copies as they are (class included); anything else must be plain. */
function clonesAsItIs(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof SharedArrayBuffer ||
    value instanceof Error ||
    CLONED_PROTOTYPES.has(Object.getPrototypeOf(value))
  )
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null || Array.isArray(value)
}

/**
 * The key path (from `root`) of the first instance of a class of the caller's (or a built-in
 * that structured clone does not keep: a subclass of Map, a Promise, a WeakMap) in `value`, and
 * its class. Structured clone copies such an object as a plain one with its own enumerable
 * fields only: its class, methods, getters and #private fields are lost, and an instance whose
 * state is all private arrives as {} (fault probe P6). Allocates nothing for an empty record.
 */
export function findClassInstance(
  value: unknown,
  root: string,
): { keyPath: string; className: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  if (isPlain(value) && !Array.isArray(value) && !hasObjectField(value)) return undefined
  // Each object reached is a step: its parent's index and how it is reached (an array index, a
  // record key, or text as it is for the root and Map/Set entries). The path text is built only
  // for an instance found.
  const steps: { node: object; parent: number; via: number | { key: string } | string }[] = [
    { node: value, parent: -1, via: root },
  ]
  const seen = new Set<object>()
  const pending: number[] = [0]
  const push = (child: unknown, parent: number, via: number | { key: string } | string) => {
    if (typeof child !== 'object' || child === null || seen.has(child)) return
    steps.push({ node: child, parent, via })
    pending.push(steps.length - 1)
  }
  while (pending.length > 0) {
    const index = pending.pop()!
    const current = steps[index]!.node
    seen.add(current)
    // Children go on last to first, so that the first in order is found first; primitives,
    // however many, cost nothing.
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) push(current[i], index, i)
    } else if (isPlain(current)) {
      const keys = Object.keys(current)
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        push((current as Record<string, unknown>)[key], index, { key })
      }
    } else if (!clonesAsItIs(current)) {
      return { keyPath: pathOf(steps, index), className: current.constructor?.name || 'an unnamed class' }
    } else if (current instanceof Map || current instanceof Set) {
      const entries = children(current)
      for (let i = entries.length - 1; i >= 0; i--) push(entries[i]![1], index, entries[i]![0])
    }
  }
  return undefined
}

/** The key path of step `index`, from the root: `ctx.meta.a[2]["odd key"]`. */
function pathOf(
  steps: readonly { parent: number; via: number | { key: string } | string }[],
  index: number,
): string {
  const parts: string[] = []
  for (let i = index; i >= 0; i = steps[i]!.parent) {
    const { via } = steps[i]!
    if (typeof via === 'number') parts.push(`[${via}]`)
    else if (typeof via === 'string') parts.push(via)
    else parts.push(/^[A-Za-z_$][\w$]*$/.test(via.key) ? `.${via.key}` : `[${JSON.stringify(via.key)}]`)
  }
  return parts.reverse().join('')
}

/** Whether a record has a field that is an object (the common context record has none). */
function hasObjectField(record: object): boolean {
  for (const key in record) {
    const child = (record as Record<string, unknown>)[key]
    if (typeof child === 'object' && child !== null) return true
  }
  return false
}

/** Throws a ContextTransportError when `value` holds an object structured clone would flatten. */
export function assertNoClassInstance(value: unknown, root: string): void {
  const found = findClassInstance(value, root)
  if (found !== undefined) throw classInstanceError(found)
}

/** The error for an object of class `className` at `keyPath`, which a worker would get flattened. */
export function classInstanceError(found: { keyPath: string; className: string }): ContextTransportError {
  return new ContextTransportError(
    found.keyPath,
    `an instance of class ${found.className}: structured clone copies only its own enumerable fields, ` +
      'so it would arrive as a plain object without its class, methods, getters or #private fields',
  )
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
