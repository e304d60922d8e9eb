// Messages between ranks, on the main thread, without ever blocking it. Sends are non-blocking
// (MPI_Isend of a serialized copy); arrivals come from the binding's progress thread, or, where
// MPI does not allow one, from polling on the event loop (receiver.ts). Envelopes are routed to
// the session they belong to; those for a session this rank has not opened yet wait for it.

import { deserialize, serialize } from 'node:v8'
import type { MpiBinding } from './addon.ts'
import { type Envelope, type SessionEnvelope, TAG } from './messages.ts'
import { PollingReceiver } from './polling-receiver.ts'
import { ProgressThreadReceiver } from './progress-receiver.ts'
import type { Receiver } from './receiver.ts'

/**
 * Handles an envelope of a session; returns false to leave it for whoever opens the session
 * next (a handshake that is over, a worker loop that has been released).
 */
type SessionHandler = (envelope: SessionEnvelope, source: number) => boolean

/** How arrivals are found: the native progress thread (default) or event-loop polling. */
export type ProgressMode = 'thread' | 'poll'

export class Transport {
  readonly #mpi: MpiBinding
  readonly #handlers = new Map<number, SessionHandler>()
  /** Envelopes for sessions this rank has not opened yet (a peer ran ahead). */
  readonly #early = new Map<number, [SessionEnvelope, number][]>()
  readonly #receiver: Receiver
  readonly mode: ProgressMode
  #onDied: (rank: number, reason: string) => void = () => {}
  #keepAlive = 0

  /** `wakeEventLoop`: peers on this node may wake the event loop directly (progress-receiver.ts). */
  constructor(mpi: MpiBinding, wanted: ProgressMode = 'thread', wakeEventLoop = true) {
    this.#mpi = mpi
    const arrive = (source: number, bytes: Uint8Array) =>
      this.#deliver(deserialize(bytes) as Envelope, source)
    const thread = wanted === 'thread' ? ProgressThreadReceiver.start(mpi, arrive, wakeEventLoop) : undefined
    this.#receiver = thread ?? new PollingReceiver(mpi, arrive, () => this.#handlers.size > 0)
    this.mode = thread === undefined ? 'poll' : 'thread'
  }

  /** Sends an envelope; throws (synchronously) when it cannot be serialized. */
  send(rank: number, envelope: Envelope): void {
    const bytes = serialize(envelope)
    this.#mpi.isend(rank, TAG, bytes)
    this.#receiver.wake()
  }

  /** Handles every envelope of `session`, including any that arrived before. */
  open(session: number, handler: SessionHandler): void {
    this.#handlers.set(session, handler)
    const early = this.#early.get(session)
    this.#early.delete(session)
    this.#receiver.wake()
    if (early !== undefined) for (const [envelope, source] of early) this.#deliver(envelope, source)
  }

  close(session: number): void {
    this.#handlers.delete(session)
  }

  onDied(handler: (rank: number, reason: string) => void): void {
    this.#onDied = handler
  }

  /** While held, waiting for arrivals keeps the process alive (a worker rank waiting for work). */
  hold(): () => void {
    if (this.#keepAlive++ === 0) this.#receiver.hold(true)
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.#keepAlive === 0) this.#receiver.hold(false)
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
