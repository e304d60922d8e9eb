// The module `parafit sample <module>` samples, in one of three shapes:
// - for the ensemble sampler, a log-probability (defineLogProb) and `initial`, the point the
//   walkers start around;
// - for nested sampling, a log-likelihood (defineLikelihood) and `prior`;
// - a model `parafit fit` fits (an objective, `initial`, `bounds`): its likelihood is the
//   Gaussian one, −χ²/2, and its prior uniform within the bounds unless it exports a prior.
// Imported here once for those values; the workers import it again for the function.

import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  type BoundsTree,
  flattenParams,
  importObjectiveModule,
  moduleDisplayName,
  type ObjectiveRef,
  objectiveModule,
  type ParamTree,
  resolveExport,
  ValidationError,
} from '@parafit/core'
import {
  isLikelihoodDefinition,
  isLogProbDefinition,
  leastSquaresLikelihood,
  leastSquaresLogProb,
  type Prior,
  uniformPriorWithin,
} from '@parafit/sampler'

export type SampleMethod = 'ensemble' | 'nested'

export interface EnsembleModule {
  readonly method: 'ensemble'
  readonly logProb: ObjectiveRef
  readonly initial: Float64Array
  /** Parameter names, in the order of the sampler's vectors. */
  readonly names: readonly string[]
  /** A least-squares model sampled as −χ²/2: said in the report. */
  readonly leastSquares: boolean
}

export interface NestedModule {
  readonly method: 'nested'
  readonly logLikelihood: ObjectiveRef
  readonly prior: Prior
  readonly names: readonly string[]
  readonly leastSquares: boolean
}

export type SampleModule = EnsembleModule | NestedModule

function isPrior(value: unknown): value is Prior {
  const p = value as Partial<Prior> | null
  return (
    typeof p === 'object' &&
    p !== null &&
    Array.isArray(p.keys) &&
    typeof p.transform === 'function' &&
    typeof p.dimensions === 'number'
  )
}

/** `initial` as numbers in order, with names: a tree gives its flattened keys, an array θ0, θ1, … */
function initialPoint(path: string, initial: unknown): { point: Float64Array; names: string[] } {
  if (Array.isArray(initial) || ArrayBuffer.isView(initial)) {
    const point = Float64Array.from(initial as ArrayLike<number>)
    return { point, names: Array.from(point, (_, i) => `θ${i}`) }
  }
  if (typeof initial === 'object' && initial !== null) {
    const flat = flattenParams(initial as ParamTree)
    return { point: Float64Array.from(Object.values(flat)), names: Object.keys(flat) }
  }
  throw new ValidationError(
    `${path}: 'initial' must be the point the walkers start around, e.g. export const initial = { a: 1, b: 0.5 }`,
  )
}

/**
 * Imports the model file and decides the method: --method, else nested when it exports a prior.
 * `export` (--export) names the function to sample when the module has several.
 */
export async function loadSampleModule(
  path: string,
  method: SampleMethod | undefined,
  options: { fitSigma?: boolean; export?: string } = {},
): Promise<SampleModule> {
  const url = pathToFileURL(resolve(path))
  const namespace = await importObjectiveModule(url.href)
  const exportName = options.export
  // With --export, only the named export decides what kind of function is sampled.
  const exports = exportName === undefined ? Object.values(namespace) : [namespace[exportName]]
  const hasLogProb = exports.some(isLogProbDefinition)
  const hasLikelihood = exports.some(isLikelihoodDefinition)
  const chosen = method ?? (namespace.prior !== undefined ? 'nested' : 'ensemble')
  // Neither sampler's own function: a least-squares model, sampled through its objective.
  const leastSquares = chosen === 'ensemble' ? !hasLogProb : !hasLikelihood
  const fitScale = options.fitSigma === true
  if (fitScale && !leastSquares) {
    throw new ValidationError(
      `--fit-sigma samples the σ scale of a least-squares model; ${path} has its own ` +
        `${chosen === 'ensemble' ? 'log-probability' : 'log-likelihood'}, which decides its σ itself`,
    )
  }
  const model = leastSquares
    ? objectiveModule(url, {
        export: resolveExport(namespace, exportName, moduleDisplayName(url.href)),
        init: namespace.init,
      })
    : objectiveModule(url, { export: exportName, init: namespace.init })
  if (chosen === 'nested') {
    let prior: Prior
    if (namespace.prior !== undefined) {
      if (!isPrior(namespace.prior)) {
        throw new ValidationError(
          `${path}: 'prior' must be a Prior (new Prior({ ... }) from '@parafit/sampler')`,
        )
      }
      prior = namespace.prior
    } else if (leastSquares && typeof namespace.initial === 'object' && namespace.initial !== null) {
      prior = uniformPriorWithin(namespace.initial as ParamTree, namespace.bounds as BoundsTree | undefined, {
        fitScale,
      })
    } else {
      throw new ValidationError(
        `${path} exports no 'prior' for nested sampling; add e.g. export const prior = new Prior({ a: uniform(0, 1) }) ` +
          "(from '@parafit/sampler'), or sample it with --method ensemble and an 'initial' point",
      )
    }
    return {
      method: 'nested',
      logLikelihood: leastSquares ? leastSquaresLikelihood(model, { fitScale }) : model,
      prior,
      names: prior.keys,
      leastSquares,
    }
  }
  if (namespace.initial === undefined) {
    throw new ValidationError(
      `${path} exports no 'initial' point for the ensemble sampler; add e.g. export const initial = { a: 1, b: 0.5 }, ` +
        "or export a 'prior' and a log-likelihood for nested sampling (--method nested)",
    )
  }
  const start = initialPoint(path, namespace.initial)
  const logProb = leastSquares
    ? leastSquaresLogProb(model, {
        initial: namespace.initial as ParamTree,
        ...(namespace.bounds === undefined ? {} : { bounds: namespace.bounds as BoundsTree }),
        fitScale,
      })
    : model
  // The σ scale, when sampled, is the last coordinate and starts at 1 (σ as stated).
  const initial = fitScale ? Float64Array.of(...start.point, 1) : start.point
  const names = fitScale ? [...start.names, 'sigmaScale'] : start.names
  return { method: 'ensemble', logProb, initial, names, leastSquares }
}
