// This rank's MPI runtime: initialized once per process on first use, finalized once at exit.
//
// MPI_Finalize is collective, so it is only called when no peer still needs this rank: every
// session has ended. A rank leaving in the middle of one cannot finalize. A worker rank says why
// to rank 0 (a blocking send from its exit handler) and exits without finalizing, and the
// launcher ends the job with a non-zero status. Rank 0 aborts the job (MPI_Abort), which never
// hangs. Rank 0 leaving with a pool still open but idle releases the workers first, so that
// forgetting pool.close() costs nothing.

import { writeSync } from 'node:fs'
import { deserialize, serialize } from 'node:v8'
import { AbortError, detectMpi, MpiUnavailableError, oneOf } from '@parafit/core'
import { loadBinding, type MpiBinding, type MpiInfo } from './addon.ts'
import { type Envelope, TAG } from './messages.ts'
import { type ProgressMode, Transport } from './transport.ts'

/**
 * How long a rank waits for the others to start MPI, and rank 0 for every rank to reach a
 * session (PARAFIT_MPI_STARTUP_TIMEOUT_MS).
 */
export function startupTimeoutMs(): number {
  const configured = Number(process.env.PARAFIT_MPI_STARTUP_TIMEOUT_MS)
  return Number.isFinite(configured) && configured > 0 ? configured : 120_000
}

/** What the exit handler must know about a session that is still open. */
export interface OpenSession {
  /** What this rank does in it, for messages: "serving tasks for rank 0". */
  readonly doing: string
  /** Rank 0: the worker ranks to release at exit, or undefined while work is in flight. */
  readonly releasable?: () => readonly number[] | undefined
  /** Why the job can never finalize (a rank was lost), if so. */
  readonly lost?: () => string | undefined
}

export class MpiRuntime {
  readonly mpi: MpiBinding
  readonly info: MpiInfo
  readonly transport: Transport
  readonly #sessions = new Map<number, OpenSession>()
  readonly #diedListeners = new Set<(rank: number, reason: string) => void>()
  #nextSession = 1
  #lastError: Error | undefined
  /** Why MPI_Finalize could never return (a rank never came), if so. */
  #unfinishable: string | undefined
  /** Aborted when the launcher ends the job (SIGTERM) while rank 0 coordinates. */
  readonly #ending = new AbortController()
  #coordinating = 0

  constructor(mpi: MpiBinding) {
    this.mpi = mpi
    const launch = detectMpi()
    const waitMs = startupTimeoutMs()
    const doorbells = doorbellsWanted()
    this.info = mpi.init(
      doorbells !== 'off',
      waitMs,
      `[parafit rank ${launch.rank}] MPI did not start within ${waitMs / 1000} s: some rank of this job of ` +
        `${launch.size} never started MPI (it runs another program, or failed before it). Every rank must run ` +
        'the same script (PARAFIT_MPI_STARTUP_TIMEOUT_MS sets the wait); ending this rank so that the launcher ends the job',
    )
    if (launch.size > 1 && this.info.size !== launch.size) {
      // Each rank would otherwise run alone, as rank 0 of a job of one, and do all the work.
      mpi.finalize()
      throw new MpiUnavailableError(
        `this process was started by ${launch.launcher} as rank ${launch.rank} of ${launch.size}, but MPI ` +
          `started it as a job of ${this.info.size} (${this.info.library.split('\n')[0]}): the binding was built ` +
          'against another MPI than the launcher belongs to. Use the mpirun/mpiexec of the MPI the binding was ' +
          'built with, or rebuild it for yours: MPICC=<its mpicc> npm run build:addon -w @parafit/mpi',
      )
    }
    this.transport = new Transport(mpi, progressMode(), doorbells === 'on')
    this.transport.onDied((rank, reason) => {
      for (const listener of this.#diedListeners) listener(rank, reason)
    })
    process.on('exit', (code) => this.#onExit(code))
    process.on('uncaughtExceptionMonitor', (error) => {
      this.#lastError = error
    })
  }

  get rank(): number {
    return this.info.rank
  }

  get size(): number {
    return this.info.size
  }

  /** Numbers sessions in call order; every rank makes the same calls, so numbers agree. */
  beginSession(session: OpenSession): number {
    const id = this.#nextSession++
    this.#sessions.set(id, session)
    return id
  }

  endSession(id: number): void {
    this.#sessions.delete(id)
    this.transport.close(id)
  }

  /**
   * Some rank will never finalize with this one (it never reached a session, or is gone): at
   * exit, abort the job instead of waiting in MPI_Finalize for it.
   */
  markUnfinishable(reason: string): void {
    this.#unfinishable ??= reason
  }

  /** Aborted when the launcher ends the job while rank 0 coordinates: every batch stops then. */
  get ending(): AbortSignal {
    return this.#ending.signal
  }

  /**
   * Rank 0 coordinates a pool until the returned function is called. Meanwhile SIGTERM (Open
   * MPI's mpirun ending the job after a rank failed, or Slurm's time limit) does not kill this
   * process at once: it stops the batches in flight, so that the caller keeps what was computed
   * (a Fitter's FitError carries the best result so far, a sampler's SampleError the chain).
   */
  coordinating(): () => void {
    if (this.#coordinating++ === 0) process.on('SIGTERM', this.#onTerminate)
    let done = false
    return () => {
      if (done) return
      done = true
      if (--this.#coordinating === 0) process.off('SIGTERM', this.#onTerminate)
    }
  }

  readonly #onTerminate = () => {
    if (this.#ending.signal.aborted) process.exit(143) // a second SIGTERM: leave now
    this.say(
      'SIGTERM: the launcher is ending the job; the batches in flight stop so that what was computed ' +
        'is kept, and this rank exits within 10 s',
    )
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 143
    this.#ending.abort(
      new AbortError(
        'the MPI launcher is ending the job (SIGTERM: a rank failed, or the time limit came), so the ' +
          'evaluations in flight were stopped; what was computed before is kept (a Fitter throws FitError ' +
          'with the best result so far in error.result, a sampler SampleError with the chain so far)',
      ),
    )
    // Let the caller write its results, but do not outlive the launcher's patience.
    setTimeout(() => process.exit(143), 10_000).unref()
  }

  onDied(listener: (rank: number, reason: string) => void): () => void {
    this.#diedListeners.add(listener)
    return () => this.#diedListeners.delete(listener)
  }

  /** Writes a line to stderr synchronously (safe in exit handlers), prefixed with the rank. */
  say(message: string): void {
    writeSync(2, `[parafit rank ${this.rank}] ${message}\n`)
  }

  #onExit(code: number): void {
    if (this.mpi.state().finalized) return
    if (this.#unfinishable !== undefined) {
      this.#abort(code === 0 ? 1 : code, `${this.#unfinishable}; aborting the MPI job`)
      return
    }
    const open = [...this.#sessions.entries()]
    if (open.length === 0) {
      this.mpi.finalize()
      return
    }
    if (this.rank !== 0) {
      this.#reportDeath(code, open[0]![1].doing)
      return
    }
    const lost = open.map(([, s]) => s.lost?.()).find((reason) => reason !== undefined)
    if (lost !== undefined) {
      this.#abort(code === 0 ? 1 : code, `${lost}; aborting the MPI job`)
    } else if (code !== 0) {
      this.#abort(code, `rank 0 exited with code ${code} while ${open[0]![1].doing}; aborting the MPI job`)
    } else if (!this.#releaseIdleWorkers(open)) {
      this.#abort(1, `rank 0 exited while ${open[0]![1].doing} with work in flight; await pool.close() first`)
    } else {
      this.mpi.finalize()
    }
  }

  /** A worker rank leaving mid-session: tell rank 0 why (it cannot finalize). */
  #reportDeath(code: number, doing: string): void {
    const why =
      this.#lastError === undefined
        ? `exit code ${code}`
        : `${this.#lastError.name}: ${this.#lastError.message}`
    const reason = `rank ${this.rank} on ${this.info.host} (pid ${process.pid}) exited while ${doing} (${why})`
    this.say(`${reason}; the MPI job cannot finish cleanly and will be stopped`)
    try {
      this.mpi.sendSync(0, TAG, serialize({ t: 'died', rank: this.rank, reason } satisfies Envelope))
    } catch {
      // Rank 0 may be gone already; the launcher reports the exit either way.
    }
  }

  /** Rank 0 at exit: releases the workers of pools left open, if they hold no work. */
  #releaseIdleWorkers(open: readonly [number, OpenSession][]): boolean {
    for (const [session, state] of open) {
      const ranks = state.releasable?.()
      if (ranks === undefined) return false
      for (const rank of ranks) {
        this.mpi.sendSync(rank, TAG, serialize({ t: 'release', session } satisfies Envelope))
      }
      for (const rank of ranks) {
        // Blocking is safe here: the workers' progress does not depend on this event loop.
        for (;;) {
          const envelope = deserialize(this.mpi.recvSync(rank, TAG)) as Envelope
          if (envelope.t === 'died') return false
          if (envelope.t === 'released' && envelope.session === session) break
        }
      }
    }
    return true
  }

  #abort(code: number, message: string): void {
    // MPI_Abort may end this process before Node has shown the error that brought us here.
    if (this.#lastError !== undefined) this.say(`${this.#lastError.stack ?? this.#lastError}`)
    this.say(message)
    this.mpi.abort(code)
  }
}

/**
 * PARAFIT_MPI_DOORBELLS: `on` (default) rings a peer's event loop, or its progress thread when the
 * event loop is busy; `thread` rings only the progress thread; `off` leaves the shared-memory
 * doorbells out (as if every rank were on another node). For diagnosis and benchmarks.
 */
function doorbellsWanted(): 'on' | 'thread' | 'off' {
  const asked = process.env.PARAFIT_MPI_DOORBELLS
  if (asked === undefined || asked === '') return 'on'
  return oneOf(asked, 'PARAFIT_MPI_DOORBELLS', ['on', 'thread', 'off'])
}

/** PARAFIT_MPI_PROGRESS=poll turns the native progress thread off (for diagnosis). */
function progressMode(): ProgressMode {
  const asked = process.env.PARAFIT_MPI_PROGRESS
  if (asked === undefined || asked === '') return 'thread'
  return oneOf(asked, 'PARAFIT_MPI_PROGRESS', ['thread', 'poll'])
}

let runtime: MpiRuntime | undefined

/** This rank's runtime, initializing MPI on first use. */
export function mpiRuntime(): MpiRuntime {
  runtime ??= new MpiRuntime(loadBinding())
  return runtime
}
