// How arrivals reach the transport: a native progress thread where MPI allows two threads
// (progress-receiver.ts), else polling from the event loop (polling-receiver.ts).

export type ArrivalHandler = (source: number, bytes: Uint8Array) => void

export interface Receiver {
  /** Look for arrivals soon: a send went out or a session opened. */
  wake(): void
  /** Whether waiting for arrivals keeps the process alive (a worker rank serving, a batch out). */
  hold(hold: boolean): void
}
