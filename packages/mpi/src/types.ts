// The types the MPI pool's files share, each named once, here: with them in the files that
// implement them, the coordinator, the single-rank pool, the session and the entry points
// imported one another's types in a circle.

import type { Pool } from '@parafit/parallel'

/** The options of every MPI entry point: runMpi, mpiPool (which takes more) and mpiCombined. */
export interface MpiOptions {
  /** Default per-evaluation timeout (ms); a rank that overruns it is lost for the job. */
  readonly timeoutMs?: number
  /** Default number of re-runs of a task lost with its rank. */
  readonly retries?: number
  /**
   * How long close() waits for a rank to finish what it holds and confirm (ms; default
   * timeoutMs when given, else 60,000). A rank that does not, stuck in a long or endless
   * evaluation, is declared lost: close() returns, and the job ends with a non-zero status.
   */
  readonly closeTimeoutMs?: number
}

/** A worker rank that timed out or died: it takes no more work, and the job cannot finalize. */
export interface LostRank {
  readonly rank: number
  readonly reason: string
}

export interface MpiPool extends Pool {
  /** This process's rank; only rank 0's pool evaluates. */
  readonly rank: number
  /** Worker ranks lost so far (timed out or died), with why; empty in a healthy job. */
  readonly lostRanks: readonly LostRank[]
}
