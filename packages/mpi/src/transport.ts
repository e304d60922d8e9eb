// Messages between ranks, on the main thread, without ever blocking it. Sends are non-blocking
// (MPI_Isend of a serialized copy); arrivals are found by polling MPI_Improbe from the event
// loop. Polling backs off: right after traffic it runs on setImmediate for a short spin window
// (a reply is usually close), then on 1 ms timers, then, after a long quiet spell, every 10 ms.
// An idle rank therefore costs a fraction of a percent of a core, and rank 0's event loop keeps
// running timers, I/O and user callbacks between polls.
//
// Polling runs only while someone listens (an open session) or sends are in flight; and the
// timers hold the process open only while a session asks for it (a worker rank serving).

import { deserialize, serialize } from 'node:v8'
import type { MpiBinding } from './addon.ts'
import { type Envelope, type SessionEnvelope, TAG } from './messages.ts'

/** Back-off schedule of the poller, in milliseconds. */
const POLLING = {
  /** After traffic, poll on setImmediate for this long. */
  spinMs: 0.25,
  /** Then every millisecond (Node's timer resolution) until quiet for this long. */
  activeWindowMs: 250,
  /** Then this often. */
  idleIntervalMs: 10,
}

/**
 * Handles an envelope of a session; returns false to leave it for whoever opens the session
 * next (a handshake that is over, a worker loop that has been released).
 */
type SessionHandler = (envelope: SessionEnvelope, source: number) => boolean

export class Transport {
  readonly #mpi: MpiBinding
  readonly #handlers = new Map<number, SessionHandler>()
  /** Envelopes for sessions this rank has not opened yet (a peer ran ahead). */
  readonly #early = new Map<number, [SessionEnvelope, number][]>()
  #onDied: (rank: number, reason: string) => void = () => {}
  #keepAlive = 0
  #lastTraffic = 0
  #timer: NodeJS.Timeout | undefined
  #immediate: NodeJS.Immediate | undefined
  #polling = false

  constructor(mpi: MpiBinding) {
    this.#mpi = mpi
  }

  /** Sends an envelope; throws (synchronously) when it cannot be serialized. */
  send(rank: number, envelope: Envelope): void {
    const bytes = serialize(envelope)
    this.#mpi.isend(rank, TAG, bytes)
    this.#traffic()
  }

  /** Handles every envelope of `session`, including any that arrived before. */
  open(session: number, handler: SessionHandler): void {
    this.#handlers.set(session, handler)
    const early = this.#early.get(session)
    this.#early.delete(session)
    this.#wake()
    if (early !== undefined) for (const [envelope, source] of early) this.#deliver(envelope, source)
  }

  close(session: number): void {
    this.#handlers.delete(session)
  }

  onDied(handler: (rank: number, reason: string) => void): void {
    this.#onDied = handler
  }

  /** While held, the poller keeps the process alive (a worker rank waiting for work). */
  hold(): () => void {
    this.#keepAlive++
    this.#refTimers()
    let released = false
    return () => {
      if (released) return
      released = true
      this.#keepAlive--
      this.#refTimers()
    }
  }

  /** Resolves once every send in flight has completed. */
  async flush(): Promise<void> {
    const release = this.hold()
    try {
      while (this.#mpi.pendingSends() > 0) await new Promise((resolve) => setTimeout(resolve, 1))
    } finally {
      release()
    }
  }

  // ------------------------------------------------------------------ polling

  #traffic(): void {
    this.#lastTraffic = performance.now()
    this.#wake()
  }

  /** Polls soon: switches a slow timer to the spin phase. */
  #wake(): void {
    if (this.#immediate !== undefined) return
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    this.#polling = true
    this.#immediate = setImmediate(() => this.#poll())
    if (this.#keepAlive === 0) this.#immediate.unref()
  }

  #poll(): void {
    this.#immediate = undefined
    this.#timer = undefined
    const arrived = this.#mpi.poll(256)
    if (arrived.length > 0) this.#lastTraffic = performance.now()
    for (const [source, , bytes] of arrived) {
      this.#deliver(deserialize(bytes) as Envelope, source)
    }
    this.#schedule()
  }

  #schedule(): void {
    if (this.#immediate !== undefined || this.#timer !== undefined) return
    const pending = this.#mpi.pendingSends()
    if (this.#handlers.size === 0 && pending === 0 && this.#keepAlive === 0) {
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
    const hold = this.#keepAlive > 0
    if (this.#timer !== undefined) hold ? this.#timer.ref() : this.#timer.unref()
    if (this.#immediate !== undefined) hold ? this.#immediate.ref() : this.#immediate.unref()
    if (hold && !this.#polling) this.#wake()
  }

  #deliver(envelope: Envelope, source: number): void {
    if (envelope.t === 'died') {
      this.#onDied(envelope.rank, envelope.reason)
      return
    }
    const handler = this.#handlers.get(envelope.session)
    if (handler?.(envelope, source)) return
    const early = this.#early.get(envelope.session) ?? []
    early.push([envelope, source])
    this.#early.set(envelope.session, early)
  }
}
