// What ranks say to each other. Every message is one structured-clone (v8.serialize) envelope
// on parafit's own duplicated communicator. `session` numbers the runMpi / mpiPool /
// mpiCombined calls, which every rank makes in the same order, so that two of them in one job
// never mix messages.

import type { SerializedError } from '@parafit/core'
import type { FromWorker, ToWorker } from '@parafit/parallel/internal'

export type SessionKind = 'runMpi' | 'mpiPool' | 'mpiCombined'

/** What a rank loaded, compared across ranks at the start of a session. */
export interface Fingerprint {
  readonly kind: SessionKind
  /** sha256 over everything that must be the same on every rank. */
  readonly hash: string
  /** Human-readable summary, quoted when fingerprints differ. */
  readonly summary: string
}

export type Envelope =
  // Start-up check: workers send theirs to rank 0, which answers every rank with the verdict.
  | {
      readonly t: 'hello'
      readonly session: number
      readonly fingerprint: Fingerprint
      readonly host: string
    }
  | { readonly t: 'verdict'; readonly session: number; readonly error: SerializedError | undefined }
  // The pool protocol of @parafit/parallel, between rank 0 and one worker rank.
  | {
      readonly t: 'pool'
      readonly session: number
      readonly message: ToWorker
      /** With a define: sha256 of the module file as rank 0 sees it. */
      readonly moduleHash?: string
    }
  | { readonly t: 'pool'; readonly session: number; readonly message: FromWorker }
  // Rank 0 releases a worker rank, which finishes what it holds and confirms.
  | { readonly t: 'release'; readonly session: number }
  | { readonly t: 'released'; readonly session: number }
  // runMpi: the value main returned (or its error), for every rank.
  | { readonly t: 'finish'; readonly session: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'finish'; readonly session: number; readonly ok: false; readonly error: SerializedError }
  // A worker rank's last words from its exit handler.
  | { readonly t: 'died'; readonly rank: number; readonly reason: string }

export type SessionEnvelope = Exclude<Envelope, { t: 'died' }>

/** The only tag parafit uses on its communicator. */
export const TAG = 7
