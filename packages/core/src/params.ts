// Parameter trees: nested records of numbers, as users write them, flattened to dotted keys
// (and to vectors) for optimizers. A key that itself contains a dot or a backslash is escaped
// with a backslash, so flattening is never ambiguous and unflatten(flatten(t)) is always t.

import { ValidationError } from './errors/classes.ts'

export type ParamTree = { [key: string]: number | ParamTree }
export type Bound = readonly [lower: number | null, upper: number | null]
export type BoundsTree<P = ParamTree> = {
  [K in keyof P]?: P[K] extends number ? Bound : BoundsTree<P[K]>
}

function escapeKey(key: string): string {
  return key.replaceAll('\\', '\\\\').replaceAll('.', '\\.')
}

/** Splits a flattened key at its unescaped dots, undoing the escaping. */
export function splitFlatKey(flatKey: string): string[] {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < flatKey.length; i++) {
    const ch = flatKey[i]
    if (ch === '\\') {
      const next = flatKey[i + 1]
      if (next !== '\\' && next !== '.') {
        throw new ValidationError(`malformed flattened key: '\\' must be followed by '.' or '\\'`, flatKey)
      }
      current += next
      i++
    } else if (ch === '.') {
      parts.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  parts.push(current)
  return parts
}

export function joinFlatKey(path: readonly string[]): string {
  return path.map(escapeKey).join('.')
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Own property set without triggering setters, so a key named `__proto__` is just a key. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** `{ a: { b: 1 }, c: 2 }` becomes `{ 'a.b': 1, c: 2 }`. Leaves must be numbers. */
export function flattenParams(tree: ParamTree): Record<string, number> {
  const out: Record<string, number> = {}
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node === 'number') {
      define(out, joinFlatKey(path), node)
      return
    }
    if (!isPlainRecord(node)) {
      throw new ValidationError(
        `a parameter must be a number or a record of parameters, got ${describeValue(node)}`,
        path.length === 0 ? undefined : joinFlatKey(path),
      )
    }
    const keys = Object.keys(node)
    if (keys.length === 0 && path.length > 0) {
      throw new ValidationError('an empty parameter group cannot be flattened; remove it', joinFlatKey(path))
    }
    for (const key of keys) walk(node[key], [...path, key])
  }
  walk(tree, [])
  return out
}

/** The inverse of flattenParams. */
export function unflattenParams(flat: Record<string, number>): ParamTree {
  const root: ParamTree = {}
  for (const flatKey of Object.keys(flat)) {
    const path = splitFlatKey(flatKey)
    let node: Record<string, unknown> = root
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!
      const existing = Object.hasOwn(node, key) ? node[key] : undefined
      if (existing === undefined) {
        const child = {}
        define(node, key, child)
        node = child
      } else if (typeof existing === 'number') {
        throw new ValidationError('a key is used both as a parameter and as a group', flatKey)
      } else {
        node = existing as Record<string, unknown>
      }
    }
    const leaf = path[path.length - 1]!
    if (Object.hasOwn(node, leaf)) {
      throw new ValidationError('a key is used both as a parameter and as a group', flatKey)
    }
    define(node, leaf, flat[flatKey])
  }
  return root
}

/** A value as messages name it: "undefined", "an array", "an object of class Date", "a string". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value)
    return proto === Object.prototype || proto === null
      ? 'an object'
      : `an object of class ${value.constructor?.name ?? 'unknown'}`
  }
  return `a ${typeof value}`
}

/**
 * Checks that `params` is a tree of finite numbers and, when `template` is given, that it has
 * exactly the template's keys. Throws a ValidationError naming the first bad key.
 */
/** Whether `node` is a tree of finite numbers with no empty groups; allocates nothing. */
function isFiniteTree(node: unknown, root: boolean): boolean {
  if (typeof node === 'number') return Number.isFinite(node)
  if (!isPlainRecord(node)) return false
  let keys = 0
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue
    keys++
    if (!isFiniteTree(node[key], false)) return false
  }
  return root || keys > 0
}

export function validateParams(params: unknown, template?: ParamTree): asserts params is ParamTree {
  // Fast path for the per-evaluation check; the slow path below finds and names the bad key.
  if (template === undefined && isFiniteTree(params, true)) return
  if (!isPlainRecord(params)) {
    throw new ValidationError(`parameters must be a record of numbers, got ${describeValue(params)}`)
  }
  const flat = flattenParams(params as ParamTree)
  for (const [key, value] of Object.entries(flat)) {
    if (!Number.isFinite(value)) throw new ValidationError(`parameter is ${value}, not a finite number`, key)
  }
  if (template === undefined) return
  const expected = flattenParams(template)
  for (const key of Object.keys(expected)) {
    if (!Object.hasOwn(flat, key)) throw new ValidationError('parameter is missing', key)
  }
  for (const key of Object.keys(flat)) {
    if (!Object.hasOwn(expected, key)) {
      throw new ValidationError(
        `unknown parameter; expected one of: ${Object.keys(expected).join(', ')}`,
        key,
      )
    }
  }
}

function flattenBounds(bounds: unknown, keys: ReadonlySet<string>): Map<string, Bound> {
  const out = new Map<string, Bound>()
  const walk = (node: unknown, path: string[]): void => {
    const flatKey = joinFlatKey(path)
    if (Array.isArray(node)) {
      if (!keys.has(flatKey))
        throw new ValidationError('bounds given for a parameter that does not exist', flatKey)
      if (node.length !== 2)
        throw new ValidationError('a bound must be [lower, upper] (use null for none)', flatKey)
      const [lower, upper] = node as unknown[]
      for (const [name, v] of [
        ['lower', lower],
        ['upper', upper],
      ] as const) {
        if (v !== null && v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) {
          throw new ValidationError(
            `${name} bound is ${describeValue(v)}; use a number, or null for none`,
            flatKey,
          )
        }
      }
      const lo = (lower ?? null) as number | null
      const hi = (upper ?? null) as number | null
      if (lo !== null && hi !== null && lo > hi) {
        throw new ValidationError(`lower bound ${lo} is greater than upper bound ${hi}`, flatKey)
      }
      out.set(flatKey, [lo, hi])
      return
    }
    if (!isPlainRecord(node)) {
      throw new ValidationError(
        `bounds must mirror the parameter tree, got ${describeValue(node)}`,
        flatKey || undefined,
      )
    }
    for (const key of Object.keys(node)) {
      if (node[key] === undefined) continue
      walk(node[key], [...path, key])
    }
  }
  if (bounds !== undefined) walk(bounds, [])
  return out
}

/**
 * The flat view of a parameter tree with its bounds: the order of keys, the start vector, and
 * lower/upper vectors (±Infinity where unbounded). Optimizers work on vectors; this converts.
 */
export class ParamSpace<P extends ParamTree = ParamTree> {
  readonly keys: readonly string[]
  readonly initial: Float64Array
  readonly lower: Float64Array
  readonly upper: Float64Array
  readonly #paths: readonly string[][]

  private constructor(keys: string[], initial: Float64Array, lower: Float64Array, upper: Float64Array) {
    this.keys = keys
    this.initial = initial
    this.lower = lower
    this.upper = upper
    this.#paths = keys.map(splitFlatKey)
  }

  /** Validates `initial` and `bounds` (shape, NaN, lower > upper, start outside bounds). */
  static create<P extends ParamTree>(initial: P, bounds?: BoundsTree<P>): ParamSpace<P> {
    validateParams(initial)
    const flat = flattenParams(initial)
    const keys = Object.keys(flat)
    if (keys.length === 0) throw new ValidationError('there are no parameters to fit')
    const flatBounds = flattenBounds(bounds, new Set(keys))
    const n = keys.length
    const start = new Float64Array(n)
    const lower = new Float64Array(n).fill(Number.NEGATIVE_INFINITY)
    const upper = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
    keys.forEach((key, i) => {
      start[i] = flat[key]!
      const bound = flatBounds.get(key)
      if (bound !== undefined) {
        if (bound[0] !== null) lower[i] = bound[0]
        if (bound[1] !== null) upper[i] = bound[1]
      }
      if (start[i]! < lower[i]! || start[i]! > upper[i]!) {
        throw new ValidationError(
          `start value ${start[i]} lies outside the bounds [${lower[i]}, ${upper[i]}]`,
          key,
        )
      }
    })
    return new ParamSpace<P>(keys, start, lower, upper)
  }

  get size(): number {
    return this.keys.length
  }

  /** Tree to vector, in `keys` order; the tree must have exactly these keys. */
  toVector(tree: P): Float64Array {
    const flat = flattenParams(tree)
    const out = new Float64Array(this.keys.length)
    this.keys.forEach((key, i) => {
      const value = flat[key]
      if (value === undefined) throw new ValidationError('parameter is missing', key)
      out[i] = value
    })
    if (Object.keys(flat).length !== this.keys.length) {
      const extra = Object.keys(flat).find((k) => !this.keys.includes(k))
      throw new ValidationError('unknown parameter', extra)
    }
    return out
  }

  /** Vector to tree, in the shape of the initial parameters. */
  toTree(vector: ArrayLike<number>): P {
    if (vector.length !== this.keys.length) {
      throw new ValidationError(`expected a vector of ${this.keys.length} parameters, got ${vector.length}`)
    }
    const root: Record<string, unknown> = {}
    this.#paths.forEach((path, i) => {
      let node = root
      for (let d = 0; d < path.length - 1; d++) {
        const key = path[d]!
        let child = Object.hasOwn(node, key) ? (node[key] as Record<string, unknown>) : undefined
        if (child === undefined) {
          child = {}
          define(node, key, child)
        }
        node = child
      }
      define(node, path[path.length - 1]!, vector[i])
    })
    return root as P
  }

  /** Whether every component of `vector` lies within its bounds. */
  contains(vector: ArrayLike<number>): boolean {
    for (let i = 0; i < this.keys.length; i++) {
      const v = vector[i]!
      if (!(v >= this.lower[i]! && v <= this.upper[i]!)) return false
    }
    return true
  }

  /** A copy of `vector` with each component moved to the nearest bound when outside. */
  clip(vector: ArrayLike<number>): Float64Array {
    const out = Float64Array.from(vector)
    for (let i = 0; i < out.length; i++) out[i] = Math.min(this.upper[i]!, Math.max(this.lower[i]!, out[i]!))
    return out
  }
}
