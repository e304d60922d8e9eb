// Rank 0's view of one worker rank, presented to the pool scheduler of @parafit/parallel as a
// worker handle. What differs from a thread or a process: a rank cannot be killed or replaced.
// - abort: the rank finishes the chunks it holds (their results are dropped), then serves on
//   under a fresh handle; objectives it has loaded stay loaded.
// - timeout, or the rank died: the rank is lost for good, and the scheduler retires its slot.
// Errors thrown on a rank come back with the rank and host appended to their stack.

import type { SerializedError } from '@parafit/core'
import {
  type FromWorker,
  failedResults,
  type KillReason,
  type ToWorker,
  type WorkerEvents,
  type WorkerHandle,
} from '@parafit/parallel/internal'
import { moduleHash } from './fingerprint.ts'
import type { Transport } from './transport.ts'

export class RankChannel {
  readonly rank: number
  readonly #session: number
  readonly #transport: Transport
  /** Why this rank is gone for good, once it is. */
  lost: string | undefined
  /** Whether the rank has released (confirmed it holds nothing more for this session). */
  released = false
  readonly host: string
  #ready = false
  readonly #defined = new Set<number>()
  /** Chunks sent and not reported done, across handles. */
  readonly #outstanding = new Set<number>()
  #events: WorkerEvents | undefined
  /** An aborted handle waiting for the rank to finish what it holds. */
  #draining: (() => void) | undefined

  constructor(rank: number, host: string, session: number, transport: Transport) {
    this.rank = rank
    this.host = host
    this.#session = session
    this.#transport = transport
  }

  get idle(): boolean {
    return this.#outstanding.size === 0
  }

  /** A handle for the scheduler, or undefined when the rank is lost. */
  attach(events: WorkerEvents): WorkerHandle | undefined {
    if (this.lost !== undefined) return undefined
    this.#events = events
    // A handle after an abort: the rank is up and serving already.
    if (this.#ready) queueMicrotask(() => this.#events === events && events.message({ type: 'ready' }))
    return {
      label: `MPI rank ${this.rank}`,
      send: (message) => this.#send(events, message),
      kill: (reason) => this.#kill(events, reason),
    }
  }

  #send(events: WorkerEvents, message: ToWorker): void {
    if (message.type === 'forget') {
      for (const refId of message.refIds) this.#defined.delete(refId)
      this.#transport.send(this.rank, { t: 'pool', session: this.#session, message })
      return
    }
    if (message.type === 'define') {
      if (this.#defined.has(message.refId)) {
        queueMicrotask(() => events.message({ type: 'defined', refId: message.refId }))
        return
      }
      this.#transport.send(this.rank, {
        t: 'pool',
        session: this.#session,
        message,
        moduleHash: moduleHash(message.ref.module),
      })
      return
    }
    this.#transport.send(this.rank, { t: 'pool', session: this.#session, message })
    this.#outstanding.add(message.chunkId)
  }

  #kill(events: WorkerEvents, reason: KillReason | undefined): Promise<void> {
    if (this.#events !== events) return Promise.resolve()
    this.#events = undefined
    if (reason === 'close') return Promise.resolve()
    if (reason === 'timeout') {
      const lost =
        `rank ${this.rank} (${this.host}) overran timeoutMs and is still running; an MPI rank cannot be ` +
        'stopped or replaced, so it takes no more work'
      this.lost = lost
      queueMicrotask(() => events.exit({ reason: lost }))
      return Promise.resolve()
    }
    // Abort: the scheduler gets a new handle once the rank has finished what it holds.
    return new Promise((resolve) => {
      this.#draining = () => {
        this.#draining = undefined
        events.exit({ reason: 'aborted' })
        resolve()
      }
      if (this.idle) queueMicrotask(() => this.#draining?.())
    })
  }

  /** A pool message from the rank. */
  receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.#ready = true
        break
      case 'defined':
        if (message.error === undefined) this.#defined.add(message.refId)
        break
      case 'done':
        this.#outstanding.delete(message.chunkId)
        for (const result of failedResults(message.results)) if (!result.ok) this.#stampRank(result.error)
        if (this.idle) this.#draining?.()
        break
    }
    this.#events?.message(message)
  }

  /** The rank is gone (its exit handler said why). */
  died(reason: string): void {
    this.lost = reason
    const events = this.#events
    this.#events = undefined
    this.#outstanding.clear()
    this.#draining?.()
    events?.exit({ reason })
  }

  /** Appends where the error happened to its stack; message and type stay as on any backend. */
  #stampRank(error: SerializedError): void {
    const where = `    at MPI rank ${this.rank} (${this.host})`
    ;(error as { stack: string | undefined }).stack =
      `${error.stack ?? `${error.name}: ${error.message}`}\n${where}`
  }
}
