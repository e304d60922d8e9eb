// Checkpoints: the whole state of a run (the optimizer's state, the fitter's counters, the best
// point and its context), written atomically every N steps so that a killed job restarted with
// the same command continues where it stopped. The format is Node's structured serialisation
// (node:v8), which keeps typed arrays and whatever the objective put in its context exactly.
// What is read back is checked field by field before it is used: a damaged or crafted file is
// refused with a CheckpointError that names the field, never a TypeError deep in a resumed run.

import { readFile } from 'node:fs/promises'
import { deserialize, serialize } from 'node:v8'
import { type ContextResultState, ParafitError, writeFileAtomic } from '@parafit/core'
import { CheckpointError, FitError, OptimizerStateError } from './errors.ts'
import type { FitResult, HistoryEntry } from './fit-result.ts'
import { METHODS } from './methods.ts'
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

/** Writes the checkpoint whole or not at all (core's writeFileAtomic): a crash mid-write leaves the old one. */
async function writeCheckpoint(path: string, data: CheckpointData): Promise<void> {
  try {
    await writeFileAtomic(path, serialize({ format: FORMAT, version: VERSION, ...data }))
  } catch (error) {
    throw new CheckpointError(path, `cannot write the checkpoint ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/**
 * A run's checkpoints: the snapshot of the last step due (every `every` steps), written then and
 * again when the run stops, so that a resume redoes fewer than `every` steps.
 */
export class RunCheckpoints {
  readonly path: string
  readonly #every: number
  #snapshot: CheckpointData
  /** The step the file holds: the resumed one until a write succeeds. */
  #savedStep: number | undefined

  constructor(path: string, every: number, start: CheckpointData, resumed: boolean) {
    this.path = path
    this.#every = every
    this.#snapshot = start
    this.#savedStep = resumed ? start.step : undefined
  }

  /** After a step: when it is due, takes a snapshot (copying state only then) and writes it. */
  async afterStep(step: number, snapshot: () => CheckpointData): Promise<void> {
    if (step % this.#every !== 0) return
    this.#snapshot = snapshot()
    await this.#write()
  }

  /** When the run stops: writes the last snapshot, unless the file already holds it. */
  async atStop(): Promise<void> {
    if (this.#savedStep !== this.#snapshot.step) await this.#write()
  }

  async #write(): Promise<void> {
    await writeCheckpoint(this.path, this.#snapshot)
    this.#savedStep = this.#snapshot.step
  }

  /**
   * The error for a write that failed: the run's best result so far (its whole result when it
   * had ended) travels with it, so nothing computed is lost to a disk that failed.
   */
  writeFailed<R extends FitResult>(
    failure: CheckpointError,
    at: { step: number; ended: boolean; result: R },
  ): FitError {
    const held =
      this.#savedStep === undefined
        ? 'the file holds no step of this run'
        : `the file still holds the run up to step ${this.#savedStep}, from which a resume continues`
    const when = at.ended ? 'when the fit ended' : `at step ${at.step}, so the fit stopped there`
    return new FitError(
      `the checkpoint could not be written ${when}: ${failure.message}. The best result so far is in ` +
        `error.result; ${held}`,
      { cause: failure, result: at.result },
    )
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
  let data: unknown
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
  const header = data as { format?: unknown; version?: unknown } | null
  if (header?.format !== FORMAT || header.version !== VERSION) {
    throw new CheckpointError(
      path,
      `${path} is not a parafit checkpoint of version ${VERSION}; delete it or choose another path`,
    )
  }
  const wrong = invalidField(data as Record<string, unknown>)
  if (wrong !== undefined) {
    throw new CheckpointError(
      path,
      `${path} is not a valid parafit checkpoint: ${wrong}. It was damaged or not written by parafit; ` +
        'delete it (or pass resume: false) to start over, or choose another path',
    )
  }
  return data as CheckpointData
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const isNumber = (v: unknown): v is number => typeof v === 'number'
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** What is wrong with a decoded checkpoint's fields, in words, or undefined when nothing is. */
function invalidField(data: Record<string, unknown>): string | undefined {
  const { keys, lower, upper, history, best } = data
  if (data.method === undefined) return 'it names no method'
  if (!METHODS.includes(data.method as Method)) return `its method ${JSON.stringify(data.method)} is unknown`
  if (!(Array.isArray(keys) && keys.every((k) => typeof k === 'string'))) return 'keys is not a list of names'
  const n = keys.length
  for (const [name, bound] of [
    ['lower', lower],
    ['upper', upper],
  ] as const) {
    if (!(bound instanceof Float64Array && bound.length === n)) return `${name} is not ${n} bounds`
  }
  if (!Number.isSafeInteger(data.seed)) return 'seed is not an integer'
  if (!isRecord(data.optimizer)) return "the optimizer's state is missing"
  for (const name of ['step', 'nEvals', 'nFailed'] as const) {
    if (!isCount(data[name])) return `${name} is not a count`
  }
  if ((data.nFailed as number) > (data.nEvals as number)) return 'nFailed is larger than nEvals'
  if (!(isNumber(data.seconds) && data.seconds >= 0)) return 'seconds is not a duration'
  const entryOk = (e: unknown) => isRecord(e) && isCount(e.step) && isNumber(e.loss) && isCount(e.nEvals)
  if (!(Array.isArray(history) && history.length === data.step && history.every(entryOk))) {
    return `history is not ${String(data.step)} entries of { step, loss, nEvals }`
  }
  if (best !== undefined) {
    const x = isRecord(best) ? best.x : undefined
    if (!(isRecord(best) && x instanceof Float64Array && x.length === n && isNumber(best.loss))) {
      return `best is not a point of ${n} numbers with its loss`
    }
    if (!(best.context === undefined || isRecord(best.context))) return "best's context is not a record"
  }
  return undefined
}

/**
 * Restores a run from a checkpoint's contents: `restore` builds the optimizer and the record.
 * Whatever it throws (a state the optimizer cannot read) means the file is not a run it can
 * continue, and is reported as such.
 */
export function restoring<T>(path: string, restore: () => T): T {
  try {
    return restore()
  } catch (error) {
    // The optimizer's own check of its saved state is the checkpoint's problem here.
    if (error instanceof ParafitError && !(error instanceof OptimizerStateError)) throw error
    throw new CheckpointError(
      path,
      `${path} is not a valid parafit checkpoint: its saved state cannot be restored (${(error as Error).message}). ` +
        'Delete it (or pass resume: false) to start over, or choose another path',
      { cause: error },
    )
  }
}

/** Throws when a checkpoint was written for another problem than the one being fitted, or with another seed. */
export function assertSameProblem(
  path: string,
  data: CheckpointData,
  current: {
    method: Method | 'auto'
    keys: readonly string[]
    lower: Float64Array
    upper: Float64Array
    /** The seed the caller passed; undefined when none was (the saved run's seed goes on). */
    seed: number | undefined
  },
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
  const boundsDiffer = current.keys
    .map((_, i) => i)
    .filter(
      (i) => !(Object.is(data.lower[i], current.lower[i]) && Object.is(data.upper[i], current.upper[i])),
    )
  if (boundsDiffer.length > 0) {
    const list = (lower: Float64Array, upper: Float64Array) =>
      boundsDiffer.map((i) => `${current.keys[i]} [${lower[i]}, ${upper[i]}]`).join(', ')
    throw differs('bounds', list(data.lower, data.upper), list(current.lower, current.upper))
  }
  // A resumed run continues the saved one, random stream included (as emcee's and nautilus's
  // do): a different seed asked for explicitly is a mistake, not a wish to be honoured silently.
  if (current.seed !== undefined && current.seed !== data.seed) {
    throw new CheckpointError(
      path,
      `the checkpoint ${path} was written by a run with seed ${data.seed}, but this fit asks for seed ` +
        `${current.seed}. A resumed run continues the saved one with its own seed: pass seed ${data.seed} ` +
        `(or none) to continue it, or delete the file (or pass resume: false) to start over with seed ${current.seed}`,
    )
  }
}
