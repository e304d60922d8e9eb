// The nested sampler's likelihood as an objective the pools can run. It receives the named
// parameters (the prior's tree) and returns ln L, -Infinity included, which a loss objective
// would refuse; NaN and +Infinity come back as values and the sampler applies its policy.
// With `vectorized: true` one call gets a chunk { '0': tree, '1': tree, ... } and returns one
// value per point, carried back in the context's residuals (the channel for a Float64Array).
//
// Kept free of the sampler's own imports (value-objective.ts imports only core): every worker
// that loads a likelihood module loads it, through `@parafit/sampler/likelihood`.

import {
  type EvaluateContext,
  type ExportRule,
  type Hook,
  type Objective,
  type ObjectiveDefinition,
  type ParamTree,
  ValidationError,
} from '@parafit/core'
import { describeValue, hookList } from '@parafit/core/internal'
import { notANumber, storeValues, ValueObjective } from '../value-objective.ts'

/** ln L at the named parameters; -Infinity where the data rule the point out. */
export type LikelihoodFn<P extends ParamTree = ParamTree> = (
  params: P,
  ctx: EvaluateContext,
) => number | Promise<number>

/** With `vectorized: true`: one call per chunk of points, one value per point. */
export type VectorizedLikelihoodFn<P extends ParamTree = ParamTree> = (
  params: readonly P[],
  ctx: EvaluateContext,
) => ArrayLike<number> | Promise<ArrayLike<number>>

type AnyLikelihoodFn = LikelihoodFn<never> | VectorizedLikelihoodFn<never>

function likelihoodValue(
  fn: AnyLikelihoodFn,
  vectorized: boolean,
  hooks: readonly Hook[],
): Objective<ParamTree> {
  return new ValueObjective(async (params, ctx) => {
    if (vectorized) {
      const trees = Object.values(params) as ParamTree[]
      storeValues(
        await (fn as VectorizedLikelihoodFn)(trees, ctx),
        trees.length,
        params,
        ctx,
        'log-likelihood',
      )
      return 0
    }
    const v = await (fn as LikelihoodFn)(params, ctx)
    // NaN and +Infinity pass as values: the sampler applies its onBadValue policy.
    if (typeof v !== 'number') notANumber(v, params, 'log-likelihood', '')
    return v
  }, hooks)
}

/** An in-process likelihood as an objective (the serial pool runs it in this thread). */
export function likelihoodObjective(fn: unknown, vectorized: boolean): Objective<ParamTree> {
  if (typeof fn !== 'function') {
    throw new ValidationError(
      `logLikelihood must be a function or a module reference (objectiveModule), got ${describeValue(fn)}`,
      'logLikelihood',
    )
  }
  return likelihoodValue(fn as AnyLikelihoodFn, vectorized, [])
}

// Marks a definition made by defineLikelihood, so the sampler can tell it from a loss objective.
const LIKELIHOOD = 'parafit.likelihood'

export function isLikelihoodDefinition(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[LIKELIHOOD] === true
  )
}

/** The export a likelihood module's sampler loads when none is named. */
export const likelihoodExportRule: ExportRule = {
  names: ['logLikelihood'],
  accepts: isLikelihoodDefinition,
  what: 'log-likelihood',
  maker: 'defineLikelihood()',
}

export interface LikelihoodInit<I> {
  /** What the module's factory receives (objectiveModule's init). */
  readonly init: I
  /** Set by the sampler: whether calls get chunks of points. */
  readonly vectorized: boolean
}

/**
 * Defines a log-likelihood module for NestedSampler: `factory(init)` runs once per worker (load
 * data, build tables) and returns `(params, ctx) => ln L`, or with `vectorized: true`
 * `(paramsList, ctx) => values`. Refer to it with objectiveModule(url, { init }).
 */
export function defineLikelihood<I = unknown, P extends ParamTree = ParamTree>(
  factory: (
    init: I,
  ) => LikelihoodFn<P> | VectorizedLikelihoodFn<P> | Promise<LikelihoodFn<P> | VectorizedLikelihoodFn<P>>,
  hooks: readonly Hook[] = [],
): ObjectiveDefinition<LikelihoodInit<I>, ParamTree> {
  if (typeof factory !== 'function') {
    throw new ValidationError(
      `defineLikelihood() needs a factory function (init) => (params, ctx) => logL, got ${describeValue(factory)}`,
    )
  }
  return {
    kind: 'parafit.objective',
    [LIKELIHOOD]: true,
    hooks,
    async create(init: LikelihoodInit<I>) {
      const fn = await factory(init.init)
      if (typeof fn !== 'function') {
        throw new ValidationError(
          `the log-likelihood factory returned ${describeValue(fn)}; it must return (params, ctx) => logL`,
        )
      }
      return likelihoodValue(fn as AnyLikelihoodFn, init.vectorized, hooks)
    },
    withHooks(more: Hook | readonly Hook[]) {
      return defineLikelihood(factory as (init: I) => LikelihoodFn<P>, [...hooks, ...hookList(more)])
    },
  } as ObjectiveDefinition<LikelihoodInit<I>, ParamTree>
}
