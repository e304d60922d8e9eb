// The worker side of the ensemble sampler: a log-probability as an objective the pools can run.
// A pool carries parameter trees and returns one number per task, checked by nothing in between,
// so a log-probability goes through them unchanged, -Infinity (outside the prior) included.
// A point travels as the tree { '0': x0, '1': x1, ... }; a vectorised call gets a chunk of points
// { '0': point, '1': point, ... } and returns its values in the context's vector (the one
// channel that carries a Float64Array back), which the sampler reads and clears.
//
// Kept free of the sampler's own imports (value-objective.ts imports only core): every worker
// that loads a log-probability module loads this file, through `@parafit/sampler/log-prob`.

import {
  type EvaluateContext,
  type ExportRule,
  type Hook,
  isObjectiveRef,
  moduleDisplayName,
  type Objective,
  type ObjectiveDefinition,
  type ObjectiveRef,
  ObjectiveValueError,
  type ParamTree,
  resolveExport,
  ValidationError,
} from '@parafit/core'
import { describeValue, hookList } from '@parafit/core/internal'
import { chunkOfTrees, notANumber, storeValues, ValueObjective } from '../value-objective.ts'

/** ln p(θ) up to a constant; -Infinity where θ is impossible (outside the prior). */
export type LogProbFn = (theta: Float64Array, ctx: EvaluateContext) => number | Promise<number>

/** With `vectorized: true`: one call per batch of points, one value per point. */
export type VectorizedLogProbFn = (
  thetas: readonly Float64Array[],
  ctx: EvaluateContext,
) => ArrayLike<number> | Promise<ArrayLike<number>>

export type AnyLogProbFn = LogProbFn | VectorizedLogProbFn

/** The parameter tree a point travels as. */
export function pointTree(x: Float64Array): ParamTree {
  const tree: ParamTree = {}
  for (let i = 0; i < x.length; i++) tree[i] = x[i]!
  return tree
}

/** The parameter tree a chunk of points travels as, for one vectorised call. */
export function chunkTree(points: readonly Float64Array[]): ParamTree {
  return chunkOfTrees(points.map(pointTree))
}

// Integer-like keys enumerate in ascending order, so values come back in index order.
function pointOf(tree: ParamTree): Float64Array {
  return Float64Array.from(Object.values(tree) as number[])
}

function checkValue(value: unknown, params: ParamTree): number {
  if (typeof value !== 'number') notANumber(value, params, 'log-probability', '')
  if (Number.isNaN(value) || value === Number.POSITIVE_INFINITY) {
    throw new ObjectiveValueError(
      `the log-probability is ${value}; return a finite number, or -Infinity where the point is impossible`,
      { params },
    )
  }
  return value
}

/** An objective whose value is the log-probability itself (not a loss: larger is better). */
function logProbValue(fn: AnyLogProbFn, hooks: readonly Hook[]): Objective<ParamTree> {
  return new ValueObjective(async (params, ctx) => {
    if (typeof params[0] === 'object') {
      const thetas = Object.values(params).map((p) => pointOf(p as ParamTree))
      storeValues(
        await (fn as VectorizedLogProbFn)(thetas, ctx),
        thetas.length,
        params,
        ctx,
        'log-probability',
      )
      return 0
    }
    return checkValue(await (fn as LogProbFn)(pointOf(params), ctx), params)
  }, hooks)
}

/** An in-process log-probability as an objective (for the serial pool). */
export function logProbObjective(fn: AnyLogProbFn): Objective<ParamTree> {
  if (typeof fn !== 'function') {
    throw new ValidationError(
      `logProb must be a function or a module reference, got ${describeValue(fn)}`,
      'logProb',
    )
  }
  return logProbValue(fn, [])
}

// Marks a definition made by defineLogProb, so the sampler can tell it from a loss objective.
const LOG_PROB = 'parafit.logProb'

/** Whether a module export was made by defineLogProb. */
export function isLogProbDefinition(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[LOG_PROB] === true
}

/**
 * Which export of a log-probability module the sampler loads when none is named: the default
 * export if defineLogProb made it, else `logProb`, else the module's only such export.
 */
export const logProbExportRule: ExportRule = {
  names: ['logProb'],
  accepts: isLogProbDefinition,
  what: 'log-probability',
  maker: 'defineLogProb()',
}

/**
 * The export of a log-probability module to load: `requested`, or the one logProbExportRule
 * picks. A module whose export is an objective (a loss) fails with a ValidationError saying so;
 * one with no such export, with an ObjectiveLoadError listing its exports.
 */
export function resolveLogProbExport(
  namespace: Record<string, unknown>,
  requested: string | undefined,
  moduleUrl: string,
): string {
  const name = moduleDisplayName(moduleUrl)
  try {
    return resolveExport(namespace, requested, name, logProbExportRule)
  } catch (error) {
    // No log-probability, but an objective the loss rule would load: the likely mistake.
    let loss: string
    try {
      loss = resolveExport(namespace, requested, name)
    } catch {
      throw error
    }
    throw new ValidationError(
      `the export '${loss}' of ${name} is not a log-probability: make it with defineLogProb ` +
        "from '@parafit/sampler/log-prob' (defineObjective makes a loss, which the sampler would treat as ln p)",
      'logProb',
    )
  }
}

/**
 * Defines a log-probability module for EnsembleSampler: `factory(init)` runs once per worker
 * (load data, build tables) and returns `(theta, ctx) => ln p`, or with `vectorized: true`
 * `(thetas, ctx) => values`. Refer to it with objectiveModule(url, { init }).
 */
export function defineLogProb<I = unknown>(
  factory: (init: I) => LogProbFn | Promise<LogProbFn>,
  hooks?: readonly Hook[],
): ObjectiveDefinition<I, ParamTree>
export function defineLogProb<I = unknown>(
  factory: (init: I) => VectorizedLogProbFn | Promise<VectorizedLogProbFn>,
  hooks?: readonly Hook[],
): ObjectiveDefinition<I, ParamTree>
export function defineLogProb<I = unknown>(
  factory: (init: I) => AnyLogProbFn | Promise<AnyLogProbFn>,
  hooks?: readonly Hook[],
): ObjectiveDefinition<I, ParamTree>
export function defineLogProb<I = unknown>(
  factory: (init: I) => AnyLogProbFn | Promise<AnyLogProbFn>,
  hooks: readonly Hook[] = [],
): ObjectiveDefinition<I, ParamTree> {
  if (typeof factory !== 'function') {
    throw new ValidationError(
      `defineLogProb() needs a factory function (init) => (theta, ctx) => logProb, got ${describeValue(factory)}`,
    )
  }
  return {
    kind: 'parafit.objective',
    [LOG_PROB]: true,
    hooks,
    async create(init: I) {
      const fn = await factory(init)
      if (typeof fn !== 'function') {
        throw new ValidationError(
          `the log-probability factory returned ${describeValue(fn)}; it must return (theta, ctx) => logProb`,
        )
      }
      return logProbValue(fn, hooks)
    },
    withHooks(more: Hook | readonly Hook[]) {
      return defineLogProb(factory, [...hooks, ...hookList(more)])
    },
  } as ObjectiveDefinition<I, ParamTree>
}

/**
 * The objective the sampler evaluates: a function of this thread (only where no worker runs
 * it), or a module's ref that workers load.
 */
export function samplerObjective(options: {
  readonly logProb: unknown
  readonly numWorkers?: number | 'auto' | undefined
  readonly pool?: { readonly kind: string } | undefined
}): Objective<ParamTree> | ObjectiveRef {
  const n = options.numWorkers
  if (typeof options.logProb === 'function') {
    const inThread =
      (n === undefined || n === 1) && (options.pool === undefined || options.pool.kind === 'serial')
    if (!inThread) {
      throw new ValidationError(
        'logProb is a function, which only this thread can run. For worker threads, processes or MPI, put it ' +
          'in a module (export default defineLogProb((init) => (theta, ctx) => ...)) and pass ' +
          'objectiveModule(new URL(...), { init })',
        'logProb',
      )
    }
    return logProbObjective(options.logProb as AnyLogProbFn)
  }
  if (isObjectiveRef(options.logProb)) return options.logProb
  throw new ValidationError(
    'logProb must be a function (theta, ctx) => ln p, or objectiveModule(url) of a defineLogProb module',
    'logProb',
  )
}
