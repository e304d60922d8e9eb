// The one interface every backend implements: serial, threads, processes, MPI. A pool evaluates
// a batch of leaf tasks (objective, parameters, context input state) and returns one outcome
// per task, in task order. A failed evaluation is an outcome; evaluate() itself rejects only
// when the batch as a whole cannot go on (aborted, pool closed, objective module not loadable).

import type { ContextInputState, ContextResultState, Objective, ObjectiveRef, ParamTree } from '@parafit/core'

/** What a worker can run: a module reference; the serial pool also takes in-process objectives. */
export type LeafObjective = ObjectiveRef | Objective

export interface LeafTask {
  readonly objective: LeafObjective
  readonly params: ParamTree
  readonly input: ContextInputState
}

export type LeafOutcome =
  | { readonly ok: true; readonly value: number; readonly state: ContextResultState }
  | { readonly ok: false; readonly error: Error; readonly state: ContextResultState | undefined }

export interface EvaluateOptions {
  /** Aborting rejects the batch with AbortError and stops the workers running it. */
  readonly signal?: AbortSignal
  /**
   * An evaluation running longer fails with EvaluationTimeoutError; on a worker pool its worker
   * is stopped and replaced (an MPI rank is lost). The serial pool cannot stop its own thread: it leaves a pending
   * asynchronous evaluation behind at the limit, and fails a synchronous one that returns late.
   */
  readonly timeoutMs?: number
  /** How many times a task lost to a crashed or timed-out worker is run again (default 0). */
  readonly retries?: number
  /** Called after each completed task with (done, total). */
  readonly onProgress?: (done: number, total: number) => void
}

/** What bounds prepare(): loading a module that never finishes must not hang the call. */
export interface PrepareOptions {
  /**
   * Loading an objective module on a worker (its import and its factory) counts against
   * timeoutMs as an evaluation does: a worker that has not loaded it by then is stopped and
   * replaced (an MPI rank cannot be replaced: it is lost, see the MPI guide), and the call fails
   * with ObjectiveLoadError naming the module. The time counts from when the worker has finished
   * what it was running before. Default: the pool's
   * timeoutMs; without one, loading is not bounded, as evaluations are not.
   */
  readonly timeoutMs?: number | undefined
  /** Aborting rejects with AbortError and stops the workers still loading. */
  readonly signal?: AbortSignal | undefined
}

export type PoolKind = 'serial' | 'threads' | 'processes' | 'mpi'

export interface Pool extends AsyncDisposable {
  readonly kind: PoolKind
  /** Number of evaluations that can run at once. */
  readonly size: number
  readonly closed: boolean
  /** Loads objectives in every worker now; rejects with ObjectiveLoadError naming the module. */
  prepare(objectives: readonly LeafObjective[], options?: PrepareOptions): Promise<void>
  evaluate(tasks: readonly LeafTask[], options?: EvaluateOptions): Promise<LeafOutcome[]>
  /**
   * Evaluates one task on every worker, outcome i from worker i (worker pools and MPI pools),
   * so that a caller can check that the workers agree before a long run.
   */
  evaluateOnEachWorker?(task: LeafTask, options?: EvaluateOptions): Promise<LeafOutcome[]>
  /** Stops every worker; pending batches reject with PoolClosedError. Safe to call twice. */
  close(): Promise<void>
}
