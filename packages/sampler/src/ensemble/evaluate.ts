// A batch of ensemble proposals through the pool, and what comes back as ln p per point. Points go
// one per task, or with `vectorized` one contiguous share per worker; NaN and +Infinity follow the
// bad-value policy; a failure is kept per point (not thrown), so that the sampler can still finish
// the steps before the one that failed.

import {
  isObjectiveValueError,
  type Objective,
  type ObjectiveRef,
  ObjectiveValueError,
  type ParamTree,
} from '@parafit/core'
import { mapWithContextSettled, type Pool } from '@parafit/parallel'
import { type Blob, blobOf, chunkBounds, vectorizedValues } from '../batch-results.ts'
import type { EnsembleSamplerOptions } from './ensemble-options.ts'
import { chunkTree, pointTree } from './log-prob.ts'

/** The sampler's options an evaluation follows. */
export type EvaluationSettings = Pick<
  EnsembleSamplerOptions,
  'vectorized' | 'onBadValue' | 'timeoutMs' | 'retries'
>

export interface Evaluated {
  readonly logProb: Float64Array
  readonly blobs: (Blob | undefined)[]
  /** 1 where a NaN was turned into -Infinity (onBadValue: 'reject'). */
  readonly bad: Uint8Array
  /** The failure of each point that failed (thrown, crashed, timed out, or NaN to raise). */
  readonly errors: (Error | undefined)[]
}

/** ln p at each point, through the pool; NaN per the bad-value policy; failures per point. */
export async function evaluateLogProb(
  pool: Pool,
  objective: Objective<ParamTree> | ObjectiveRef,
  points: Float64Array[],
  settings: EvaluationSettings,
  signal: AbortSignal | undefined,
): Promise<Evaluated> {
  const vectorized = settings.vectorized === true
  // Vectorised: one call per worker, each on a contiguous share of the points.
  const bounds = chunkBounds(points.length, vectorized ? pool.size : points.length)
  const trees = vectorized
    ? bounds.slice(0, -1).map((b, i) => chunkTree(points.slice(b, bounds[i + 1])))
    : points.map(pointTree)
  const settled = await mapWithContextSettled(pool, objective, trees, {
    ...(signal === undefined ? {} : { signal }),
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    ...(settings.retries === undefined ? {} : { retries: settings.retries }),
  })
  const logProb = new Float64Array(points.length)
  const bad = new Uint8Array(points.length)
  const errors: (Error | undefined)[] = new Array(points.length).fill(undefined)
  const blobs: (Blob | undefined)[] = new Array(points.length).fill(undefined)
  settled.forEach((s, c) => {
    const from = vectorized ? bounds[c]! : c
    const count = vectorized ? bounds[c + 1]! - from : 1
    if (!s.ok) {
      if (!(isObjectiveValueError(s.error) && settings.onBadValue === 'reject')) {
        errors.fill(s.error, from, from + count)
        return
      }
      logProb.fill(Number.NEGATIVE_INFINITY, from, from + count)
      bad.fill(1, from, from + count)
      return
    }
    const blob = blobOf(s.context)
    if (vectorized) {
      const values = vectorizedValues(s.residuals, count, 'the log-probability module')
      s.context.residuals = undefined
      logProb.set(values, from)
    } else {
      logProb[from] = s.value
    }
    for (let i = from; i < from + count; i++) blobs[i] = blob
  })
  for (let i = 0; i < logProb.length; i++) {
    if (errors[i] !== undefined || (!Number.isNaN(logProb[i]!) && logProb[i] !== Number.POSITIVE_INFINITY))
      continue
    if (settings.onBadValue !== 'reject') {
      errors[i] = new ObjectiveValueError(
        `the log-probability is ${logProb[i]} at [${points[i]!.join(', ')}]; return a finite number, ` +
          "or -Infinity where the point is impossible (onBadValue: 'reject' rejects such proposals)",
      )
      continue
    }
    bad[i] = 1
    logProb[i] = Number.NEGATIVE_INFINITY
  }
  return { logProb, blobs, bad, errors }
}
