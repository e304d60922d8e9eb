// When the nested sampler writes its checkpoint. Each write holds the whole run so far, so on a
// cheap likelihood writing after every batch came to cost more than the batches (a 6-dimensional
// run of 38,000 calls: 28 s without a checkpoint, 47 s with one). By default a batch is followed
// by a write once writing has taken at most WRITE_SHARE of the time since the last one: after
// every batch while the state is small or the likelihood slow, less often otherwise. `every`
// asks for a write after every `every` batches, whatever it costs.

/** The share of a run that writing its checkpoint may take when no `every` was given. */
export const WRITE_SHARE = 0.05

export class CheckpointSchedule {
  readonly #every: number | undefined
  #batches = 0
  /** When the last write ended (performance.now()), and how many seconds it took. */
  #last: { end: number; seconds: number } | undefined

  constructor(every: number | undefined) {
    this.#every = every
  }

  /** A batch was merged at `now`: whether a write is due. The first batch is always written. */
  afterBatch(now: number = performance.now()): boolean {
    this.#batches++
    if (this.#every !== undefined) return this.#batches >= this.#every
    if (this.#last === undefined) return true
    return ((now - this.#last.end) / 1000) * WRITE_SHARE >= this.#last.seconds
  }

  /** A write that began at `start` ended at `end`. */
  written(start: number, end: number = performance.now()): void {
    this.#batches = 0
    this.#last = { end, seconds: (end - start) / 1000 }
  }
}
