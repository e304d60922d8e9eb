// Loads the native MPI binding once, on first use. Where it was not built (no MPI on the machine
// at install) or cannot load (libmpi missing at run time), every use fails with
// MpiUnavailableError saying what to install.

import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isMainThread } from 'node:worker_threads'
import { MpiUnavailableError } from '@parafit/core'

export interface MpiInfo {
  readonly rank: number
  readonly size: number
  /** MPI_THREAD_* level provided (0 single, 1 funneled, 2 serialized, 3 multiple). */
  readonly threadLevel: number
  /** MPI_Get_library_version, e.g. "Open MPI v4.1.4, ..." or "MPICH Version: 4.0.2 ...". */
  readonly library: string
  readonly host: string
}

/** The native functions (packages/mpi/native/parafit_mpi.cc). */
export interface MpiBinding {
  /**
   * Initializes MPI (collective); `doorbells: false` leaves out the node's shared doorbells. When
   * start-up takes longer than `startupTimeoutMs` (a rank never starts MPI), the process writes
   * `timeoutMessage` to stderr and exits with status 1.
   */
  init(doorbells?: boolean, startupTimeoutMs?: number, timeoutMessage?: string): MpiInfo
  /**
   * Starts the progress thread, which calls `onMessages` with each burst of arrivals; false
   * where MPI offers less than MPI_THREAD_SERIALIZED (then poll() instead). With `wakeEventLoop`
   * (the default), a peer on this node wakes the event loop itself, which then receives and
   * calls `onMessages` without the thread (native/loop_receiver.h).
   */
  startProgress(
    onMessages: (batch: [source: number, tag: number, bytes: Buffer][], error?: string) => void,
    wakeEventLoop?: boolean,
  ): boolean
  /** Whether the progress thread keeps the process alive. */
  holdEventLoop(hold: boolean): void
  progressStats(): ProgressStats
  /**
   * Tunes the thread: after traffic it polls without sleeping for `spinUs`, then sleeps within
   * [minUs, maxUs] (quiet time / quietDivisor where some peer has no doorbell).
   */
  setBackoff(minUs: number, maxUs: number, quietDivisor: number, spinUs: number): void
  /** Starts a non-blocking send of a copy of `bytes`; returns the number of sends in flight. */
  isend(rank: number, tag: number, bytes: Uint8Array): number
  /** Without the progress thread: progresses sends and receives up to `max` arrivals; never blocks. */
  poll(max: number): [source: number, tag: number, bytes: Buffer][]
  pendingSends(): number
  sendSync(rank: number, tag: number, bytes: Uint8Array): void
  recvSync(rank: number, tag: number): Buffer
  finalize(): void
  abort(code: number): never
  state(): {
    initialized: boolean
    finalized: boolean
    active: boolean
    progressThread: boolean
    /** Every rank of the job is on this node and rings this rank's doorbell. */
    doorbellsEverywhere: boolean
  }
}

/** The progress thread's counters (native/progress_thread.cc). */
export interface ProgressStats {
  readonly running: boolean
  /** How long the thread polls without sleeping after traffic (0 unless the node has spare cores). */
  readonly spinUs: number
  /** CPU time the thread has used (CLOCK_THREAD_CPUTIME_ID). */
  readonly threadCpuMs: number
  readonly polls: number
  readonly sleeps: number
  /** Wake-ups by the doorbell: a peer's message on this node, or a send from this rank. */
  readonly rung: number
  readonly messagesIn: number
  /** Deliveries to JavaScript (one per burst of arrivals). */
  readonly batches: number
  readonly maxBatch: number
  /** From a burst's first arrival to its delivery in JavaScript: bucket i counts those under 2^i µs. */
  readonly deliveryLatencyBuckets: readonly number[]
  readonly deliveryLatencyMaxUs: number
  readonly deliveryLatencyMeanUs: number
  /** Whether peers on this node wake the event loop directly (an event-loop doorbell). */
  readonly eventLoopDoorbell: boolean
  /** Wake-ups of the event loop by its doorbell, and those that found nothing new. */
  readonly eventLoopWakes: number
  readonly eventLoopEmptyWakes: number
  /** Deliveries to JavaScript by the event loop itself, and the messages it received. */
  readonly eventLoopDeliveries: number
  readonly eventLoopMessagesIn: number
  /** Times the event loop left a message over 4 KiB (beyond the eager limit) to the thread. */
  readonly eventLoopLargeToThread: number
}

/** The built binding; PARAFIT_MPI_BINDING names another build (e.g. one against MPICH). */
function addonPath(): string {
  return (
    process.env.PARAFIT_MPI_BINDING || new URL('../build/Release/parafit_mpi.node', import.meta.url).pathname
  )
}
const INSTALL_HINT =
  'Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or MPICH ' +
  '(apt-get install mpich libmpich-dev), then build the binding: npm run build:addon -w @parafit/mpi'

let binding: MpiBinding | undefined

export function loadBinding(): MpiBinding {
  if (binding !== undefined) return binding
  if (!isMainThread) {
    throw new MpiUnavailableError(
      'MPI can only be used from the main thread of a rank; worker threads must not call MPI',
    )
  }
  const path = addonPath()
  if (!existsSync(path)) {
    throw new MpiUnavailableError(
      `the MPI binding of @parafit/mpi is not built (no ${path}). ${INSTALL_HINT}`,
    )
  }
  try {
    binding = createRequire(import.meta.url)(path) as MpiBinding
  } catch (error) {
    throw new MpiUnavailableError(
      `the MPI binding of @parafit/mpi failed to load (${(error as Error).message}); is the MPI ` +
        `library it was built against still installed? ${INSTALL_HINT}`,
    )
  }
  return binding
}

/** Whether the binding is built (it may still fail to load). */
export function mpiBindingBuilt(): boolean {
  return existsSync(addonPath())
}
