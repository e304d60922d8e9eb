// One batch on the likelihood pool: the plan's unit-cube points through the prior, one task per
// point (or one chunk per worker when vectorized), each outcome turned into ln L and a blob.
// A failure names the point; NaN and +Infinity follow the onBadValue policy.

import {
  isObjectiveValueError,
  type Objective,
  ObjectiveError,
  type ObjectiveRef,
  type ParamTree,
} from '@parafit/core'
import { mapWithContextSettled, type Pool } from '@parafit/parallel'
import { type Blob, blobOf, chunkBounds, vectorizedValues } from '../batch-results.ts'
import { NestedSamplerError } from '../errors.ts'
import type { Prior } from '../prior/prior.ts'
import { chunkOfTrees } from '../value-objective.ts'
import type { BatchPlan, EvaluatedBatch } from './batch-plan.ts'

export interface EvaluationOptions {
  readonly vectorized: boolean
  readonly onBadValue: 'raise' | 'reject'
  readonly timeoutMs?: number
  readonly retries?: number
}

export async function evaluateBatch(
  pool: Pool,
  likelihood: Objective<ParamTree> | ObjectiveRef,
  prior: Prior<ParamTree>,
  plan: BatchPlan,
  options: EvaluationOptions,
  signal: AbortSignal | undefined,
): Promise<EvaluatedBatch> {
  const n = plan.points.length
  const logL = new Float64Array(n)
  const blobs: (Blob | undefined)[] = new Array(n).fill(undefined)
  if (n === 0) return { plan, logL, blobs }
  const trees = plan.points.map((u) => prior.transform(u))
  const vectorized = options.vectorized
  const bounds = chunkBounds(n, vectorized ? pool.size : n)
  const tasks = vectorized
    ? bounds.slice(0, -1).map((b, c) => chunkOfTrees(trees.slice(b, bounds[c + 1])))
    : trees
  const settled = await mapWithContextSettled(pool, likelihood, tasks as ParamTree[], {
    ...(signal === undefined ? {} : { signal }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  })
  for (let t = 0; t < settled.length; t++) {
    const s = settled[t]!
    const from = bounds[t]!
    const count = bounds[t + 1]! - from
    if (!s.ok) {
      if (isObjectiveValueError(s.error) && options.onBadValue === 'reject') {
        logL.fill(Number.NEGATIVE_INFINITY, from, from + count)
        continue
      }
      throw failure(s.error, trees[from]!)
    }
    const blob = blobOf(s.context)
    if (vectorized) {
      logL.set(vectorizedValues(s.residuals, count, 'the log-likelihood'), from)
    } else {
      logL[from] = s.value
    }
    blobs.fill(blob, from, from + count)
  }
  for (let i = 0; i < n; i++) {
    const v = logL[i]!
    if (!Number.isNaN(v) && v !== Number.POSITIVE_INFINITY) continue
    if (options.onBadValue === 'reject') {
      logL[i] = Number.NEGATIVE_INFINITY
      continue
    }
    throw new NestedSamplerError(
      `the log-likelihood is ${v} at ${JSON.stringify(trees[i])}; return a finite number, or -Infinity ` +
        "where the point is impossible (onBadValue: 'reject' treats NaN and +Infinity as -Infinity)",
      { params: trees[i] },
    )
  }
  return { plan, logL, blobs }
}

function failure(error: Error, params: ParamTree): Error {
  if (error.name === 'AbortError') return error
  // An ObjectiveError repeats the parameters; the user's own error says what went wrong.
  const own = error instanceof ObjectiveError && error.cause instanceof Error ? error.cause : error
  const what = `${own.name}: ${own.message}`
  return new NestedSamplerError(`the log-likelihood failed at ${JSON.stringify(params)}: ${what}`, {
    params,
    cause: error,
  })
}
