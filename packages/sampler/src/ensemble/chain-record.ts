// The ensemble's steps kept: each step's walkers (flat, walker by walker), log-probabilities and
// blobs, the acceptance counts and the NaN count, and, with a chain file, the same written to it
// as the steps come. The sampler decides the steps; this keeps them and answers getChain() and
// its kin, selecting steps as emcee does (discard, then the last of every `thin`).

import { checkOptionKeys } from '@parafit/core'
import type { Blob } from '../batch-results.ts'
import type { ChainFileSettings } from '../chain-file/chain-file-options.ts'
import type { ChainFileContents } from '../chain-file/chain-file-reader.ts'
import type { ChainFileWriter } from '../chain-file/chain-file-writer.ts'
import type { ChainFileProblem } from '../chain-file/layout.ts'
import { ChainFileError } from '../errors.ts'
import { wholeNumber } from '../option-checks.ts'
import { CHAIN_OPTION_KEYS, type ChainOptions } from './ensemble-options.ts'
import type { Step } from './step-schedule.ts'

/** The chain file: where it is, the problem written into it, and its writer. */
export interface ChainFileLink {
  readonly settings: ChainFileSettings
  readonly problem: ChainFileProblem
  writer: ChainFileWriter
}

export class ChainRecord {
  readonly #nWalkers: number
  readonly #nDim: number
  #chain: Float64Array[] = []
  #logProb: Float64Array[] = []
  #blobs: (Blob | undefined)[][] = []
  #accepted: Float64Array
  #nBadValues = 0
  readonly file: ChainFileLink | undefined

  constructor(nWalkers: number, nDim: number, file: ChainFileLink | undefined) {
    this.#nWalkers = nWalkers
    this.#nDim = nDim
    this.#accepted = new Float64Array(nWalkers)
    this.file = file
  }

  /** Steps kept. */
  get iteration(): number {
    return this.#chain.length
  }

  /** Per walker: accepted proposals / steps. */
  get acceptanceFraction(): Float64Array {
    const steps = this.iteration
    return this.#accepted.map((a) => (steps === 0 ? Number.NaN : a / steps))
  }

  /** Accepted proposals / (walkers × steps). */
  get meanAcceptance(): number {
    return this.#accepted.reduce((s, a) => s + a, 0) / (this.#nWalkers * this.iteration)
  }

  get nBadValues(): number {
    return this.#nBadValues
  }

  /** Appends a step decided for every walker. */
  push(step: Step): void {
    const flat = new Float64Array(this.#nWalkers * this.#nDim)
    step.coords.forEach((c, k) => {
      flat.set(c, k * this.#nDim)
    })
    this.#chain.push(flat)
    this.#logProb.push(step.logProb)
    this.#blobs.push(step.blobs)
    for (let k = 0; k < this.#nWalkers; k++) this.#accepted[k]! += step.accepted[k]!
    this.#nBadValues += step.nBadValues
  }

  /** The steps of a chain file read back (EnsembleSampler.resume). */
  restore(contents: ChainFileContents): void {
    this.#chain = contents.chain
    this.#logProb = contents.logProb
    this.#blobs = contents.blobs
    this.#accepted = contents.acceptedTotals.slice()
    this.#nBadValues = contents.nBadValues
  }

  /** Forgets every step, in the chain file too. */
  reset(): void {
    this.file?.writer.reset()
    this.#chain = []
    this.#logProb = []
    this.#blobs = []
    this.#accepted = new Float64Array(this.#nWalkers)
    this.#nBadValues = 0
  }

  /**
   * Hands the last step pushed to the chain file, and writes when `every` steps wait. A failed
   * write is returned, to stop the run after the steps already under way.
   */
  toFile(step: Step, randomState: number[]): ChainFileError | undefined {
    if (this.file === undefined) return undefined
    const { writer, settings } = this.file
    writer.push({
      coords: this.#chain.at(-1)!,
      logProb: step.logProb,
      blobs: step.blobs,
      accepted: step.accepted,
      nBadValues: step.nBadValues,
      randomState,
    })
    if (writer.failure !== undefined || writer.pending < settings.every) return undefined
    try {
      writer.save()
    } catch (error) {
      if (error instanceof ChainFileError) return error
      throw error
    }
    return undefined
  }

  /** Writes the steps the chain file has not got yet (none when a write already failed in this run). */
  saveFile(): void {
    const writer = this.file?.writer
    if (writer !== undefined && writer.failure === undefined) writer.save()
  }

  /** Steps kept, from `discard` on, every `thin`-th (as emcee: the last of each group of `thin`). */
  selected(options: ChainOptions, where: string, moreKeys: readonly string[] = []): number[] {
    checkOptionKeys(options, [...CHAIN_OPTION_KEYS, ...moreKeys], where)
    const discard = wholeNumber(options.discard ?? 0, 'discard', 0)
    const thin = wholeNumber(options.thin ?? 1, 'thin', 1)
    const out: number[] = []
    for (let s = discard + thin - 1; s < this.iteration; s += thin) out.push(s)
    return out
  }

  /** The walkers' points at step `s`, one array per walker. */
  walkers(s: number): Float64Array[] {
    const row = this.#chain[s]!
    return Array.from({ length: this.#nWalkers }, (_, k) => row.slice(k * this.#nDim, (k + 1) * this.#nDim))
  }

  logProbAt(s: number): Float64Array {
    return this.#logProb[s]!.slice()
  }

  blobsAt(s: number): (Blob | undefined)[] {
    return this.#blobs[s]!.slice()
  }
}
