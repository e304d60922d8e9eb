// Objectives: `objective(fn)` for an in-process function, and `defineObjective(factory)` for a
// module objective whose factory runs once per worker (load data, build tables) and returns the
// per-evaluation function.

import { EvaluateContext } from './context.ts'
import { type ObjectiveError, ValidationError } from './errors/classes.ts'
import {
  asObjectiveError,
  beginEvaluation,
  endEvaluation,
  type Hook,
  interpretValue,
  lossAfterHooks,
} from './lifecycle.ts'
import type { ParamTree } from './params.ts'

/** A loss, or a vector of residuals whose sum of squares is the loss. */
export type ObjectiveValue = number | Float64Array
export type ObjectiveFn<P = ParamTree> = (
  params: P,
  ctx: EvaluateContext,
) => ObjectiveValue | Promise<ObjectiveValue>

export interface Objective<P = ParamTree> {
  /** Evaluates at `params`, writing into `ctx` (a new context when omitted); resolves to the loss. */
  evaluate(params: P, ctx?: EvaluateContext): Promise<number>
  /**
   * Optional: the same as evaluate(), but returning the loss (or throwing) synchronously when
   * the evaluation is synchronous. The serial pool uses it to skip a promise per evaluation.
   */
  evaluateNow?(params: P, ctx?: EvaluateContext): number | Promise<number>
  /** A copy with `hooks` appended; the original is unchanged. */
  withHooks(hooks: Hook | readonly Hook[]): Objective<P>
  readonly hooks: readonly Hook[]
}

/** Evaluates through evaluateNow where the objective has it: a number for a synchronous one. */
export function evaluateWithoutWaiting<P>(
  objective: Objective<P>,
  params: P,
  ctx: EvaluateContext,
): number | Promise<number> {
  return objective.evaluateNow === undefined
    ? objective.evaluate(params, ctx)
    : objective.evaluateNow(params, ctx)
}

export function isObjective(value: unknown): value is Objective<never> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { evaluate?: unknown }).evaluate === 'function' &&
    typeof (value as { withHooks?: unknown }).withHooks === 'function'
  )
}

export function hookList(hooks: Hook | readonly Hook[]): readonly Hook[] {
  const list = Array.isArray(hooks) ? hooks : [hooks as Hook]
  list.forEach((hook, i) => {
    if (
      typeof hook !== 'object' ||
      hook === null ||
      (typeof hook.pre !== 'function' && typeof hook.post !== 'function')
    ) {
      throw new ValidationError(`hook ${i} has neither a pre nor a post function`)
    }
  })
  return list
}

// The function behind each in-process objective, so that MPI ranks can check they built the
// same tree (by source text) without the function being a public property.
const functionOf = new WeakMap<object, ObjectiveFn<never>>()

/** The source text of an in-process objective's function, or undefined for other objectives. */
export function objectiveSourceText(objective: object): string | undefined {
  return functionOf.get(objective)?.toString()
}

class FunctionObjective<P extends ParamTree> implements Objective<P> {
  readonly #fn: ObjectiveFn<P>
  readonly hooks: readonly Hook[]
  constructor(fn: ObjectiveFn<P>, hooks: readonly Hook[]) {
    this.#fn = fn
    this.hooks = hooks
    functionOf.set(this, fn as ObjectiveFn<never>)
  }

  async evaluate(params: P, ctx: EvaluateContext = new EvaluateContext()): Promise<number> {
    return this.evaluateNow(params, ctx)
  }

  /**
   * The same lifecycle as evaluate(), but synchronous when the function is: the loss, or a
   * thrown ObjectiveError; a Promise only when the function returned one. The serial pool calls
   * this, so that a synchronous objective costs no promise and no microtask per evaluation.
   */
  evaluateNow(params: P, ctx: EvaluateContext = new EvaluateContext()): number | Promise<number> {
    let returned: ObjectiveValue | Promise<ObjectiveValue>
    try {
      beginEvaluation(ctx, params, this.hooks)
      returned = this.#fn(params, ctx)
    } catch (error) {
      return this.#finish(ctx, undefined, asObjectiveError(error, params))
    }
    if (typeof (returned as { then?: unknown } | undefined)?.then === 'function') {
      // Any thenable, as `await` would take it.
      return Promise.resolve(returned).then(
        (value) => this.#settle(ctx, params, value),
        (error: unknown) => this.#finish(ctx, undefined, asObjectiveError(error, params)),
      )
    }
    return this.#settle(ctx, params, returned as ObjectiveValue)
  }

  #settle(ctx: EvaluateContext, params: P, value: ObjectiveValue): number {
    let interpreted: ReturnType<typeof interpretValue>
    try {
      interpreted = interpretValue(value, params)
    } catch (error) {
      return this.#finish(ctx, undefined, asObjectiveError(error, params))
    }
    return this.#finish(ctx, interpreted, undefined)
  }

  /** Sets the loss (on success) and runs the post-hooks; throws the failure, if any. */
  #finish(
    ctx: EvaluateContext,
    interpreted: ReturnType<typeof interpretValue> | undefined,
    failure: ObjectiveError | undefined,
  ): number {
    if (interpreted !== undefined) {
      ctx.loss = interpreted.loss
      ctx.residuals = interpreted.residuals
    }
    endEvaluation(ctx, this.hooks, failure)
    return lossAfterHooks(ctx)
  }

  withHooks(hooks: Hook | readonly Hook[]): Objective<P> {
    return new FunctionObjective(this.#fn, [...this.hooks, ...hookList(hooks)])
  }
}

/** An in-process objective. Works with the serial pool; parallel pools need a module (defineObjective). */
export function objective<P extends ParamTree = ParamTree>(fn: ObjectiveFn<P>): Objective<P> {
  if (typeof fn !== 'function') throw new ValidationError(`objective() needs a function, got ${typeof fn}`)
  return new FunctionObjective(fn, [])
}

/** The default export of an objective module. `create(init)` runs once per worker. */
export interface ObjectiveDefinition<I = unknown, P = ParamTree> {
  readonly kind: 'parafit.objective'
  readonly hooks: readonly Hook[]
  create(init: I): Promise<Objective<P>>
  /** The same definition with hooks that run in the worker, around every evaluation. */
  withHooks(hooks: Hook | readonly Hook[]): ObjectiveDefinition<I, P>
}

export function isObjectiveDefinition(value: unknown): value is ObjectiveDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'parafit.objective' &&
    typeof (value as { create?: unknown }).create === 'function'
  )
}

/**
 * Defines a module objective. `factory(init)` runs once in each worker that loads the module and
 * returns the per-evaluation function (or a ready Objective, e.g. one with hooks).
 *
 * @example
 * ```ts
 * // line.objective.ts: the module's default export is the objective
 * import { defineObjective } from '@parafit/core'
 *
 * export default defineObjective((init: { x: number[]; y: number[] }) => {
 *   // Once per worker: load files, build tables.
 *   return (p: { slope: number; intercept: number }, ctx) => {
 *     ctx.meta.points = init.x.length // comes back with the result
 *     return Float64Array.from(init.x, (x, i) => p.slope * x + p.intercept - (init.y[i] ?? 0))
 *   }
 * })
 *
 * // Elsewhere, a reference that pools, the Fitter and the samplers load on their workers:
 * const line = objectiveModule(new URL('./line.objective.ts', import.meta.url), { init: { x, y } })
 * ```
 */
export function defineObjective<I = unknown, P extends ParamTree = ParamTree>(
  factory: (init: I) => ObjectiveFn<P> | Objective<P> | Promise<ObjectiveFn<P> | Objective<P>>,
  hooks: readonly Hook[] = [],
): ObjectiveDefinition<I, P> {
  if (typeof factory !== 'function') {
    throw new ValidationError(
      `defineObjective() needs a factory function (init) => objectiveFn, got ${typeof factory}`,
    )
  }
  return {
    kind: 'parafit.objective',
    hooks,
    async create(init: I): Promise<Objective<P>> {
      const made = await factory(init)
      const base = isObjective(made)
        ? (made as Objective<P>)
        : typeof made === 'function'
          ? objective(made)
          : undefined
      if (base === undefined) {
        throw new ValidationError(
          `the objective factory returned ${made === null ? 'null' : typeof made}; it must return (params, ctx) => loss`,
        )
      }
      return hooks.length === 0 ? base : base.withHooks(hooks)
    },
    withHooks(more: Hook | readonly Hook[]) {
      return defineObjective(factory, [...hooks, ...hookList(more)])
    },
  }
}
