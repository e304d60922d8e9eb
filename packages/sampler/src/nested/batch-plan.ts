// A batch between being drawn and being merged: which shell it is for, the points to evaluate,
// the points taken from the transfer pool instead of new draws, and how many draws it cost. Plans
// are part of the state (and the checkpoint), so a run stopped with batches in flight evaluates
// exactly those batches when it resumes.

import type { Blob } from '../batch-results.ts'

export interface TransferredPoint {
  readonly point: Float64Array
  readonly logL: number
  readonly blob: Blob | undefined
}

export interface BatchPlan {
  /** The batch's number in the run: keys its random stream. */
  readonly index: number
  readonly shell: number
  /** How many bounds existed when it was drawn: later ones may claim some of its points. */
  readonly boundCount: number
  readonly points: Float64Array[]
  readonly transferred: TransferredPoint[]
  /** Uniform draws from the shell's bound it took, including those that fell in later bounds. */
  readonly nBound: number
  /** Drawn while exploring: its points count towards the next bound. */
  readonly exploring: boolean
  /**
   * Set when the batch was evaluated but a stopped run left it unmerged: merging it later, at its
   * place in the sequence, keeps a stopped and resumed run equal to an uninterrupted one.
   */
  result?: { readonly logL: Float64Array; readonly blobs: (Blob | undefined)[] }
}

export interface EvaluatedBatch {
  readonly plan: BatchPlan
  readonly logL: Float64Array
  readonly blobs: (Blob | undefined)[]
}
