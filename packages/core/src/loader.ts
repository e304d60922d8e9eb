// Loads the objective behind an ObjectiveRef: import the module, check its export, run the
// factory with `init`. Workers and the serial pool share this code, so a module that is missing,
// exports no objective or throws while loading fails the same way everywhere, naming the file.

import { ObjectiveLoadError } from './errors/classes.ts'
import { resolveExport } from './module-exports.ts'
import type { Objective, ObjectiveDefinition } from './objective.ts'
import type { ObjectiveRef } from './ref.ts'
import { syntaxErrorLocation, userFrames } from './source-location.ts'

const loaded = new WeakMap<ObjectiveRef, Promise<Objective>>()

/** A module URL as users recognise it: the file path for file: URLs. */
export function displayName(moduleUrl: string): string {
  return moduleUrl.startsWith('file://') ? decodeURIComponent(new URL(moduleUrl).pathname) : moduleUrl
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** ` (at /path/model.ts:3:9)`: where the user's code threw, when its stack says. */
function thrownAt(error: unknown): string {
  const frame = userFrames(error)[0]
  return frame === undefined ? '' : ` (at ${frame.file}:${frame.line}:${frame.column})`
}

/** What to install for a model that cannot find a parafit package: core and the one that runs it. */
function installParafit(pkg: string): string {
  // A model that imports only core is an objective, which the Fitter runs; a log-probability
  // imports @parafit/sampler/log-prob.
  return `npm install @parafit/core ${pkg === '@parafit/core' ? '@parafit/fitter' : pkg}`
}

/** Why importing `moduleUrl` failed, in terms of the user's files. */
function importFailure(error: unknown, moduleUrl: string): string {
  const name = displayName(moduleUrl)
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'ERR_MODULE_NOT_FOUND') {
    // Node sets `url` to what it did not find when that is a file; a package has no url.
    const url = (error as { url?: unknown }).url
    const from = /imported from (.+)$/.exec(message)?.[1]
    const who = from === undefined || from === name ? 'it' : from
    const pkg = /^Cannot find package '([^']+)'/.exec(message)?.[1]
    const file = /^Cannot find module '([^']+)'/.exec(message)?.[1]
    const itself = url === undefined && pkg === undefined && message.includes(name) && from !== name
    if (url === moduleUrl || file === name || itself) return 'the file does not exist'
    if (pkg !== undefined) {
      const install = pkg.startsWith('@parafit/') ? installParafit(pkg) : `npm install ${pkg}`
      return (
        `${who} imports '${pkg}', which Node looks for in node_modules folders above ` +
        `${who === 'it' ? 'the model file' : 'that file'} and finds in none of them; install it in the ` +
        `model's project (${install}) or put the model inside a project that has it`
      )
    }
    if (file !== undefined) return `${who} imports ${file}, which does not exist`
  }
  const location = syntaxErrorLocation(error, moduleUrl)
  if (location !== undefined) {
    return (
      `${(error as Error).name} at ${location.file}:${location.line}:${location.column}: ${message}\n` +
      location.frame
    )
  }
  const where =
    error instanceof Error && error.name === 'SyntaxError' && userFrames(error).length === 0
      ? ' (Node does not say where; the file itself parses, so run node --check on the files it imports)'
      : thrownAt(error)
  return `it threw while loading: ${describeThrown(error)}${where}`
}

/**
 * Imports an objective module, turning a failure into an ObjectiveLoadError that points at the
 * user's code: the missing file or package, the file:line:column of a syntax error, or where
 * the module threw (its error is the cause, with its stack).
 */
export async function importObjectiveModule(moduleUrl: string): Promise<Record<string, unknown>> {
  try {
    return (await import(moduleUrl)) as Record<string, unknown>
  } catch (error) {
    throw new ObjectiveLoadError(displayName(moduleUrl), importFailure(error, moduleUrl), { cause: error })
  }
}

/** Imports and builds the objective of `ref` (freshly; see loadObjectiveCached for reuse). */
export async function loadObjective(ref: ObjectiveRef): Promise<Objective> {
  const name = displayName(ref.module)
  const namespace = await importObjectiveModule(ref.module)
  const definition = namespace[resolveExport(namespace, ref.export, name)] as ObjectiveDefinition
  try {
    return await definition.create(ref.init)
  } catch (error) {
    throw new ObjectiveLoadError(name, `its factory threw: ${describeThrown(error)}${thrownAt(error)}`, {
      cause: error,
    })
  }
}

/** loadObjective, once per ref object in this thread. A failed load is not cached. */
export function loadObjectiveCached(ref: ObjectiveRef): Promise<Objective> {
  let promise = loaded.get(ref)
  if (promise === undefined) {
    promise = loadObjective(ref)
    loaded.set(ref, promise)
    promise.catch(() => loaded.delete(ref))
  }
  return promise
}
