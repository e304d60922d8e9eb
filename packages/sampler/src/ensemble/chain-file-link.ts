// The sampler's chain file as the runs go: made from the chainFile option with the problem written
// into it, or continued from the file a run left (EnsembleSampler.resume). Each committed step is
// handed to the writer and written every `every` steps; the end of every run writes the rest.

import type { ChainFileOptions, ChainFileSettings } from '../chain-file/chain-file-options.ts'
import { chainFileSettings, continueChainFile } from '../chain-file/chain-file-options.ts'
import type { ChainFileContents } from '../chain-file/chain-file-reader.ts'
import { ChainFileWriter } from '../chain-file/chain-file-writer.ts'
import type { ChainFileProblem } from '../chain-file/layout.ts'
import { ChainFileError } from '../errors.ts'
import type { Step } from './step-schedule.ts'

export class ChainFileLink {
  readonly settings: ChainFileSettings
  readonly #problem: ChainFileProblem
  #writer: ChainFileWriter

  /** Checks the option; nothing touches the file before the first run opens it. */
  constructor(options: ChainFileOptions, sampler: Omit<ChainFileProblem, 'parameterNames'>) {
    const { nWalkers, nDim, moves, seed } = sampler
    this.settings = chainFileSettings(options, nDim)
    this.#problem = { nWalkers, nDim, moves, parameterNames: this.settings.parameterNames, seed }
    this.#writer = new ChainFileWriter(this.settings.path, this.settings.group, this.#problem)
  }

  /**
   * Reads the file to continue, refusing one from another problem (the seed and names compared
   * only when the options give them), and appends after its steps from then on.
   */
  async continue(given: {
    readonly seed: boolean
    readonly parameterNames: boolean
  }): Promise<ChainFileContents> {
    const { contents, writer } = await continueChainFile(this.settings, this.#problem, given)
    this.#writer = writer
    return contents
  }

  async open(): Promise<void> {
    await this.#writer.open()
  }

  close(): void {
    this.#writer.close()
  }

  /** Forgets every step in the file. */
  reset(): void {
    this.#writer.reset()
  }

  /**
   * Hands a committed step (its walkers as one flat row) to the writer, and writes when `every`
   * steps wait. A failed write is returned, to stop the run after the steps already under way.
   */
  append(coords: Float64Array, step: Step, randomState: number[]): ChainFileError | undefined {
    const writer = this.#writer
    writer.push({
      coords,
      logProb: step.logProb,
      blobs: step.blobs,
      accepted: step.accepted,
      nBadValues: step.nBadValues,
      randomState,
    })
    if (writer.failure !== undefined || writer.pending < this.settings.every) return undefined
    try {
      writer.save()
    } catch (error) {
      if (error instanceof ChainFileError) return error
      throw error
    }
    return undefined
  }

  /** Writes the steps the file has not got yet (none when a write already failed in this run). */
  save(): void {
    if (this.#writer.failure === undefined) this.#writer.save()
  }
}
