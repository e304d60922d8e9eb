// Writes the ensemble sampler's steps into an HDF5 file in emcee's layout (layout.ts). Steps are
// buffered and written `every` at a time: rows first, then parafit's `iteration`, then emcee's,
// then a flush, so the counts never run ahead of the rows. The file is open only during a run;
// steps a failed write leaves behind stay buffered and are written by the next save that works.

import { existsSync, type Stats, statSync } from 'node:fs'
import { replaceFile } from '@parafit/core'
import type { Blob } from '../batch-results.ts'
import { ChainFileError, type ChainFileErrorReason } from '../errors.ts'
import { blobColumns, encodeBlobs } from './blob-columns.ts'
import { type ChainGroups, createChainGroups, openChainGroups } from './chain-file-groups.ts'
import {
  concatRows,
  createRows,
  type File,
  hdf5Reason,
  loadedHdf5,
  loadHdf5,
  setAttribute,
  writeRows,
} from './hdf5.ts'
import { type ChainFileProblem, blockRows as rowsPerBlock } from './layout.ts'

/** One committed step, as the writer needs it. */
export interface StepRecord {
  /** The walkers' points, flat, walker by walker (nWalkers × nDim). */
  readonly coords: Float64Array
  readonly logProb: Float64Array
  readonly blobs: readonly (Blob | undefined)[]
  /** 1 where the walker's proposal was accepted. */
  readonly accepted: Uint8Array
  readonly nBadValues: number
  /** The random stream's state after this step: a resumed run starts from it. */
  readonly randomState: readonly number[]
}

/** What a writer continuing a file read by readChainFile starts from. */
export interface WrittenSoFar {
  readonly iteration: number
  readonly acceptedTotals: Float64Array
  /** The blob columns in the file, or undefined when it keeps no blobs. */
  readonly blobColumns: readonly string[] | undefined
}

/** `error` when it is a ChainFileError already; else one saying `what` failed, and HDF5's reason. */
function asChainFileError(
  error: unknown,
  path: string,
  reason: ChainFileErrorReason,
  what: string,
): ChainFileError {
  if (error instanceof ChainFileError) return error
  return new ChainFileError(path, reason, `${what}: ${hdf5Reason(error)}`, { cause: error })
}

export class ChainFileWriter {
  readonly path: string
  readonly group: string
  readonly #problem: ChainFileProblem
  readonly #block: number
  #created = false
  #handles: ChainGroups | undefined
  #saved = 0
  #pending: StepRecord[] = []
  #acceptedTotals: Float64Array
  /** 'undecided' until the first steps are written; then the columns, or 'none'. */
  #blobColumns: readonly string[] | 'none' | 'undecided' = 'undecided'
  #failure: ChainFileError | undefined
  /** The file the handle writes: a path that no longer names it (removed, replaced) is a failed write. */
  #opened: Pick<Stats, 'dev' | 'ino'> | undefined

  constructor(path: string, group: string, problem: ChainFileProblem) {
    this.path = path
    this.group = group
    this.#problem = problem
    this.#block = rowsPerBlock(problem.nWalkers, problem.nDim)
    this.#acceptedTotals = new Float64Array(problem.nWalkers)
  }

  /** Steps in the file (not counting those waiting to be written). */
  get saved(): number {
    return this.#saved
  }

  get pending(): number {
    return this.#pending.length
  }

  /** The error of the last write that failed, until a write succeeds. */
  get failure(): ChainFileError | undefined {
    return this.#failure
  }

  /** Continues a file that readChainFile read: new steps go after its `iteration` steps. */
  adopt(written: WrittenSoFar): void {
    this.#created = true
    this.#saved = written.iteration
    this.#acceptedTotals = written.acceptedTotals.slice()
    this.#blobColumns = written.blobColumns ?? 'none'
  }

  /**
   * Opens the file for a run, creating it (or the groups, in an existing HDF5 file) the first
   * time. Refuses a file that already holds a chain in this group.
   */
  async open(): Promise<void> {
    const h5wasm = await loadHdf5()
    if (this.#handles !== undefined) return
    const exists = existsSync(this.path)
    if (this.#created && !exists) {
      throw new ChainFileError(
        this.path,
        'write',
        `the chain file ${this.path} was removed since the sampler last wrote it; its steps are still in ` +
          'memory (getChain). Choose another chainFile.path in a new sampler to write a new file',
      )
    }
    if (!exists) {
      // Made whole beside the path and renamed into place: a process killed while it creates the
      // file leaves no file, never one HDF5 cannot open. Steps are then appended in place.
      try {
        await replaceFile(this.path, (temporary) => {
          const created = new h5wasm.File(temporary, 'w')
          try {
            createChainGroups(created, this.path, this.group, this.#problem, this.#block)
          } finally {
            created.close()
          }
        })
      } catch (error) {
        throw asChainFileError(error, this.path, 'write', `cannot create the chain file ${this.path}`)
      }
      this.#created = true
    }
    let file: File
    try {
      file = new h5wasm.File(this.path, 'a')
    } catch (error) {
      throw new ChainFileError(
        this.path,
        'unreadable',
        `cannot open the chain file ${this.path}: ${hdf5Reason(error)}. Is it an HDF5 file? Remove it or choose another chainFile.path`,
        { cause: error },
      )
    }
    try {
      if (!this.#created) createChainGroups(file, this.path, this.group, this.#problem, this.#block)
      this.#handles = openChainGroups(file, this.group)
      this.#opened = statSync(this.path)
      this.#created = true
      // A fresh handle: steps a failed write left buffered are written at the next save.
      this.#failure = undefined
    } catch (error) {
      file.close()
      throw asChainFileError(error, this.path, 'unreadable', `cannot use the chain file ${this.path}`)
    }
  }

  /** Closes the file (steps not yet written stay buffered for the next save). */
  close(): void {
    const handles = this.#handles
    this.#handles = undefined
    try {
      handles?.file.close()
    } catch {
      // A handle that failed to close cannot be used again anyway.
    }
  }

  push(record: StepRecord): void {
    this.#pending.push(record)
  }

  /**
   * Writes the buffered steps and flushes. On a failure the steps stay buffered, the handle is
   * closed, and a ChainFileError is thrown (and kept as `failure`).
   */
  save(): void {
    if (this.#pending.length === 0) return
    const handles = this.#handles
    // An internal invariant (the sampler opens the file before saving), never the user's doing.
    if (handles === undefined) throw new Error('ChainFileWriter.save() before open()')
    const from = this.#saved
    const steps = this.#pending
    const totals = this.#acceptedTotals.slice()
    for (const step of steps) {
      for (let k = 0; k < totals.length; k++) totals[k]! += step.accepted[k]!
    }
    try {
      this.#assertStillThere(from, steps.length)
      this.#writeRows(handles, from, steps)
      handles.accepted.write_slice([], totals)
      // The counts last, once the rows they count are written.
      this.#setIteration(handles, from + steps.length)
      handles.file.flush()
    } catch (error) {
      this.close()
      this.#failure =
        error instanceof ChainFileError
          ? error
          : new ChainFileError(
              this.path,
              'write',
              `cannot write steps ${from + 1}-${from + steps.length} to the chain file ${this.path}: ` +
                `${hdf5Reason(error)}. The file holds the ${from} steps before them; the sampler keeps every step ` +
                'in memory and tries again at the next save',
              { cause: error },
            )
      throw this.#failure
    }
    this.#saved = from + steps.length
    this.#acceptedTotals = totals
    this.#pending = []
    this.#failure = undefined
  }

  /**
   * Throws when the path no longer names the file the handle writes: writes would go to a file
   * no one can open (removed) or not to the file at the path (replaced), and be lost unseen.
   */
  #assertStillThere(from: number, count: number): void {
    const now = statSync(this.path, { throwIfNoEntry: false })
    if (now !== undefined && now.dev === this.#opened?.dev && now.ino === this.#opened.ino) return
    throw new ChainFileError(
      this.path,
      'write',
      `cannot write steps ${from + 1}-${from + count} to the chain file ${this.path}: it was ` +
        `${now === undefined ? 'removed' : 'replaced by another file'} while the sampler was writing it. ` +
        'The sampler keeps every step in memory (getChain); choose another chainFile.path in a new sampler to write them',
    )
  }

  /** Empties the chain in the file (the sampler's reset()): iteration 0, no acceptances. */
  reset(): void {
    this.#pending = []
    this.#acceptedTotals.fill(0)
    if (!this.#created) return
    const opened = this.#handles === undefined
    let file: File | undefined
    try {
      let handles = this.#handles
      if (handles === undefined) {
        file = new (loadedHdf5().File)(this.path, 'a')
        handles = openChainGroups(file, this.group)
        this.#handles = handles
      }
      handles.accepted.write_slice([], this.#acceptedTotals)
      this.#setIteration(handles, 0)
      handles.file.flush()
      this.#saved = 0
    } catch (error) {
      const reason = hdf5Reason(error)
      throw new ChainFileError(this.path, 'write', `cannot reset the chain file ${this.path}: ${reason}`, {
        cause: error,
      })
    } finally {
      if (opened) {
        this.#handles = undefined
        try {
          file?.close()
        } catch {
          // A handle that failed to close cannot be used again anyway.
        }
      }
    }
  }

  #setIteration(handles: ChainGroups, iteration: number): void {
    setAttribute(handles.parafit, 'iteration', { int64: iteration }, true)
    setAttribute(handles.mcmc, 'iteration', { int64: iteration }, true)
  }

  /** The rows of `steps` from row `from` on, in every per-step dataset. */
  #writeRows(handles: ChainGroups, from: number, steps: readonly StepRecord[]): void {
    const write = (key: string, parts: readonly ArrayLike<number>[], int8 = false) => {
      const rows = handles.rows.get(key)
      // Caught by save(), which raises it as a ChainFileError naming the file.
      if (rows === undefined) throw new Error(`the dataset '${key}' is not in the file`)
      writeRows(rows, from, steps.length, concatRows(parts, int8), this.#block)
    }
    if (!handles.rows.has('parafit/random_state')) {
      const length = steps[0]!.randomState.length
      const states = createRows(handles.parafit, 'random_state', [length], '<d', this.#block)
      handles.rows.set('parafit/random_state', states)
    }
    const perStep: [string, (step: StepRecord) => ArrayLike<number>, boolean][] = [
      ['mcmc/chain', (step) => step.coords, false],
      ['mcmc/log_prob', (step) => step.logProb, false],
      ['parafit/random_state', (step) => step.randomState, false],
      ['parafit/accepted', (step) => step.accepted, true],
      ['parafit/bad_values', (step) => [step.nBadValues], false],
    ]
    for (const [key, pick, int8] of perStep) write(key, steps.map(pick), int8)
    if (this.#blobColumns === 'undecided') this.#decideBlobColumns(handles, steps)
    const columns = this.#blobColumns
    if (columns !== 'none' && columns !== 'undecided') {
      const blobs = steps.map((step) => encodeBlobs(step.blobs, columns))
      const values = blobs.map((b) => b.values)
      const kinds = blobs.map((b) => b.kinds)
      write('parafit/blobs', values, false)
      write('parafit/blob_kind', kinds, true)
    }
  }

  /** The blob columns, from the first numeric blob of the first steps written; their datasets. */
  #decideBlobColumns(handles: ChainGroups, steps: readonly StepRecord[]): void {
    const columns = blobColumns(steps.map((s) => s.blobs))
    if (columns !== undefined) {
      const w = this.#problem.nWalkers
      const blobs = createRows(handles.parafit, 'blobs', [w, columns.length], '<d', this.#block)
      setAttribute(blobs, 'names', columns, false)
      handles.rows.set('parafit/blobs', blobs)
      handles.rows.set('parafit/blob_kind', createRows(handles.parafit, 'blob_kind', [w], '<b', this.#block))
    }
    this.#blobColumns = columns ?? 'none'
  }
}
