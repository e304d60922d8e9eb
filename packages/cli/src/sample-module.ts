// The module `parafit sample <module>` samples. For the ensemble sampler it exports a
// log-probability (defineLogProb) and `initial`, the point the walkers start around; for nested
// sampling, a log-likelihood (defineLikelihood) and `prior`. Imported here once for those values;
// the workers import it again for the function.

import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { flattenParams, importObjectiveModule, type ParamTree, ValidationError } from '@parafit/core'
import type { Prior } from '@parafit/sampler'

export type SampleMethod = 'ensemble' | 'nested'

interface Loaded {
  readonly url: URL
  readonly init: unknown
  /** Parameter names, in the order of the sampler's vectors. */
  readonly names: readonly string[]
}

export interface EnsembleModule extends Loaded {
  readonly method: 'ensemble'
  readonly initial: Float64Array
}

export interface NestedModule extends Loaded {
  readonly method: 'nested'
  readonly prior: Prior
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

/** Imports the model file and decides the method: --method, else nested when it exports a prior. */
export async function loadSampleModule(
  path: string,
  method: SampleMethod | undefined,
): Promise<SampleModule> {
  const url = pathToFileURL(resolve(path))
  const namespace = await importObjectiveModule(url.href)
  const chosen = method ?? (namespace.prior !== undefined ? 'nested' : 'ensemble')
  if (chosen === 'nested') {
    if (!isPrior(namespace.prior)) {
      throw new ValidationError(
        `${path} exports no 'prior' for nested sampling; add e.g. export const prior = new Prior({ a: uniform(0, 1) }) ` +
          "(from '@parafit/sampler'), or sample it with --method ensemble and an 'initial' point",
      )
    }
    return {
      method: 'nested',
      url,
      init: namespace.init,
      prior: namespace.prior,
      names: namespace.prior.keys,
    }
  }
  if (namespace.initial === undefined) {
    throw new ValidationError(
      `${path} exports no 'initial' point for the ensemble sampler; add e.g. export const initial = { a: 1, b: 0.5 }, ` +
        "or export a 'prior' and a log-likelihood for nested sampling (--method nested)",
    )
  }
  const { point, names } = initialPoint(path, namespace.initial)
  return { method: 'ensemble', url, init: namespace.init, initial: point, names }
}
