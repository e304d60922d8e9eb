// Checkpoints: the whole state of a run (the optimizer's state, the fitter's counters, the best
// point and its context), written atomically every N steps so that a killed job restarted with
// the same command continues where it stopped. The format is Node's structured serialisation
// (node:v8), which keeps typed arrays and whatever the objective put in its context exactly.

import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { deserialize, serialize } from 'node:v8'
import type { ContextResultState } from '@parafit/core'
import { CheckpointError, type HistoryEntry } from './fit-result.ts'
import type { Method, OptimizerState } from './optimizers/optimizer.ts'

const FORMAT = 'parafit-checkpoint'
const VERSION = 1

export interface CheckpointData {
  readonly method: Method
  readonly keys: readonly string[]
  readonly lower: Float64Array
  readonly upper: Float64Array
  readonly seed: number
  readonly optimizer: OptimizerState
  readonly step: number
  readonly nEvals: number
  readonly nFailed: number
  readonly seconds: number
  readonly history: readonly HistoryEntry[]
  readonly best: { x: Float64Array; loss: number; context: ContextResultState | undefined } | undefined
}

/** Writes to a temporary file in the same folder, then renames it over the target: a crash mid-write leaves the old checkpoint whole. */
export async function writeCheckpoint(path: string, data: CheckpointData): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temporary, serialize({ format: FORMAT, version: VERSION, ...data }))
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw new CheckpointError(path, `cannot write the checkpoint ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/** The checkpoint at `path`, or undefined when there is none. */
export async function readCheckpoint(path: string): Promise<CheckpointData | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CheckpointError(path, `cannot read the checkpoint ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  let data: { format?: unknown; version?: unknown } & Partial<CheckpointData>
  try {
    data = deserialize(bytes)
  } catch (error) {
    throw new CheckpointError(
      path,
      `${path} is not a parafit checkpoint (it cannot be decoded); delete it or choose another path`,
      {
        cause: error,
      },
    )
  }
  if (data?.format !== FORMAT || data.version !== VERSION) {
    throw new CheckpointError(
      path,
      `${path} is not a parafit checkpoint of version ${VERSION}; delete it or choose another path`,
    )
  }
  return data as CheckpointData
}

/** Throws when a checkpoint was written for another problem than the one being fitted. */
export function assertSameProblem(
  path: string,
  data: CheckpointData,
  current: { method: Method | 'auto'; keys: readonly string[]; lower: Float64Array; upper: Float64Array },
): void {
  const differs = (what: string, was: string, now: string) =>
    new CheckpointError(
      path,
      `the checkpoint ${path} was written for ${what} ${was}, but this fit has ${now}. ` +
        'Delete the file (or pass resume: false) to start over, or use another checkpoint path',
    )
  if (current.method !== 'auto' && data.method !== current.method) {
    throw differs('method', `'${data.method}'`, `'${current.method}'`)
  }
  if (data.keys.join('\n') !== current.keys.join('\n')) {
    throw differs('parameters', data.keys.join(', '), current.keys.join(', '))
  }
  const same = (a: Float64Array, b: Float64Array) =>
    a.length === b.length && a.every((v, i) => Object.is(v, b[i]))
  if (!same(data.lower, current.lower) || !same(data.upper, current.upper)) {
    throw differs('bounds', 'that differ', 'other bounds')
  }
}
