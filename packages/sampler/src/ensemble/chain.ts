// The ensemble's steps kept: each step's walkers (flat, walker by walker), log-probabilities and
// blobs, the acceptance counts and the NaN count, and the queries on them (emcee's backend:
// get_chain, get_log_prob, get_blobs, get_autocorr_time), selecting steps as emcee does (discard,
// then the last of every `thin`). The sampler decides the steps; this keeps them.

import { checkOptionKeys, wholeNumber } from '@parafit/core'
import type { Blob } from '../batch-results.ts'
import type { ChainFileContents } from '../chain-file/chain-file-reader.ts'
import { AutocorrError } from '../errors.ts'
import { AUTOCORR_OPTION_KEYS, type AutocorrOptions, integratedTime } from './autocorr.ts'
import { CHAIN_OPTION_KEYS, type ChainOptions } from './ensemble-options.ts'
import type { Step } from './step-schedule.ts'

export class Chain {
  readonly #nWalkers: number
  readonly #nDim: number
  #chain: Float64Array[] = []
  #logProb: Float64Array[] = []
  #blobs: (Blob | undefined)[][] = []
  #accepted: Float64Array
  #nBadValues = 0

  constructor(nWalkers: number, nDim: number) {
    this.#nWalkers = nWalkers
    this.#nDim = nDim
    this.#accepted = new Float64Array(nWalkers)
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

  /** Appends a step decided for every walker; returns its walkers as one flat row (as a chain file holds them). */
  push(step: Step): Float64Array {
    const flat = new Float64Array(this.#nWalkers * this.#nDim)
    step.coords.forEach((c, k) => {
      flat.set(c, k * this.#nDim)
    })
    this.#chain.push(flat)
    this.#logProb.push(step.logProb)
    this.#blobs.push(step.blobs)
    for (let k = 0; k < this.#nWalkers; k++) this.#accepted[k]! += step.accepted[k]!
    this.#nBadValues += step.nBadValues
    return flat
  }

  /** The steps of a chain file read back (EnsembleSampler.resume). */
  restore(contents: ChainFileContents): void {
    this.#chain = contents.chain
    this.#logProb = contents.logProb
    this.#blobs = contents.blobs
    this.#accepted = contents.acceptedTotals.slice()
    this.#nBadValues = contents.nBadValues
  }

  /** Forgets every step. */
  reset(): void {
    this.#chain = []
    this.#logProb = []
    this.#blobs = []
    this.#accepted = new Float64Array(this.#nWalkers)
    this.#nBadValues = 0
  }

  /** Steps kept, from `discard` on, every `thin`-th (as emcee: the last of each group of `thin`). */
  select(options: ChainOptions, where: string, moreKeys: readonly string[] = []): number[] {
    checkOptionKeys(options, [...CHAIN_OPTION_KEYS, ...moreKeys], where)
    const discard = wholeNumber(options.discard ?? 0, 'discard')
    const thin = wholeNumber(options.thin ?? 1, 'thin', { min: 1 })
    const out: number[] = []
    for (let s = discard + thin - 1; s < this.iteration; s += thin) out.push(s)
    return out
  }

  /** The walkers' points per step: chain[step][walker]; with flat, one list of points, step by step. */
  getChain(options: ChainOptions & { flat?: boolean }): Float64Array[][] | Float64Array[] {
    const steps = this.select(options, 'getChain() options', ['flat']).map((s) => this.#walkers(s))
    return options.flat === true ? steps.flat() : steps
  }

  /** ln p per step and walker; with flat, one array, step by step. */
  getLogProb(options: ChainOptions & { flat?: boolean }): Float64Array[] | Float64Array {
    const steps = this.select(options, 'getLogProb() options', ['flat']).map((s) => this.#logProb[s]!.slice())
    if (options.flat !== true) return steps
    const out = new Float64Array(steps.length * this.#nWalkers)
    steps.forEach((row, i) => {
      out.set(row, i * this.#nWalkers)
    })
    return out
  }

  /** What the log-probability wrote into its context at each walker's point, per step. */
  getBlobs(options: ChainOptions): (Blob | undefined)[][] {
    return this.select(options, 'getBlobs() options').map((s) => this.#blobs[s]!.slice())
  }

  /** Integrated autocorrelation time per parameter, in steps of the unthinned chain (as emcee reports it). */
  autocorrTime(options: ChainOptions & AutocorrOptions): Float64Array {
    checkOptionKeys(options, [...CHAIN_OPTION_KEYS, ...AUTOCORR_OPTION_KEYS], 'autocorrTime() options')
    const { discard, thin: thinOption, ...autocorr } = options
    const thin = thinOption ?? 1
    try {
      const chain = this.getChain({ ...(discard === undefined ? {} : { discard }), thin, flat: false })
      return integratedTime(chain as Float64Array[][], autocorr).map((t) => t * thin)
    } catch (error) {
      if (error instanceof AutocorrError) {
        error.tau.forEach((t, i) => {
          error.tau[i] = t * thin
        })
      }
      throw error
    }
  }

  /** The walkers' points at step `s`, one array per walker. */
  #walkers(s: number): Float64Array[] {
    const row = this.#chain[s]!
    return Array.from({ length: this.#nWalkers }, (_, k) => row.slice(k * this.#nDim, (k + 1) * this.#nDim))
  }
}
