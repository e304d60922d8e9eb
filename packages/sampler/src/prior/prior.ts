// A prior as nested sampling wants it: a map from the unit cube to a parameter tree (the prior
// transform of nautilus and dynesty). The spec is a tree like the parameters themselves, whose
// leaves are distributions (free parameters, one cube coordinate each) or numbers (fixed).
// Keys are flattened and escaped exactly as core's flattenParams does, so prior.keys are the
// names the rest of parafit uses for the same parameters.

import { joinFlatKey, type ParamTree, ValidationError } from '@parafit/core'
import {
  checkDistribution,
  type Distribution,
  type DistributionDescription,
  describeDistribution,
  describeInput,
  looksLikeDistribution,
  quantileFunction,
} from './distributions.ts'

/** What a prior is made from: groups of distributions (free) and finite numbers (fixed). */
export type PriorSpec = { readonly [key: string]: PriorEntry }
export type PriorEntry = Distribution | number | PriorSpec

/** The parameter tree a prior's transform gives for a spec: every leaf a number. */
export type PriorParams<S extends PriorSpec> = {
  -readonly [K in keyof S]: S[K] extends Distribution | number
    ? number
    : S[K] extends PriorSpec
      ? PriorParams<S[K]>
      : never
}

/** A free parameter in a description: its flattened key and its distribution. */
export type FreeParameterDescription = { readonly key: string } & DistributionDescription

/**
 * A prior as plain JSON data, for a checkpoint to store and compare: the free parameters in
 * `keys` order, and the fixed values in the order of the spec.
 */
export interface PriorDescription {
  readonly free: readonly FreeParameterDescription[]
  readonly fixed: readonly { readonly key: string; readonly value: number }[]
}

type Node =
  | { readonly type: 'free'; readonly index: number }
  | { readonly type: 'fixed'; readonly value: number }
  | { readonly type: 'group'; readonly entries: readonly (readonly [key: string, node: Node])[] }

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Sets an own property, so that a key named `__proto__` is an ordinary key (as in core). */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    target[key] = value
  }
}

/**
 * The prior transform of nested sampling: `new Prior({ a: uniform(0, 1), b: { c: normal(0, 2) },
 * d: 0.5 })` maps a point of the unit cube, one coordinate per free parameter, to the tree
 * `{ a, b: { c }, d: 0.5 }`. Every input is checked when the prior is made, and a problem is a
 * core ValidationError naming its key path (such as 'b.c'). `P` is the tree's type, which `new
 * Prior(spec)` infers from the spec.
 */
export interface Prior<P = ParamTree> {
  /** The number of free parameters: the dimension of the unit cube. */
  readonly dimensions: number
  /**
   * The free parameters' flattened keys, escaped as core's flattenParams escapes them (a '.' or
   * '\' inside a key gets a '\'). The order is flattenParams's on the same tree, fixed values
   * left out: depth-first, each group in its own key order as JavaScript enumerates it
   * (integer-like keys ascending first, then the others in the order written). Coordinate i of
   * the cube is keys[i].
   */
  readonly keys: readonly string[]
  /**
   * The parameter tree for a point `u` of the unit cube (one coordinate in [0, 1] per entry of
   * `keys`): a fresh tree in the spec's shape, fixed values included.
   */
  transform(u: ArrayLike<number>): P
  /**
   * Writes the free parameters' values for the point `u` into `out`, in `keys` order, and
   * returns `out`: transform without building a tree, for hot loops. `out` may be `u` itself.
   */
  transformInto(u: ArrayLike<number>, out: Float64Array): Float64Array
  /** The full tree, fixed values included, for free values `x` given in `keys` order. */
  toTree(x: ArrayLike<number>): P
  /**
   * The prior as plain JSON data: each free parameter's key, distribution kind and numbers (a
   * custom distribution gives its name, or 'custom'), and the fixed values. A checkpoint stores
   * it to refuse a file written for another problem. A fresh copy each call.
   */
  describe(): PriorDescription
}

export interface PriorConstructor {
  /** A prior from its spec: distributions (free parameters) and finite numbers (fixed), in groups. */
  new <S extends PriorSpec>(spec: S): Prior<PriorParams<S>>
  readonly prototype: Prior
}

class PriorTransform<P> implements Prior<P> {
  readonly dimensions: number
  readonly keys: readonly string[]
  readonly #root: Node
  readonly #quantiles: readonly ((u: number) => number)[]
  readonly #description: PriorDescription

  constructor(spec: PriorSpec) {
    const keys: string[] = []
    const quantiles: ((u: number) => number)[] = []
    const free: FreeParameterDescription[] = []
    const fixed: { key: string; value: number }[] = []
    const build = (value: unknown, path: string[]): Node => {
      const keyPath = joinFlatKey(path)
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) {
          throw new ValidationError(
            `a fixed value must be a finite number, got ${value}; give a number, or a distribution to make the parameter free`,
            keyPath,
          )
        }
        fixed.push({ key: keyPath, value })
        return { type: 'fixed', value }
      }
      if (!isPlainRecord(value)) {
        throw new ValidationError(
          'a prior entry must be a distribution (uniform(), logUniform(), normal(), truncatedNormal(), custom()), ' +
            `a finite number (a fixed value) or a group of entries; got ${describeInput(value)}`,
          keyPath,
        )
      }
      if (looksLikeDistribution(value)) {
        const distribution = checkDistribution(value, keyPath)
        keys.push(keyPath)
        quantiles.push(quantileFunction(distribution, keyPath))
        free.push({ key: keyPath, ...describeDistribution(distribution) })
        return { type: 'free', index: keys.length - 1 }
      }
      const names = Object.keys(value)
      if (names.length === 0 && path.length > 0) {
        throw new ValidationError(
          'an empty group has no parameters; remove it, or put distributions or fixed values in it',
          keyPath,
        )
      }
      return {
        type: 'group',
        entries: names.map((name) => [name, build(value[name], [...path, name])] as const),
      }
    }
    if (!isPlainRecord(spec) || looksLikeDistribution(spec)) {
      throw new ValidationError(
        'a prior is made from a record of parameters, such as { a: uniform(0, 1), b: { c: normal(0, 2) } }; ' +
          `got ${isPlainRecord(spec) ? 'a single distribution' : describeInput(spec)}`,
      )
    }
    const root = build(spec, [])
    if (keys.length === 0) {
      throw new ValidationError(
        fixed.length === 0
          ? 'the prior has no parameters; give it at least one distribution, such as { x: uniform(0, 1) }'
          : `the prior has no free parameters: every entry is a fixed value (${fixed.map((f) => f.key).join(', ')}); ` +
              'give at least one a distribution, such as uniform(low, high), to have something to sample',
      )
    }
    this.#root = root
    this.#quantiles = quantiles
    this.#description = { free, fixed }
    this.keys = Object.freeze(keys)
    this.dimensions = keys.length
  }

  transform(u: ArrayLike<number>): P {
    const values = new Float64Array(this.dimensions)
    this.transformInto(u, values)
    return this.#tree(values)
  }

  transformInto(u: ArrayLike<number>, out: Float64Array): Float64Array {
    this.#checkLength(u, 'the point u')
    if (!(out instanceof Float64Array) || out.length !== this.dimensions) {
      throw new ValidationError(
        `transformInto() writes into a Float64Array of prior.dimensions (${this.dimensions}) values; ` +
          `got ${out instanceof Float64Array ? `one of length ${out.length}` : describeInput(out)}`,
      )
    }
    const quantiles = this.#quantiles
    for (let i = 0; i < quantiles.length; i++) {
      const ui = u[i]!
      if (typeof ui !== 'number' || !(ui >= 0 && ui <= 1)) {
        throw new ValidationError(
          `coordinate ${i} of the point u is ${describeInput(ui)}, outside the unit cube [0, 1]; ` +
            'a prior transforms points of the unit cube (for values already in parameter space use toTree())',
          this.keys[i],
        )
      }
      out[i] = quantiles[i]!(ui)
    }
    return out
  }

  toTree(x: ArrayLike<number>): P {
    this.#checkLength(x, 'x')
    for (let i = 0; i < this.dimensions; i++) {
      if (!Number.isFinite(x[i])) {
        throw new ValidationError(
          `value ${i} of x is ${describeInput(x[i])}; toTree() takes finite numbers`,
          this.keys[i],
        )
      }
    }
    return this.#tree(x)
  }

  describe(): PriorDescription {
    return {
      free: this.#description.free.map((entry) => ({ ...entry })),
      fixed: this.#description.fixed.map((entry) => ({ ...entry })),
    }
  }

  #checkLength(values: ArrayLike<number>, what: string): void {
    if (typeof values !== 'object' || values === null || typeof values.length !== 'number') {
      throw new ValidationError(
        `${what} must be a Float64Array (or an array of numbers) of prior.dimensions (${this.dimensions}) values; ` +
          `got ${describeInput(values)}`,
      )
    }
    if (values.length !== this.dimensions) {
      throw new ValidationError(
        `${what} has ${values.length} value${values.length === 1 ? '' : 's'}, but the prior has ` +
          `${this.dimensions} free parameter${this.dimensions === 1 ? '' : 's'} ` +
          `(${this.keys.join(', ')}); give one value per entry of prior.keys`,
      )
    }
  }

  #tree(values: ArrayLike<number>): P {
    const make = (node: Node): unknown => {
      if (node.type === 'free') return values[node.index]
      if (node.type === 'fixed') return node.value
      const out: Record<string, unknown> = {}
      for (const [key, child] of node.entries) setKey(out, key, make(child))
      return out
    }
    return make(this.#root) as P
  }
}

/** The Prior class (an interface and a constructor, so that `new Prior(spec)` infers the tree's type). */
export const Prior: PriorConstructor = PriorTransform
