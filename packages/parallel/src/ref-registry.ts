// Numbers for ObjectiveRefs, by object identity: a worker keeps the objective it built for a
// number and tasks name it by that number, so `init` crosses to each worker once.

import type { ObjectiveRef } from '@parafit/core'

const ids = new WeakMap<ObjectiveRef, number>()
let next = 1

export function refIdentity(ref: ObjectiveRef): number {
  let id = ids.get(ref)
  if (id === undefined) {
    id = next++
    ids.set(ref, id)
  }
  return id
}
