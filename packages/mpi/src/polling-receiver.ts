// Arrivals found by polling MPI_Improbe from the event loop: the fallback where MPI offers only
// MPI_THREAD_FUNNELED (a host program that initialised MPI itself), or where
// PARAFIT_MPI_PROGRESS=poll asks for it. Polling backs off: right after traffic it runs on
// setImmediate for a short spin window (a reply is usually close), then on 1 ms timers, then,
// after a long quiet spell, every 10 ms. It runs only while someone listens or sends are in
// flight, and its timers hold the process open only while held.

import type { MpiBinding } from './addon.ts'
import type { ArrivalHandler, Receiver } from './receiver.ts'

/** Back-off schedule of the poller, in milliseconds. */
const POLLING = {
  /** After traffic, poll on setImmediate for this long. */
  spinMs: 0.25,
  /** Then every millisecond (Node's timer resolution) until quiet for this long. */
  activeWindowMs: 250,
  /** Then this often. */
  idleIntervalMs: 10,
}

export class PollingReceiver implements Receiver {
  readonly #mpi: MpiBinding
  readonly #onArrival: ArrivalHandler
  /** Whether anyone listens (an open session); without listeners and sends, polling stops. */
  readonly #listening: () => boolean
  #held = false
  #lastTraffic = 0
  #timer: NodeJS.Timeout | undefined
  #immediate: NodeJS.Immediate | undefined
  #polling = false

  constructor(mpi: MpiBinding, onArrival: ArrivalHandler, listening: () => boolean) {
    this.#mpi = mpi
    this.#onArrival = onArrival
    this.#listening = listening
  }

  wake(): void {
    this.#lastTraffic = performance.now()
    if (this.#immediate !== undefined) return
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    this.#polling = true
    this.#immediate = setImmediate(() => this.#poll())
    if (!this.#held) this.#immediate.unref()
  }

  hold(hold: boolean): void {
    this.#held = hold
    this.#refTimers()
    if (hold && !this.#polling) this.wake()
  }

  #poll(): void {
    this.#immediate = undefined
    this.#timer = undefined
    const arrived = this.#mpi.poll(256)
    if (arrived.length > 0) this.#lastTraffic = performance.now()
    for (const [source, , bytes] of arrived) this.#onArrival(source, bytes)
    this.#schedule()
  }

  #schedule(): void {
    if (this.#immediate !== undefined || this.#timer !== undefined) return
    const pending = this.#mpi.pendingSends()
    if (!this.#listening() && pending === 0 && !this.#held) {
      // Nobody listens: stop; MPI keeps arrivals until a session opens.
      this.#polling = false
      return
    }
    const quiet = performance.now() - this.#lastTraffic
    if (quiet < POLLING.spinMs || pending > 0) {
      this.#immediate = setImmediate(() => this.#poll())
    } else {
      const interval = quiet < POLLING.activeWindowMs ? 1 : POLLING.idleIntervalMs
      this.#timer = setTimeout(() => this.#poll(), interval)
    }
    this.#refTimers()
  }

  #refTimers(): void {
    if (this.#timer !== undefined) this.#held ? this.#timer.ref() : this.#timer.unref()
    if (this.#immediate !== undefined) this.#held ? this.#immediate.ref() : this.#immediate.unref()
  }
}
