// How many tasks go to a worker in one message. Each message costs the worker some time between
// two chunks (sending the result, picking up the next chunk): tens of microseconds on a thread,
// a few hundred on a process or an MPI rank. Chunks are sized so that this cost stays a small
// share of the work, and no larger, for load balance. Both the cost of a task (per objective)
// and the cost of a message (per pool) are measured as the pool runs; an objective's cost goes
// when the pool forgets the objective (fault probe F9: one number per ref ever seen was kept).

/** A chunk of cheap tasks should take at least this long. */
const TARGET_CHUNK_SECONDS = 0.004
/** The share of a worker's time that messaging may take before chunks grow to spread it. */
const MESSAGE_SHARE = 0.005

export class CostModel {
  readonly #secondsPerTask = new Map<number, number>()
  #secondsPerMessage: number | undefined

  record(refId: number, seconds: number, tasks: number): void {
    if (tasks === 0) return
    const sample = seconds / tasks
    const previous = this.#secondsPerTask.get(refId)
    this.#secondsPerTask.set(refId, previous === undefined ? sample : 0.7 * previous + 0.3 * sample)
  }

  /**
   * A worker's time between two chunks when the second was already waiting for it: the interval
   * between their results, less the second chunk's own run time.
   */
  recordMessage(seconds: number): void {
    const sample = Math.max(0, seconds)
    const previous = this.#secondsPerMessage
    this.#secondsPerMessage = previous === undefined ? sample : 0.8 * previous + 0.2 * sample
  }

  /** Drops what was measured of these objectives: a later use measures again. */
  forget(refIds: Iterable<number>): void {
    for (const refId of refIds) this.#secondsPerTask.delete(refId)
  }

  /** Drops every measurement (a closed pool keeps nothing). */
  clear(): void {
    this.#secondsPerTask.clear()
    this.#secondsPerMessage = undefined
  }

  /** How many objectives it holds a cost for. */
  get objectives(): number {
    return this.#secondsPerTask.size
  }

  /** The measured cost of one message, in seconds (undefined until measured). */
  get secondsPerMessage(): number | undefined {
    return this.#secondsPerMessage
  }

  /**
   * Chunk size for the next message: 1 until the cost is known; large enough that a chunk takes
   * TARGET_CHUNK_SECONDS and, while much is queued, that messaging stays under MESSAGE_SHARE of
   * the work; never so many
   * that some worker would go without work (at most a fair share of what is queued); with a
   * timeout, small enough that a chunk finishes well inside it.
   */
  chunkSize(refId: number, queued: number, workers: number, timeoutMs: number | undefined): number {
    const cost = this.#secondsPerTask.get(refId)
    if (cost === undefined) return 1
    const perTask = Math.max(cost, 1e-9)
    let size = Math.floor(TARGET_CHUNK_SECONDS / perTask)
    if (this.#secondsPerMessage !== undefined) {
      // Grown for the message's cost only while much is queued, at most half a fair share: the
      // last tasks go out in ever smaller chunks (guided self-scheduling), so workers finish together.
      const forMessages = Math.ceil(this.#secondsPerMessage / (MESSAGE_SHARE * perTask))
      size = Math.max(size, Math.min(forMessages, Math.ceil(queued / (2 * workers))))
    }
    if (timeoutMs !== undefined) size = Math.min(size, Math.floor(timeoutMs / 1000 / 4 / perTask))
    const fairShare = Math.ceil(queued / workers)
    return Math.max(1, Math.min(size, fairShare))
  }
}
