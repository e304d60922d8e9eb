// The tasks waiting for a worker, in order. Tasks of settled batches are skipped as they come up;
// tasks that come back (from a dead worker, or a chunk that could not be sent) go to the front.
// It keeps each batch's `queued` count: how many of its tasks wait here.

import { canShareChunk, type QueueItem } from './batch.ts'

export class TaskQueue {
  readonly #items: QueueItem[] = []
  /** Items before it are taken; the array is emptied when all are. */
  #head = 0

  /** A new task, whose batch already counts it as queued. */
  push(item: QueueItem): void {
    this.#items.push(item)
  }

  /** How many tasks wait, over every batch (those of settled batches until they are skipped). */
  get waiting(): number {
    return this.#items.length - this.#head
  }

  /** The first task whose batch is still open, or undefined when none is left. */
  next(): QueueItem | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head]!
      if (!item.batch.settled) return item
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
    while (items.length < size) {
      const item = this.#items[this.#head]
      if (
        item === undefined ||
        (item.batch !== batch && (item.batch.settled || !canShareChunk(item.batch, batch))) ||
        (item.single && items.length > 0) ||
        (items.length > 0 && !fits(item.batch.refIds[item.index]!))
      )
        break
      items.push(item)
      item.batch.queued--
      this.#head++
      if (item.single) break
    }
    return items
  }

  /** Tasks that come back: to the front, in the order given. */
  putBack(items: readonly QueueItem[]): void {
    for (const item of items) item.batch.queued++
    this.#items.splice(this.#head, 0, ...items)
  }

  clear(): void {
    this.#items.length = 0
    this.#head = 0
  }
}
