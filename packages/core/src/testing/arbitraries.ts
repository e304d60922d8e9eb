// fast-check arbitraries for property tests of objective code: parameter trees (within bounds),
// contexts holding every kind of cloneable data, and random nested objective trees with
// failures injected at chosen phases.

import fc from 'fast-check'
import { EvaluateContext } from '../context.ts'
import type { BoundsTree, ParamTree } from '../params.ts'
import {
  buildObjective,
  type LeafFailure,
  type LeafSpec,
  type NodeFailure,
  type NodeSpec,
  type ObjectiveSpec,
  type SpecOnError,
  type SpecReduction,
} from './spec.ts'

/** Keys as users write them, plus the awkward ones: dots, backslashes, `__proto__`, empty. */
export function paramKey(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'x', 'y', 'mu', 'sigma', 'amplitude') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('a.b', '.', 'x\\', '\\.', '__proto__', 'constructor', '', '0', '1.5'),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
  )
}

function record<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  return out
}

function tree<L>(
  leaf: fc.Arbitrary<L>,
  maxDepth: number,
  maxKeys: number,
): fc.Arbitrary<Record<string, unknown>> {
  const node = (depth: number): fc.Arbitrary<Record<string, unknown>> => {
    const value: fc.Arbitrary<unknown> =
      depth <= 1 ? leaf : fc.oneof({ weight: 2, arbitrary: leaf }, { weight: 1, arbitrary: node(depth - 1) })
    return fc
      .uniqueArray(fc.tuple(paramKey(), value), { minLength: 1, maxLength: maxKeys, selector: ([k]) => k })
      .map((entries) => record(entries))
  }
  return node(maxDepth)
}

export interface TreeOptions {
  maxDepth?: number
  maxKeys?: number
}

/** Nested records of finite numbers; every group has at least one key. */
export function paramTree(
  options: TreeOptions & { value?: fc.Arbitrary<number> } = {},
): fc.Arbitrary<ParamTree> {
  const value = options.value ?? fc.double({ min: -1e6, max: 1e6, noNaN: true })
  return tree(value, options.maxDepth ?? 3, options.maxKeys ?? 4) as fc.Arbitrary<ParamTree>
}

interface LeafDraw {
  kind: 'none' | 'lower' | 'upper' | 'both'
  lower: number
  width: number
  position: number
}

function mapLeaves(node: Record<string, unknown>, f: (leaf: LeafDraw) => unknown): Record<string, unknown> {
  return record(
    Object.keys(node).map((k) => {
      const v = node[k] as Record<string, unknown>
      return [k, 'kind' in v && typeof v.kind === 'string' ? f(v as unknown as LeafDraw) : mapLeaves(v, f)]
    }),
  )
}

/** A parameter tree with bounds of the same shape (some one-sided, some absent), start inside. */
export function boundedParams(
  options: TreeOptions = {},
): fc.Arbitrary<{ params: ParamTree; bounds: BoundsTree }> {
  const leaf = fc.record({
    kind: fc.constantFrom('none', 'lower', 'upper', 'both'),
    lower: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    width: fc.double({ min: 0, max: 1e3, noNaN: true }),
    position: fc.double({ min: 0, max: 1, noNaN: true }),
  }) as fc.Arbitrary<LeafDraw>
  return tree(leaf, options.maxDepth ?? 3, options.maxKeys ?? 4).map((draws) => {
    const value = (d: LeafDraw) =>
      d.kind === 'upper' ? d.lower + d.width - d.position * 10 : d.lower + d.position * d.width
    const params = mapLeaves(draws, value) as ParamTree
    const bounds = mapLeaves(draws, (d) => {
      if (d.kind === 'none') return [null, null]
      if (d.kind === 'lower') return [d.lower, null]
      if (d.kind === 'upper') return [null, d.lower + d.width]
      return [d.lower, d.lower + d.width]
    }) as BoundsTree
    return { params, bounds }
  })
}

/** Values the structured clone algorithm copies faithfully: what may go into meta or quantities. */
export function cloneableValue(): fc.Arbitrary<unknown> {
  return fc.anything({
    maxDepth: 3,
    maxKeys: 4,
    withMap: true,
    withSet: true,
    withDate: true,
    withTypedArray: true,
    withBigInt: true,
    withSparseArray: true,
  })
}

const cloneableRecord = () =>
  fc.dictionary(fc.string({ maxLength: 6 }), cloneableValue(), { maxKeys: 4, noNullPrototype: true })

/** A context with parameters, meta, quantities, config and shared data set. */
export function evaluateContext(): fc.Arbitrary<EvaluateContext> {
  return fc
    .record({
      parameters: paramTree({ maxDepth: 2 }),
      loss: fc.option(fc.double({ noNaN: true }), { nil: undefined }),
      quantities: fc.option(cloneableRecord(), { nil: undefined }),
      meta: cloneableRecord(),
      config: cloneableRecord(),
      shared: cloneableRecord(),
      residuals: fc.option(fc.float64Array({ maxLength: 5 }), { nil: undefined }),
    })
    .map((r) => {
      const ctx = new EvaluateContext({ config: r.config, shared: r.shared })
      ctx.parameters = r.parameters
      ctx.loss = r.loss
      ctx.quantities = r.quantities
      ctx.meta = r.meta
      ctx.residuals = r.residuals
      return ctx
    })
}

export interface SpecOptions {
  maxDepth?: number
  maxTerms?: number
  /** Inject failures (default true). Thresholds are compared with the sum of the parameters. */
  failures?: boolean
  leafFailures?: readonly LeafFailure[]
  nodeFailures?: readonly NodeFailure[]
  onError?: readonly SpecOnError[]
}

const allLeafFailures: LeafFailure[] = ['throw', 'nan', 'infinity', 'notANumber', 'preHook', 'postHook']
const allNodeFailures: NodeFailure[] = ['preHook', 'postHook', 'configure', 'reduction']

/** Random nested combined objective specs; build them with buildObjective. Ids are unique paths. */
export function objectiveSpec(options: SpecOptions = {}): fc.Arbitrary<ObjectiveSpec> {
  const maxDepth = options.maxDepth ?? 3
  const maxTerms = options.maxTerms ?? 4
  const withFailures = options.failures ?? true
  const above = fc.double({ min: -4, max: 4, noNaN: true })
  const failure = <F>(kinds: readonly F[]) =>
    withFailures && kinds.length > 0
      ? fc.option(fc.record({ at: fc.constantFrom(...kinds), above }), { nil: undefined, freq: 3 })
      : fc.constant(undefined)

  const leaf = (id: string): fc.Arbitrary<LeafSpec> =>
    fc.record({
      kind: fc.constant('leaf' as const),
      id: fc.constant(id),
      scale: fc.double({ min: 0.1, max: 3, noNaN: true }),
      offset: fc.double({ min: -2, max: 2, noNaN: true }),
      residuals: fc.boolean(),
      failure: failure(options.leafFailures ?? allLeafFailures),
    })

  const node = (id: string, depth: number): fc.Arbitrary<ObjectiveSpec> => {
    if (depth <= 0) return leaf(id)
    const combined = fc.integer({ min: 1, max: maxTerms }).chain((count) =>
      fc.record({
        kind: fc.constant('combined' as const),
        id: fc.constant(id),
        terms: fc.tuple(...Array.from({ length: count }, (_, i) => node(`${id}.${i}`, depth - 1))),
        weights: fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: count, maxLength: count }),
        reduction: fc.constantFrom<SpecReduction>('sum', 'mean', 'rootMean', 'max'),
        onError: fc.constantFrom<SpecOnError>(...(options.onError ?? ['raise', 'nan', 'skip', 'replace'])),
        failure: failure(options.nodeFailures ?? allNodeFailures),
      }),
    ) as fc.Arbitrary<NodeSpec>
    return depth === maxDepth ? combined : fc.oneof(leaf(id), combined)
  }
  return node('root', maxDepth)
}

/** A spec together with the in-process objective built from it. */
export function objectiveTree(options: SpecOptions = {}) {
  return objectiveSpec(options).map((spec) => ({ spec, objective: buildObjective(spec) }))
}

/** Small parameter sets for evaluating spec trees: sums spread around the failure thresholds. */
export function specParams(): fc.Arbitrary<{ x: number; y: { z: number } }> {
  const coordinate = fc.double({ min: -3, max: 3, noNaN: true })
  // Plain prototypes: parameters crossing to a worker arrive as plain objects.
  return fc.record(
    { x: coordinate, y: fc.record({ z: coordinate }, { noNullPrototype: true }) },
    { noNullPrototype: true },
  )
}
