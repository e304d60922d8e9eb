// Combined objectives: value = reduction of weight_i * term_i, nested to any depth.
//
// Evaluation is split into `setup` (lifecycle begins, child contexts spawned and configured),
// the terms, and `finish` (failures handled, child metadata collected, reduction, lifecycle
// ends). `evaluate` runs the terms here, one after another; parallel schedulers call `setup`
// and `finish` on the caller's side and run the terms on workers, so both paths share every
// rule below and give identical values and metadata.

import { type ChildConfigurator, EvaluateContext } from './context.ts'
import { ObjectiveError, ObjectiveValueError, ValidationError } from './errors/classes.ts'
import { asObjectiveError, beginEvaluation, endEvaluation, type Hook, lossAfterHooks } from './lifecycle.ts'
import { loadObjectiveCached } from './loader.ts'
import { hookList, isObjective, type Objective, type ObjectiveFn, objective } from './objective.ts'
import { checkOptionKeys, optionKeys } from './option-keys.ts'
import { describeValue, type ParamTree } from './params.ts'
import {
  checkOnError,
  checkReduction,
  checkWeights,
  type OnError,
  type Reduction,
  reduce,
} from './reduction.ts'
import { isObjectiveRef, type ObjectiveRef } from './ref.ts'

export type Term<P extends ParamTree = ParamTree> = Objective<P> | ObjectiveRef
export type TermInput<P extends ParamTree = ParamTree> = Term<P> | ObjectiveFn<P>

/** How one term of one evaluation ended. */
export type TermOutcome =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly error: unknown }

export interface CombineOptions {
  weights?: readonly number[]
  reduction?: Reduction
  onError?: OnError
  /** Called for each child context before the terms run: `(index, child, count, parent)`. */
  configureChild?: ChildConfigurator
}

const COMBINE_OPTION_KEYS = optionKeys<CombineOptions>()([
  'weights',
  'reduction',
  'onError',
  'configureChild',
])

interface Settings {
  readonly weights: readonly number[]
  readonly reduction: Reduction
  readonly onError: OnError
  readonly configureChild: ChildConfigurator | undefined
  readonly hooks: readonly Hook[]
}

function toTerm<P extends ParamTree>(term: unknown, index: number): Term<P> {
  if (isObjective(term) || isObjectiveRef(term)) return term as Term<P>
  if (typeof term === 'function') return objective(term as ObjectiveFn<P>)
  throw new ValidationError(
    `term ${index} is not an objective (got ${term === null ? 'null' : typeof term}); ` +
      'pass objective(fn), an objectiveModule(...) reference, or a combined objective',
  )
}

export class CombinedObjective<P extends ParamTree = ParamTree> implements Objective<P> {
  readonly terms: readonly Term<P>[]
  readonly #settings: Settings

  constructor(terms: readonly Term<P>[], settings: Settings) {
    this.terms = terms
    this.#settings = settings
  }

  get weights(): readonly number[] {
    return this.#settings.weights
  }
  get reduction(): Reduction {
    return this.#settings.reduction
  }
  get onError(): OnError {
    return this.#settings.onError
  }
  get configureChild(): ChildConfigurator | undefined {
    return this.#settings.configureChild
  }
  get hooks(): readonly Hook[] {
    return this.#settings.hooks
  }

  withWeights(weights: readonly number[]): CombinedObjective<P> {
    return this.#with({ weights: checkWeights(weights, this.terms.length) })
  }
  withReduction(reduction: Reduction): CombinedObjective<P> {
    return this.#with({ reduction: checkReduction(reduction) })
  }
  withOnError(onError: OnError): CombinedObjective<P> {
    return this.#with({ onError: checkOnError(onError) })
  }
  withHooks(hooks: Hook | readonly Hook[]): CombinedObjective<P> {
    return this.#with({ hooks: [...this.hooks, ...hookList(hooks)] })
  }
  #with(change: Partial<Settings>): CombinedObjective<P> {
    return new CombinedObjective(this.terms, { ...this.#settings, ...change })
  }

  async evaluate(params: P, ctx: EvaluateContext = new EvaluateContext()): Promise<number> {
    // Module references load once (cached); trees without any skip the extra await.
    const terms = this.terms.some(isObjectiveRef)
      ? await Promise.all(
          this.terms.map((t) => (isObjectiveRef(t) ? (loadObjectiveCached(t) as Promise<Objective<P>>) : t)),
        )
      : (this.terms as readonly Objective<P>[])
    const children = this.setup(params, ctx)
    const outcomes: TermOutcome[] = []
    for (let i = 0; i < terms.length; i++) {
      try {
        outcomes.push({ ok: true, value: await terms[i]!.evaluate(params, children[i]) })
      } catch (error) {
        outcomes.push({ ok: false, error })
      }
    }
    return this.finish(ctx, outcomes)
  }

  /**
   * Begins the lifecycle (pre-hooks) and spawns one configured child context per term.
   * On failure the lifecycle ends (post-hooks run) and an ObjectiveError is thrown.
   */
  setup(params: P, ctx: EvaluateContext): readonly EvaluateContext[] {
    try {
      beginEvaluation(ctx, params, this.hooks)
      return ctx.spawnChildren(this.terms.length, this.configureChild)
    } catch (error) {
      ctx.collectChildMeta()
      endEvaluation(ctx, this.hooks, asObjectiveError(error, params))
      throw new Error('unreachable: endEvaluation rethrows') // for the type checker only
    }
  }

  /**
   * Given each term's outcome (its context already holds its result state), applies onError,
   * collects child metadata in term order, reduces, and ends the lifecycle. Returns the value.
   */
  finish(ctx: EvaluateContext, outcomes: readonly TermOutcome[]): number {
    const children = ctx.children
    let failure: ObjectiveError | undefined
    try {
      // An internal invariant (the pools give one outcome per term), never the user's doing.
      if (outcomes.length !== this.terms.length || children.length !== this.terms.length) {
        throw new Error(`internal: finish() got ${outcomes.length} outcomes for ${this.terms.length} terms`)
      }
      const values: number[] = []
      const skipped: number[] = []
      const residualParts: (Float64Array | undefined)[] = []
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) {
          values.push(this.weights[i]! * outcome.value)
          residualParts.push(children[i]!.residuals)
          return
        }
        const replacement = this.#handleFailure(outcome.error, children[i]!, i)
        if (replacement === undefined) {
          skipped.push(i)
        } else {
          values.push(replacement)
          residualParts.push(undefined)
        }
      })
      ctx.meta.nTerms = this.terms.length
      ctx.meta.skippedIndices = skipped
      if (values.length === 0) {
        throw new ObjectiveError(
          `all ${this.terms.length} terms failed and were skipped; there is nothing to reduce`,
          {
            params: ctx.parameters,
          },
        )
      }
      const value = this.#reduce(values, ctx)
      ctx.loss = value
      ctx.residuals = this.#residuals(residualParts, skipped)
    } catch (error) {
      failure = asObjectiveError(error, ctx.parameters)
    }
    ctx.collectChildMeta()
    endEvaluation(ctx, this.hooks, failure)
    return lossAfterHooks(ctx)
  }

  #handleFailure(error: unknown, child: EvaluateContext, index: number): number | undefined {
    const { onError } = this
    if (onError === 'nan') return Number.NaN
    if (onError === 'skip') return undefined
    if (onError !== 'raise') {
      try {
        const replacement = onError(error, child, index)
        if (replacement === undefined || typeof replacement === 'number') return replacement
        throw new ObjectiveValueError(
          `the onError handler returned ${describeValue(replacement)}; return a number or undefined`,
        )
      } catch (handlerError) {
        error = handlerError
      }
    }
    const raised = asObjectiveError(error, child.parameters)
    raised.prependTermIndex(index)
    throw raised
  }

  #reduce(values: number[], ctx: EvaluateContext): number {
    let value: unknown
    try {
      value = reduce(this.reduction, values)
    } catch (error) {
      throw asObjectiveError(error, ctx.parameters)
    }
    if (typeof value !== 'number') {
      throw new ObjectiveValueError(
        `the reduction returned ${describeValue(value)}; it must return a number`,
        {
          params: ctx.parameters,
        },
      )
    }
    return value
  }

  /**
   * For 'sum' and 'mean', when every kept term returned residuals, the combined residual vector
   * is their concatenation scaled so that its sum of squares is the combined value.
   */
  #residuals(parts: (Float64Array | undefined)[], skipped: number[]): Float64Array | undefined {
    const { reduction } = this
    if (reduction !== 'sum' && reduction !== 'mean') return undefined
    const given = parts.filter((p) => p !== undefined)
    if (given.length < parts.length) return undefined
    const keptWeights = this.weights.filter((_, i) => !skipped.includes(i))
    const divisor = reduction === 'mean' ? given.length : 1
    const out = new Float64Array(given.reduce((n, p) => n + p.length, 0))
    let offset = 0
    given.forEach((part, k) => {
      const scale = Math.sqrt(keptWeights[k]! / divisor)
      for (let j = 0; j < part.length; j++) out[offset + j] = scale * part[j]!
      offset += part.length
    })
    return out
  }
}

/**
 * Combines objectives: value = reduction(weight_i * term_i). Terms may be objectives, module
 * references, functions, or combined objectives themselves.
 *
 * @example
 * ```ts
 * import { combine, EvaluateContext, objective } from '@parafit/core'
 *
 * const misfit = objective((p: { a: number }) => (p.a - 1) ** 2)
 * const penalty = objective((p: { a: number }) => Math.abs(p.a))
 * const total = combine([misfit, penalty], { weights: [1, 0.1] }) // nest combine() for trees
 *
 * const ctx = new EvaluateContext()
 * await total.evaluate({ a: 0.5 }, ctx) // 1 · 0.25 + 0.1 · 0.5 = 0.3
 * ctx.toMetaData().meta.children // each term's loss and meta, in term order
 * ```
 */
export function combine<P extends ParamTree = ParamTree>(
  terms: Iterable<TermInput<P>>,
  options: CombineOptions = {},
): CombinedObjective<P> {
  if (terms === null || typeof (terms as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new ValidationError('combine() needs an array (or iterable) of terms')
  }
  checkOptionKeys(options, COMBINE_OPTION_KEYS, 'combine() options')
  const list = [...terms].map((t, i) => toTerm<P>(t, i))
  if (list.length === 0)
    throw new ValidationError('combine() got zero terms; a combined objective needs at least one')
  if (options.configureChild !== undefined && typeof options.configureChild !== 'function') {
    throw new ValidationError('configureChild must be a function (index, child, count, parent) => void')
  }
  return new CombinedObjective(Object.freeze(list), {
    weights: checkWeights(options.weights, list.length),
    reduction: checkReduction(options.reduction ?? 'sum'),
    onError: checkOnError(options.onError ?? 'raise'),
    configureChild: options.configureChild,
    hooks: [],
  })
}

export function isCombined(value: unknown): value is CombinedObjective<never> {
  return value instanceof CombinedObjective
}
