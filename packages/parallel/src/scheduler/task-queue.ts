// The tasks waiting for a worker, in order. Tasks of settled batches are skipped as they come up;
// tasks that come back (from a dead worker, or a chunk that could not be sent) go to the front.
// It keeps each batch's `queued` count: how many of its tasks wait here. A batch's tasks wait as
// one span of indices, not one record each: a batch of 100,000 cheap tasks would otherwise hold
// 100,000 records until its last task is taken, and the caller's garbage collector copies every
// one of them.

import { type Batch, canShareChunk, type QueueItem } from './batch.ts'

/** Tasks `next` to `end - 1` of one batch, waiting. */
class Span {
  readonly batch: Batch
  next: number
  end: number

  constructor(batch: Batch, next: number, end: number) {
    this.batch = batch
    this.next = next
    this.end = end
  }
}

export class TaskQueue {
  readonly #entries: (QueueItem | Span)[] = []
  /** Entries before it are taken; the array is emptied when all are. */
  #head = 0
  #waiting = 0

  /** Task `index` of `batch`, whose batch already counts it as queued. */
  push(batch: Batch, index: number): void {
    const last = this.#entries.at(-1)
    if (
      last instanceof Span &&
      last.batch === batch &&
      last.end === index &&
      this.#entries.length > this.#head
    )
      last.end++
    else this.#entries.push(new Span(batch, index, index + 1))
    this.#waiting++
  }

  /** How many tasks wait, over every batch (those of settled batches until they are skipped). */
  get waiting(): number {
    return this.#waiting
  }

  /** The first task whose batch is still open, or undefined when none is left. */
  next(): QueueItem | undefined {
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head]!
      if (!entry.batch.settled)
        return entry instanceof Span ? { batch: entry.batch, index: entry.next, single: false } : entry
      this.#waiting -= entry instanceof Span ? entry.end - entry.next : 1
      this.#head++
    }
    this.clear()
    return undefined
  }

  /**
   * Takes up to `size` tasks from the front: `first` (the one `next()` gave) and those right
   * after it of its batch, or of open batches that can share its chunk (canShareChunk), while
   * `fits` accepts each one's objective (the chunk's time budget). A single task goes alone.
   */
  take(first: QueueItem, size: number, fits: (refId: number) => boolean = () => true): QueueItem[] {
    const { batch } = first
    const items: QueueItem[] = []
    const taken = (item: QueueItem) => {
      items.push(item)
      item.batch.queued--
      this.#waiting--
    }
    entries: while (items.length < size) {
      const entry = this.#entries[this.#head]
      if (entry === undefined) break
      const owner = entry.batch
      if (owner !== batch && (owner.settled || !canShareChunk(owner, batch))) break
      if (!(entry instanceof Span)) {
        if (items.length > 0 && (entry.single || !fits(owner.refIds[entry.index]!))) break
        taken(entry)
        this.#head++
        if (entry.single) break
        continue
      }
      while (items.length < size && entry.next < entry.end) {
        if (items.length > 0 && !fits(owner.refIds[entry.next]!)) break entries
        const isFirst = items.length === 0 && first.batch === owner && first.index === entry.next
        taken(isFirst ? first : { batch: owner, index: entry.next, single: false })
        entry.next++
      }
      if (entry.next < entry.end) break
      this.#head++
    }
    return items
  }

  /** Tasks that come back: to the front, in the order given. */
  putBack(items: readonly QueueItem[]): void {
    for (const item of items) item.batch.queued++
    this.#waiting += items.length
    this.#entries.splice(this.#head, 0, ...items)
  }

  clear(): void {
    this.#entries.length = 0
    this.#head = 0
    this.#waiting = 0
  }
}
