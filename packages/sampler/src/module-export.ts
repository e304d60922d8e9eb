// Caller side, both samplers: a module's function is picked by the sampler's own export rule
// (defineLogProb's or defineLikelihood's), once, here, and the workers are then sent a ref that
// names that export, so a module may also export other objectives.

import { isObjectiveRef, type ObjectiveRef } from '@parafit/core'

/**
 * `ref` with its export named by `pick(namespace)`; the ref unchanged when it is not a module,
 * and undefined when the module does not load here (the pool then reports that, naming the
 * module and the cause).
 */
export async function withNamedExport<R>(
  ref: R | ObjectiveRef,
  pick: (namespace: Record<string, unknown>, ref: ObjectiveRef) => string,
): Promise<R | ObjectiveRef | undefined> {
  if (!isObjectiveRef(ref)) return ref
  let namespace: Record<string, unknown>
  try {
    namespace = (await import(ref.module)) as Record<string, unknown>
  } catch {
    return undefined
  }
  const name = pick(namespace, ref)
  return name === ref.export ? ref : Object.freeze({ ...ref, export: name })
}
