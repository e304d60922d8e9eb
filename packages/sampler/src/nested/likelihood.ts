// The nested sampler's likelihood as an objective the pools can run. It receives the named
// parameters (the prior's tree) and returns ln L, -Infinity included, which a loss objective
// would refuse; NaN and +Infinity come back as values and the sampler applies its policy.
// With `vectorized: true` one call gets a chunk { '0': tree, '1': tree, ... } and returns one
// value per point, carried back in the context's residuals (the channel for a Float64Array).
//
// Kept free of the sampler's own imports: every worker that loads a likelihood module loads it,
// through `@parafit/sampler/likelihood`.

import {
  asObjectiveError,
  beginEvaluation,
  EvaluateContext,
  type ExportRule,
  endEvaluation,
  type Hook,
  hookList,
  type Objective,
  type ObjectiveDefinition,
  type ObjectiveError,
  ObjectiveValueError,
  type ParamTree,
  ValidationError,
} from '@parafit/core'

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

/** The tree a chunk travels as, for one vectorised call. */
export function chunkOfTrees(trees: readonly ParamTree[]): ParamTree {
  const chunk: ParamTree = {}
  for (let i = 0; i < trees.length; i++) chunk[i] = trees[i]!
  return chunk
}

function notANumber(value: unknown, params: ParamTree, where: string): never {
  throw new ObjectiveValueError(
    `the log-likelihood returned ${Array.isArray(value) || ArrayBuffer.isView(value) ? 'an array' : `a ${typeof value}`}${where}; ` +
      'return one number per point (with vectorized: true, one number per point of the chunk)',
    { params },
  )
}

class LikelihoodObjective implements Objective<ParamTree> {
  readonly #fn: AnyLikelihoodFn
  readonly #vectorized: boolean
  readonly hooks: readonly Hook[]

  constructor(fn: AnyLikelihoodFn, vectorized: boolean, hooks: readonly Hook[]) {
    this.#fn = fn
    this.#vectorized = vectorized
    this.hooks = hooks
  }

  async evaluate(params: ParamTree, ctx: EvaluateContext = new EvaluateContext()): Promise<number> {
    let failure: ObjectiveError | undefined
    let value = 0
    try {
      beginEvaluation(ctx, params, this.hooks)
      if (this.#vectorized) {
        const trees = Object.values(params) as ParamTree[]
        const out = await (this.#fn as VectorizedLikelihoodFn)(trees, ctx)
        if (typeof out !== 'object' || out === null || typeof out.length !== 'number')
          notANumber(out, params, ' for a chunk')
        if (out.length !== trees.length) {
          throw new ObjectiveValueError(
            `the vectorised log-likelihood returned ${out.length} values for ${trees.length} points`,
            { params },
          )
        }
        const values = new Float64Array(trees.length)
        for (let i = 0; i < values.length; i++) {
          const v = out[i]
          if (typeof v !== 'number') notANumber(v, params, ` at point ${i}`)
          values[i] = v
        }
        ctx.residuals = values
      } else {
        const v = await (this.#fn as LikelihoodFn)(params, ctx)
        if (typeof v !== 'number') notANumber(v, params, '')
        value = v
      }
    } catch (error) {
      failure = asObjectiveError(error, params)
    }
    endEvaluation(ctx, this.hooks, failure)
    return value
  }

  withHooks(hooks: Hook | readonly Hook[]): Objective<ParamTree> {
    return new LikelihoodObjective(this.#fn, this.#vectorized, [...this.hooks, ...hookList(hooks)])
  }
}

/** An in-process likelihood as an objective (the serial pool runs it in this thread). */
export function likelihoodObjective(fn: unknown, vectorized: boolean): Objective<ParamTree> {
  if (typeof fn !== 'function') {
    throw new ValidationError(
      `logLikelihood must be a function or a module reference (objectiveModule), got ${fn === null ? 'null' : typeof fn}`,
      'logLikelihood',
    )
  }
  return new LikelihoodObjective(fn as AnyLikelihoodFn, vectorized, [])
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
      `defineLikelihood() needs a factory function (init) => (params, ctx) => logL, got ${typeof factory}`,
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
          `the log-likelihood factory returned ${fn === null ? 'null' : typeof fn}; it must return (params, ctx) => logL`,
        )
      }
      return new LikelihoodObjective(fn as AnyLikelihoodFn, init.vectorized, hooks)
    },
    withHooks(more: Hook | readonly Hook[]) {
      return defineLikelihood(factory as (init: I) => LikelihoodFn<P>, [...hooks, ...hookList(more)])
    },
  } as ObjectiveDefinition<LikelihoodInit<I>, ParamTree>
}
