// Functions cannot be sent to another thread or process, so parallel evaluation sends a module
// reference instead: plain data naming a module, its export and the `init` value its factory
// receives. Every worker, and the serial pool, imports the module and builds the objective once.

import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ValidationError } from './errors/classes.ts'

export interface ObjectiveRef {
  readonly kind: 'parafit.ref'
  /** Absolute URL of the module (file:, data:, ...). */
  readonly module: string
  /**
   * Export name of the ObjectiveDefinition. `undefined` (not given): the default export if it is
   * one, else the export named `objective`, else the module's only objective (see resolveExport).
   */
  readonly export: string | undefined
  /** Passed to the factory once per worker; typed arrays and SharedArrayBuffers are shared with threads. */
  readonly init: unknown
}

export function isObjectiveRef(value: unknown): value is ObjectiveRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'parafit.ref' &&
    typeof (value as { module?: unknown }).module === 'string'
  )
}

function moduleUrl(url: URL | string): string {
  if (url instanceof URL) return url.href
  if (typeof url !== 'string' || url.length === 0) {
    throw new ValidationError('objectiveModule() needs the URL or absolute path of the objective module')
  }
  if (isAbsolute(url)) return pathToFileURL(url).href
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return new URL(url).href
  throw new ValidationError(
    `'${url}' is neither an absolute path nor a URL; write new URL('${url}', import.meta.url), ` +
      `or import.meta.resolve('${url}') for a package`,
  )
}

/**
 * A reference to an objective module: `new URL('./peaks.objective.ts', import.meta.url)`.
 * The module's export must be made with defineObjective(). Without `export`: the default export
 * if it is an objective, else the export named `objective`, else the module's only objective.
 */
export function objectiveModule(
  url: URL | string,
  options: { export?: string | undefined; init?: unknown } = {},
): ObjectiveRef {
  const exportName = options.export
  if (exportName !== undefined && (typeof exportName !== 'string' || exportName.length === 0)) {
    throw new ValidationError('objectiveModule(): `export` must be a non-empty export name')
  }
  return Object.freeze({
    kind: 'parafit.ref',
    module: moduleUrl(url),
    export: exportName,
    init: options.init,
  })
}
