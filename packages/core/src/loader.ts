// Loads the objective behind an ObjectiveRef: import the module, check its export, run the
// factory with `init`. Workers and the serial pool share this code, so a module that is missing,
// exports no objective or throws while loading fails the same way everywhere, naming the file.

import { ObjectiveLoadError } from './errors.ts'
import { isObjectiveDefinition, type Objective } from './objective.ts'
import type { ObjectiveRef } from './ref.ts'

const loaded = new WeakMap<ObjectiveRef, Promise<Objective>>()

/** A module URL as users recognise it: the file path for file: URLs. */
export function displayName(moduleUrl: string): string {
  return moduleUrl.startsWith('file://') ? decodeURIComponent(new URL(moduleUrl).pathname) : moduleUrl
}

async function importModule(ref: ObjectiveRef): Promise<Record<string, unknown>> {
  try {
    return (await import(ref.module)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const missing =
      code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(displayName(ref.module))
    const reason = missing
      ? 'the file does not exist'
      : `it threw while loading: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
    throw new ObjectiveLoadError(displayName(ref.module), reason, { cause: error })
  }
}

/** Imports and builds the objective of `ref` (freshly; see loadObjectiveCached for reuse). */
export async function loadObjective(ref: ObjectiveRef): Promise<Objective> {
  const name = displayName(ref.module)
  const namespace = await importModule(ref)
  if (!Object.hasOwn(namespace, ref.export)) {
    const available = Object.keys(namespace).join(', ') || 'none'
    throw new ObjectiveLoadError(name, `it has no export named '${ref.export}' (its exports: ${available})`)
  }
  const definition = namespace[ref.export]
  if (!isObjectiveDefinition(definition)) {
    const hint =
      typeof definition === 'function'
        ? `export '${ref.export}' is a plain function; export defineObjective((init) => yourFunction) instead`
        : `export '${ref.export}' is not an objective; make it with defineObjective()`
    throw new ObjectiveLoadError(name, hint)
  }
  try {
    return await definition.create(ref.init)
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new ObjectiveLoadError(name, `its factory threw: ${message}`, { cause: error })
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
