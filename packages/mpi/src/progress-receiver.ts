// Arrivals from the binding's native progress thread (native/progress_thread.cc): the thread
// polls MPI and sleeps between polls, and hands each burst of arrivals to this thread in one
// call. JavaScript never polls, so rank 0's event loop is free between batches and an idle rank
// costs next to nothing. Where peers on this node can wake the event loop directly, it receives
// their messages itself, one wake-up instead of two. The thread keeps the process alive only while held.

import type { MpiBinding } from './addon.ts'
import type { ArrivalHandler, Receiver } from './receiver.ts'

export class ProgressThreadReceiver implements Receiver {
  readonly #mpi: MpiBinding
  #held = false

  /** Starts the thread; undefined where MPI offers less than MPI_THREAD_SERIALIZED. */
  static start(
    mpi: MpiBinding,
    onArrival: ArrivalHandler,
    wakeEventLoop = true,
  ): ProgressThreadReceiver | undefined {
    const started = mpi.startProgress((batch, error) => {
      for (const [source, , bytes] of batch) onArrival(source, bytes)
      if (error !== undefined) throw new Error(`parafit's MPI progress thread stopped: ${error}`)
    }, wakeEventLoop)
    return started ? new ProgressThreadReceiver(mpi) : undefined
  }

  private constructor(mpi: MpiBinding) {
    this.#mpi = mpi
  }

  wake(): void {
    // Sends wake the thread themselves (isend); an opened session needs nothing either.
  }

  hold(hold: boolean): void {
    if (hold === this.#held) return
    this.#held = hold
    this.#mpi.holdEventLoop(hold)
  }
}
