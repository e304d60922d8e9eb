// Plain-data descriptions of objective trees with failures injected at chosen phases. Being
// data, a spec can be built into in-process objectives (buildObjective) or, leaf by leaf, into
// module references that workers load (the spec-leaf module), so the same tree can be compared
// across serial, thread, process and MPI evaluation.

import { type CombinedObjective, combine, type Term } from '../combined.ts'
import type { EvaluateContext } from '../context.ts'
import type { Hook } from '../lifecycle.ts'
import { type Objective, objective } from '../objective.ts'
import { flattenParams, type ParamTree } from '../params.ts'
import type { OnError, Reduction } from '../reduction.ts'

/** Where a leaf fails: by throwing, by returning a bad value, or in one of its hooks. */
export type LeafFailure = 'throw' | 'nan' | 'infinity' | 'notANumber' | 'preHook' | 'postHook'
/** Where a combined node fails: in its hooks, its child configurator or its reduction. */
export type NodeFailure = 'preHook' | 'postHook' | 'configure' | 'reduction'
export type SpecOnError = 'raise' | 'nan' | 'skip' | 'replace'
export type SpecReduction = 'sum' | 'mean' | 'rootMean' | 'max'

/** Failures fire only when the sum of the parameters exceeds `above`, so a batch mixes both. */
export interface FailureSpec<F> {
  readonly at: F
  readonly above: number
}

export interface LeafSpec {
  readonly kind: 'leaf'
  readonly id: string
  readonly scale: number
  readonly offset: number
  /** Return residuals (loss = sum of squares) instead of a number. */
  readonly residuals: boolean
  readonly failure: FailureSpec<LeafFailure> | undefined
}

export interface NodeSpec {
  readonly kind: 'combined'
  readonly id: string
  readonly terms: readonly ObjectiveSpec[]
  readonly weights: readonly number[]
  readonly reduction: SpecReduction
  readonly onError: SpecOnError
  readonly failure: FailureSpec<NodeFailure> | undefined
}

export type ObjectiveSpec = LeafSpec | NodeSpec

function paramSum(params: ParamTree): number {
  let sum = 0
  for (const v of Object.values(flattenParams(params))) sum += v
  return sum
}

function fires<F>(failure: FailureSpec<F> | undefined, at: F, params: ParamTree | undefined): boolean {
  return (
    failure !== undefined && failure.at === at && params !== undefined && paramSum(params) > failure.above
  )
}

class InjectedFailure extends Error {
  override name = 'InjectedFailure'
}

function failureHooks<F>(id: string, failure: FailureSpec<F> | undefined, pre: F, post: F): Hook[] {
  return [
    {
      pre(ctx) {
        ctx.meta.preSawLoss = ctx.loss === undefined ? 'unset' : ctx.loss
        if (fires(failure, pre, ctx.parameters)) throw new InjectedFailure(`pre-hook failed in ${id}`)
      },
      post(ctx, error) {
        ctx.meta.postSawError = error === undefined ? null : (error as Error).name
        if (fires(failure, post, ctx.parameters)) throw new InjectedFailure(`post-hook failed in ${id}`)
      },
    },
  ]
}

/** The objective a leaf spec describes; deterministic in its parameters. */
export function specLeaf(spec: LeafSpec): Objective {
  const fn = (params: ParamTree, ctx: EvaluateContext) => {
    const flat = Object.values(flattenParams(params))
    const residuals = Float64Array.from(flat, (v) => spec.scale * (v - spec.offset))
    const loss = residuals.reduce((a, r) => a + r * r, 0)
    ctx.meta.leaf = spec.id
    ctx.meta.configuredIndex = ctx.config.childIndex ?? null
    ctx.quantities = { residualCount: residuals.length, loss }
    if (fires(spec.failure, 'throw', params)) throw new InjectedFailure(`leaf ${spec.id} threw`)
    if (fires(spec.failure, 'nan', params)) return Number.NaN
    if (fires(spec.failure, 'infinity', params)) return Number.POSITIVE_INFINITY
    if (fires(spec.failure, 'notANumber', params)) return 'oops' as unknown as number
    return spec.residuals ? residuals : loss
  }
  return objective(fn).withHooks(failureHooks(spec.id, spec.failure, 'preHook', 'postHook'))
}

function specOnError(onError: SpecOnError): OnError {
  if (onError !== 'replace') return onError
  return (error, ctx, index) => {
    ctx.meta.handled = { index, message: error instanceof Error ? error.message : String(error) }
    return 1000 + index
  }
}

/**
 * Builds the objective a spec describes. `leaf` decides what a leaf becomes: by default an
 * in-process objective; pass `(spec) => objectiveModule(specLeafModule, { init: spec })` to
 * have workers evaluate the leaves.
 */
export function buildObjective(spec: ObjectiveSpec, leaf: (spec: LeafSpec) => Term = specLeaf): Term {
  if (spec.kind === 'leaf') return leaf(spec)
  const { failure, id } = spec
  const terms = spec.terms.map((t) => buildObjective(t, leaf))
  const combined: CombinedObjective = combine(terms, {
    weights: spec.weights,
    onError: specOnError(spec.onError),
    reduction: specReduction(spec),
    configureChild(index, child, _count, parent) {
      if (fires(failure, 'configure', parent.parameters))
        throw new InjectedFailure(`configure failed in ${id}`)
      child.config.childIndex = index
      child.meta.configuredBy = id
    },
  })
  return combined.withHooks(failureHooks(id, failure, 'preHook', 'postHook'))
}

const reductions = {
  sum: (v: number[]) => v.reduce((a, b) => a + b, 0),
  mean: (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length,
  rootMean: (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b, 0) / v.length),
  max: (v: number[]) => Math.max(...v),
}

// A reduction sees only the weighted terms, so an injected reduction failure fires when their
// sum exceeds `above`: still deterministic in the parameters.
function specReduction(spec: NodeSpec): Reduction {
  const { failure, reduction, id } = spec
  if (failure?.at !== 'reduction') return reduction === 'max' ? reductions.max : reduction
  return (values) => {
    if (reductions.sum(values) > failure.above) throw new InjectedFailure(`reduction failed in ${id}`)
    return reductions[reduction](values)
  }
}

/** Every leaf spec of a tree, in depth-first term order. */
export function leavesOf(spec: ObjectiveSpec): LeafSpec[] {
  return spec.kind === 'leaf' ? [spec] : spec.terms.flatMap(leavesOf)
}
