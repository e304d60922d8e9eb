// Evaluating objective trees on a pool. For each evaluation, every combined node is set up
// here (pre-hooks, child contexts, configurators), every leaf becomes a task, and all tasks of
// all evaluations go to the pool as one batch. When the outcomes are back, each leaf's result
// state is applied to its context and the combined nodes finish bottom-up (handlers, child
// metadata in term order, reduction, post-hooks), exactly as a serial evaluation would.

import {
  CombinedObjective,
  type EvaluateContext,
  type ParamTree,
  type Term,
  type TermOutcome,
} from '@parafit/core'
import type { EvaluateOptions, LeafObjective, LeafTask, Pool } from './pool.ts'

type PlanNode =
  | { readonly kind: 'leaf'; readonly ctx: EvaluateContext; readonly task: number }
  | {
      readonly kind: 'combined'
      readonly objective: CombinedObjective
      readonly ctx: EvaluateContext
      readonly children: readonly PlanNode[]
    }
  | { readonly kind: 'setupFailed'; readonly error: unknown }

function plan(term: Term, params: ParamTree, ctx: EvaluateContext, tasks: LeafTask[]): PlanNode {
  if (term instanceof CombinedObjective) {
    let children: readonly EvaluateContext[]
    try {
      children = term.setup(params, ctx)
    } catch (error) {
      return { kind: 'setupFailed', error }
    }
    return {
      kind: 'combined',
      objective: term,
      ctx,
      children: term.terms.map((t, i) => plan(t, params, children[i]!, tasks)),
    }
  }
  tasks.push({ objective: term, params, input: ctx.toInputState() })
  return { kind: 'leaf', ctx, task: tasks.length - 1 }
}

function resolve(node: PlanNode, outcomes: Awaited<ReturnType<Pool['evaluate']>>): TermOutcome {
  switch (node.kind) {
    case 'setupFailed':
      return { ok: false, error: node.error }
    case 'leaf': {
      const outcome = outcomes[node.task]!
      if (outcome.state !== undefined) node.ctx.applyResultState(outcome.state)
      return outcome.ok ? { ok: true, value: outcome.value } : { ok: false, error: outcome.error }
    }
    case 'combined': {
      const children = node.children.map((child) => resolve(child, outcomes))
      try {
        return { ok: true, value: node.objective.finish(node.ctx, children) }
      } catch (error) {
        return { ok: false, error }
      }
    }
  }
}

/** The distinct leaf objectives of a tree, to load in every worker before evaluating. */
export function leafObjectives(term: Term): LeafObjective[] {
  const found = new Set<LeafObjective>()
  const walk = (t: Term): void => {
    if (t instanceof CombinedObjective) t.terms.forEach(walk)
    else found.add(t)
  }
  walk(term)
  return [...found]
}

/** Evaluates `term` at each parameter set, writing into the matching context; one outcome each. */
export async function evaluateTree(
  pool: Pool,
  term: Term,
  paramsList: readonly ParamTree[],
  contexts: readonly EvaluateContext[],
  options: EvaluateOptions,
): Promise<TermOutcome[]> {
  if (!(term instanceof CombinedObjective)) {
    // One leaf per parameter set (the common case): no plan to build, and each outcome is its
    // term's outcome as it is.
    const tasks = paramsList.map((params, i) => ({
      objective: term,
      params,
      input: contexts[i]!.toInputState(),
    }))
    const outcomes = await pool.evaluate(tasks, options)
    outcomes.forEach((outcome, i) => {
      if (outcome.state !== undefined) contexts[i]!.applyResultState(outcome.state)
    })
    return outcomes
  }
  const tasks: LeafTask[] = []
  const plans = paramsList.map((params, i) => plan(term, params, contexts[i]!, tasks))
  const outcomes = await pool.evaluate(tasks, options)
  return plans.map((p) => resolve(p, outcomes))
}
