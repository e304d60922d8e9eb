// Before a long run on a worker pool, every worker evaluates the start point once and the values
// are compared. A model module that makes its data with Math.random() (or reads a per-process
// source) when it loads gets different data on each worker, and an optimizer fed values from
// several different functions "converges" to nonsense without a word. This catches it up front.

import {
  EvaluateContext,
  isObjectiveRef,
  moduleDisplayName,
  type ObjectiveRef,
  type ParamTree,
  WorkersDisagreeError,
} from '@parafit/core'
import type { LeafOutcome, Pool } from './pool.ts'

export interface WorkersAgreeOptions {
  readonly signal?: AbortSignal | undefined
  readonly timeoutMs?: number | undefined
}

function sameOutcome(a: LeafOutcome, b: LeafOutcome): boolean {
  if (!a.ok || !b.ok) return true // a failure is the run's to handle, not a disagreement
  if (!Object.is(a.value, b.value)) return false
  const ra = a.state.residuals
  const rb = b.state.residuals
  if (ra === undefined || rb === undefined) return ra === rb
  return ra.length === rb.length && ra.every((r, i) => Object.is(r, rb[i]))
}

// The pools whose workers were found to agree on an objective: a Fitter that fits again, or a
// sampler that runs again, on a kept pool (MPI, or the caller's own) is not checked twice.
const agreed = new WeakMap<Pool, WeakSet<ObjectiveRef>>()

/**
 * Evaluates `params` once on each worker of `pool` and throws WorkersDisagreeError when two
 * workers give different values. Does nothing for a pool of one worker, a pool that cannot pin
 * work to a worker, an objective that is not a module reference, or a pool and objective that
 * passed before (workers that replace crashed ones since are not checked).
 */
export async function checkWorkersAgree(
  pool: Pool,
  objective: unknown,
  params: ParamTree,
  options: WorkersAgreeOptions = {},
): Promise<void> {
  if (pool.size < 2 || pool.evaluateOnEachWorker === undefined || !isObjectiveRef(objective)) return
  if (agreed.get(pool)?.has(objective)) return
  const outcomes = await pool.evaluateOnEachWorker(
    { objective, params, input: new EvaluateContext().toInputState() },
    {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
  )
  const first = outcomes.find((o) => o.ok)
  if (first === undefined) return // every worker failed: the run reports that itself
  if (outcomes.every((o) => sameOutcome(first, o))) {
    const known = agreed.get(pool) ?? new WeakSet()
    known.add(objective)
    agreed.set(pool, known)
    return
  }
  const values = outcomes.map((o) => (o.ok ? o.value : `failed: ${o.error.message}`))
  const listed = values.map((v, i) => `worker ${i}: ${String(v)}`).join(', ')
  throw new WorkersDisagreeError(
    `the ${pool.size} workers of the ${pool.kind} pool give different values for the same start ` +
      `parameters (${listed}), so they are not evaluating the same function. The objective module ` +
      `${moduleDisplayName(objective.module)} probably builds different data in each worker when it ` +
      'loads: data made with Math.random() or a clock, or read from a per-process source. Make it ' +
      'the same everywhere (a seeded generator, or data passed in init), or, if the objective is ' +
      'meant to be random, turn this check off with checkWorkers: false.',
    values,
  )
}
