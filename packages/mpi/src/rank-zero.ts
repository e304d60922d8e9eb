// Helpers for work that only rank 0 should do: printing reports, writing result files, showing
// progress. They read the rank from the launcher's environment, so they work before (and
// without) MPI being initialized, and on a plain `node script.ts` run they act as rank 0.

import { detectMpi } from '@parafit/core'

/** This process's rank in the MPI job (0 when not started by a launcher). */
export function mpiRank(): number {
  return detectMpi().rank
}

export function isRankZero(): boolean {
  return mpiRank() === 0
}

/** Runs `fn` on rank 0 only (write a file, print a report); undefined on the other ranks. */
export async function onRankZero<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
  return isRankZero() ? await fn() : undefined
}

/** console.log on rank 0 only. */
export function logOnRankZero(...values: unknown[]): void {
  if (isRankZero()) console.log(...values)
}

/**
 * An onProgress callback that prints "label: done/total (pct%)" to stderr on rank 0, at most
 * every `everyMs` milliseconds and once at the end; silent on other ranks.
 */
export function rankZeroProgress(label: string, everyMs = 1000): (done: number, total: number) => void {
  if (!isRankZero()) return () => {}
  let last = 0
  return (done, total) => {
    const now = performance.now()
    if (done < total && now - last < everyMs) return
    last = now
    process.stderr.write(`${label}: ${done}/${total} (${Math.round((100 * done) / Math.max(total, 1))}%)\n`)
  }
}
