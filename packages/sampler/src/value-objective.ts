// The worker side both samplers share: an objective whose value is the sampler's own number (ln p
// or ln L, larger is better, -Infinity allowed), which core's loss checks would refuse. Hooks and
// errors follow core's lifecycle; what one call computes is the caller's. A vectorised call
// returns its values in the context's residuals, the one channel that carries a Float64Array back.
//
// Imports only core: it is loaded on every worker through `@parafit/sampler/log-prob` and
// `@parafit/sampler/likelihood`.

import {
  EvaluateContext,
  type Hook,
  type Objective,
  type ObjectiveError,
  ObjectiveValueError,
  type ParamTree,
} from '@parafit/core'
import {
  asObjectiveError,
  beginEvaluation,
  describeValue,
  endEvaluation,
  hookList,
} from '@parafit/core/internal'

export type ValueCall = (params: ParamTree, ctx: EvaluateContext) => Promise<number>

export class ValueObjective implements Objective<ParamTree> {
  readonly #call: ValueCall
  readonly hooks: readonly Hook[]

  constructor(call: ValueCall, hooks: readonly Hook[]) {
    this.#call = call
    this.hooks = hooks
  }

  async evaluate(params: ParamTree, ctx: EvaluateContext = new EvaluateContext()): Promise<number> {
    let failure: ObjectiveError | undefined
    let value = 0
    try {
      beginEvaluation(ctx, params, this.hooks)
      value = await this.#call(params, ctx)
    } catch (error) {
      failure = asObjectiveError(error, params)
    }
    endEvaluation(ctx, this.hooks, failure)
    return value
  }

  withHooks(hooks: Hook | readonly Hook[]): Objective<ParamTree> {
    return new ValueObjective(this.#call, [...this.hooks, ...hookList(hooks)])
  }
}

/** The tree a chunk of parameter trees travels as, for one vectorised call: { '0': tree, '1': tree, ... }. */
export function chunkOfTrees(trees: readonly ParamTree[]): ParamTree {
  const chunk: ParamTree = {}
  for (let i = 0; i < trees.length; i++) chunk[i] = trees[i]!
  return chunk
}

/** Fails for a value that is not a number, saying what came back and what to return. */
export function notANumber(value: unknown, params: ParamTree, what: string, where: string): never {
  throw new ObjectiveValueError(
    `the ${what} returned ${ArrayBuffer.isView(value) ? 'an array' : describeValue(value)}${where}; ` +
      'return one number per point (with vectorized: true, one number per point of the batch)',
    { params },
  )
}

/**
 * A vectorised call's values, one per point, into the context's residuals. NaN and +Infinity pass:
 * the sampler applies its bad-value policy per point.
 */
export function storeValues(
  out: unknown,
  count: number,
  params: ParamTree,
  ctx: EvaluateContext,
  what: string,
): void {
  const list = out as ArrayLike<unknown>
  if (typeof out !== 'object' || out === null || typeof list.length !== 'number')
    notANumber(out, params, what, ' for a batch')
  if (list.length !== count) {
    throw new ObjectiveValueError(
      `the vectorised ${what} returned ${list.length} values for ${count} points`,
      { params },
    )
  }
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const v = list[i]
    if (typeof v !== 'number') notANumber(v, params, what, ` at point ${i}`)
    values[i] = v
  }
  ctx.residuals = values
}
