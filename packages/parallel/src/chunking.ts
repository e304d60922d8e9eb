// How many tasks go to a worker in one message. Messaging costs tens of microseconds per
// message, so cheap objectives are sent in chunks that take a few milliseconds; expensive ones
// one at a time, for load balance. The cost of a task is measured in the workers, per objective.

/** A chunk should take about this long, so per-message overhead stays near 1%. */
const TARGET_CHUNK_SECONDS = 0.004

export class CostModel {
  readonly #secondsPerTask = new Map<number, number>()

  record(refId: number, seconds: number, tasks: number): void {
    if (tasks === 0) return
    const sample = seconds / tasks
    const previous = this.#secondsPerTask.get(refId)
    this.#secondsPerTask.set(refId, previous === undefined ? sample : 0.7 * previous + 0.3 * sample)
  }

  /**
   * Chunk size for the next message: 1 until the cost is known; never so many that some worker
   * would go without work (at most a fair share of what is queued); with a timeout, small
   * enough that a chunk finishes well inside it.
   */
  chunkSize(refId: number, queued: number, workers: number, timeoutMs: number | undefined): number {
    const cost = this.#secondsPerTask.get(refId)
    if (cost === undefined) return 1
    let size = Math.floor(TARGET_CHUNK_SECONDS / Math.max(cost, 1e-9))
    if (timeoutMs !== undefined)
      size = Math.min(size, Math.floor(timeoutMs / 1000 / 4 / Math.max(cost, 1e-9)))
    const fairShare = Math.ceil(queued / workers)
    return Math.max(1, Math.min(size, fairShare))
  }
}
