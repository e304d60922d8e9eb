// The building blocks other parafit packages assemble pools from (@parafit/mpi uses the
// scheduler and the worker loop). Not a stable API for applications.

export type { LeafObjective, Pool } from './pool.ts'
export type { FromWorker, ToWorker } from './protocol.ts'
export { refIdentity } from './ref-registry.ts'
export { WorkerPool } from './scheduler/worker-pool.ts'
export { failedResults } from './task-codec.ts'
export { leafObjectives } from './tree.ts'
export { type LocalObjectives, WorkerEvaluator } from './worker/evaluator.ts'
export { type Serving, serve } from './worker/serve.ts'
export type { KillReason, SpawnWorker, WorkerEvents, WorkerExit, WorkerHandle } from './worker-handle.ts'
