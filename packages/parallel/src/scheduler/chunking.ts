// How many tasks go to a worker in one message. Each message costs the worker some time between
// two chunks (sending the result, picking up the next chunk): tens of microseconds on a thread,
// a few hundred on a process or an MPI rank. Chunks are sized so that this cost stays a small
// share of the work, and no larger, for load balance. Both the cost of a task (per objective,
// with how much it varies) and the cost of a message (per pool) are measured as the pool runs;
// an objective's cost goes when the pool forgets the objective (fault probe F9: one number per
// ref ever seen was kept).
//
// Balance: while workers are busy, a chunk takes at most half a fair share of what is queued
// (guided self-scheduling), so the last tasks go out in small chunks and workers finish
// together. When every worker is idle and the spread of task costs is known, the chunks go out
// in a round of one per worker, each of at most R / (x · workers) tasks, R what was queued, x
// from factoring (Flynn Hummel, Schonberg & Flynn 1992): close to 1 for tasks of equal cost,
// whose fair shares go out whole (16 equal terms of a combined objective: one message per worker,
// not four). Workers that are busy finish at different times: a round given to them would let
// the first to ask take a large share that the others then wait on.

/** A chunk of cheap tasks should take at least this long. */
const TARGET_CHUNK_SECONDS = 0.004
/**
 * The share of a worker's time that messaging may take before chunks grow to spread it. At
 * 0.5%, 8 worker processes sleeping 10 ms per task got chunks of 5 and lost 0.3-1 ms at each
 * chunk's end (the worker is preempted by the caller it wakes): 0.5-1% of the run, the margin of
 * a 0.99 efficiency. The end of a batch still goes in small chunks (the round's share).
 */
const MESSAGE_SHARE = 0.002
/** Chunks measured before the spread of an objective's task costs is trusted. */
const SPREAD_SAMPLES = 4

/** What is known of an objective's tasks: mean seconds, and the variance of one task's seconds. */
interface TaskCost {
  mean: number
  variance: number
  samples: number
}

/**
 * A batch's current round of chunks (one chunk, unless every worker was idle when it began):
 * the size chunks may grow to for the message's cost, the fair share of the queue at the round's
 * start, and how many chunks the round has left.
 */
export interface BalanceRound {
  size: number
  fairShare: number
  left: number
}

export class CostModel {
  readonly #tasks = new Map<number, TaskCost>()
  #secondsPerMessage: number | undefined

  /** A chunk of `tasks` tasks of `refId` took `seconds` (its tasks' own time, not messaging). */
  record(refId: number, seconds: number, tasks: number): void {
    if (tasks === 0) return
    const sample = seconds / tasks
    const known = this.#tasks.get(refId)
    if (known === undefined) {
      this.#tasks.set(refId, { mean: sample, variance: 0, samples: 1 })
      return
    }
    // A chunk's mean of n tasks varies as 1/n of one task: scaled back to one task's variance.
    const deviation = sample - known.mean
    const spread = deviation * deviation * tasks
    known.variance = known.samples === 1 ? spread : 0.7 * known.variance + 0.3 * spread
    known.mean = 0.7 * known.mean + 0.3 * sample
    known.samples++
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
    for (const refId of refIds) this.#tasks.delete(refId)
  }

  /** Drops every measurement (a closed pool keeps nothing). */
  clear(): void {
    this.#tasks.clear()
    this.#secondsPerMessage = undefined
  }

  /** How many objectives it holds a cost for. */
  get objectives(): number {
    return this.#tasks.size
  }

  /** The measured cost of one message, in seconds (undefined until measured). */
  get secondsPerMessage(): number | undefined {
    return this.#secondsPerMessage
  }

  /**
   * Chunk size for the next message of a batch with `queued` tasks waiting, in its `round`: 1
   * until the cost is known; large enough that a chunk takes TARGET_CHUNK_SECONDS and, while
   * much is queued, that messaging stays under MESSAGE_SHARE of the work, within the round's
   * share; never so many that some worker would go without work (at most a fair share of what
   * is queued); with a timeout, small enough that a chunk finishes well inside it.
   */
  chunkSize(
    refId: number,
    queued: number,
    workers: number,
    timeoutMs: number | undefined,
    round: BalanceRound = { size: 0, fairShare: 0, left: 0 },
    allIdle = false,
  ): number {
    const cost = this.#tasks.get(refId)
    if (cost === undefined) return 1
    const perTask = Math.max(cost.mean, 1e-9)
    if (round.left <= 0) {
      // A round of one chunk per worker when they all start it together; else one chunk.
      const factored = allIdle && cost.samples >= SPREAD_SAMPLES
      round.size = factored ? factoredShare(cost, queued, workers) : Math.ceil(queued / (2 * workers))
      round.fairShare = Math.ceil(queued / workers)
      round.left = factored ? workers : 1
    }
    round.left--
    let size = Math.floor(TARGET_CHUNK_SECONDS / perTask)
    if (this.#secondsPerMessage !== undefined) {
      // Grown for the message's cost only within the round's share, which shrinks round by round.
      const forMessages = Math.ceil(this.#secondsPerMessage / (MESSAGE_SHARE * perTask))
      size = Math.max(size, Math.min(forMessages, round.size))
    }
    if (timeoutMs !== undefined) size = Math.min(size, Math.floor(timeoutMs / 1000 / 4 / perTask))
    // A fair share of what was queued when the round began: the other workers' shares are
    // still queued, or already sent in this round.
    return Math.max(1, Math.min(size, round.fairShare, queued))
  }

  /**
   * For a chunk that starts with a task of `refId` and may hold `size` such tasks: whether the
   * next task, of objective `next`, still fits. A chunk may mix objectives (a combined
   * objective's terms are one batch of many objectives): each task counts at its own objective's
   * cost against the time of `size` tasks of the first, and one of unknown cost ends the chunk.
   */
  fitter(refId: number, size: number): (next: number) => boolean {
    const first = this.#tasks.get(refId)?.mean
    if (first === undefined) return () => false
    // The first task is in. A quarter's slack: measured costs of equal tasks differ by noise, and
    // the budget is there for objectives whose costs differ by far more.
    let left = (size - 1) * first * 1.25
    return (next) => {
      const cost = next === refId ? first : this.#tasks.get(next)?.mean
      if (cost === undefined || cost > left) return false
      left -= cost
      return true
    }
  }
}

/**
 * The most tasks a chunk of a round that starts with `queued` tasks for idle workers may take:
 * queued / (x · workers), with factoring's x = 1 + b² + b √(b² + 2), b = workers · cv /
 * (2 √queued), cv the tasks' coefficient of variation, and never more than 2: a spread measured
 * on a noisy machine sends no more messages than guided scheduling. 16 equal tasks on 2 idle
 * workers go out as 8 and 8.
 */
function factoredShare(cost: TaskCost, queued: number, workers: number): number {
  const cv = Math.sqrt(cost.variance) / Math.max(cost.mean, 1e-12)
  const b = (workers * cv) / (2 * Math.sqrt(queued))
  const x = Math.min(2, 1 + b * b + b * Math.sqrt(b * b + 2))
  return Math.max(1, Math.ceil(queued / (x * workers) - 0.05))
}
