// Whole lists from the packed shapes of task-codec.ts, for tests to compare what crosses with
// what was sent. The pools read the wire item by item instead (paramsAt in a worker,
// completeChunk on the caller's side) and never build these lists.
import type { ParamTree } from '@parafit/core'
import type { PackedResults, ParamsOnTheWire, ResultsOnTheWire, TaskResult } from '../src/protocol.ts'
import { paramCount, paramsAt, ResultPacker } from '../src/task-codec.ts'

export function unpackParams(wire: ParamsOnTheWire): readonly ParamTree[] {
  if (Array.isArray(wire)) return wire
  return Array.from({ length: paramCount(wire) }, (_, i) => paramsAt(wire, i))
}

/** `results` packed as a worker packs them, one by one. */
export function packResults(results: readonly TaskResult[]): PackedResults {
  const packer = new ResultPacker(results.length)
  for (let i = 0; i < results.length; i++) packer.result(i, results[i]!)
  return packer.packed()
}

export function unpackResults(wire: ResultsOnTheWire): readonly TaskResult[] {
  if (Array.isArray(wire)) return wire
  const { values, whole } = wire as PackedResults
  const results: TaskResult[] = new Array(values.length)
  for (let i = 0; i < values.length; i++) {
    results[i] = { ok: true, value: values[i]!, quantities: undefined, meta: {}, residuals: undefined }
  }
  if (whole !== null) for (const [i, result] of whole) results[i] = result
  return results
}
