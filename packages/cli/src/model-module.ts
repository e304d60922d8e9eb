// The module `parafit fit <module>` fits: its objective (by the same rule as objectiveModule:
// --export, else the default export, else `objective`, else the only objective), `initial`,
// and optionally `bounds` and `init`. Imported here once for those values; the workers import
// it again for the objective, and fail the same way if it does not load.

import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  importObjectiveModule,
  moduleDisplayName,
  type ParamTree,
  resolveExport,
  ValidationError,
} from '@parafit/core'
import type { FitData } from './plots.ts'

export interface FitModule {
  readonly url: URL
  /** The objective's export, named: the workers load exactly this one. */
  readonly exportName: string
  readonly initial: ParamTree
  readonly bounds: unknown
  readonly init: unknown
  /** `data = { x, y, sigma?, residual? }`, when the module exports it: the fit's figure shows them. */
  readonly data: FitData | undefined
}

function isData(value: unknown): value is FitModule['data'] {
  const d = value as { x?: unknown; y?: unknown } | null
  const numbers = (v: unknown) => Array.isArray(v) || ArrayBuffer.isView(v)
  return typeof d === 'object' && d !== null && numbers(d.x) && numbers(d.y)
}

/** Imports the model file; load failures are ObjectiveLoadErrors pointing at the user's code. */
export async function loadFitModule(path: string, exportName: string | undefined): Promise<FitModule> {
  const url = pathToFileURL(resolve(path))
  const namespace = await importObjectiveModule(url.href)
  const name = resolveExport(namespace, exportName, moduleDisplayName(url.href))
  if (typeof namespace.initial !== 'object' || namespace.initial === null) {
    throw new ValidationError(
      `${path} exports no 'initial' parameters; add e.g. export const initial = { a: 1, b: { c: 0.5 } }`,
    )
  }
  return {
    url,
    exportName: name,
    initial: namespace.initial as ParamTree,
    bounds: namespace.bounds,
    init: namespace.init,
    data: isData(namespace.data) ? namespace.data : undefined,
  }
}
