// @parafit/parallel: pools (serial, threads, processes), mapWithContext and parallel combined
// objectives. The objective reaches a worker as a module reference (objectiveModule), defined
// once per worker; tasks carry only parameters and context input state.

export { type ObjectiveRef, objectiveModule } from '@parafit/core'
export { choosePool, type PoolSpec } from './choose-pool.ts'
export {
  type Evaluated,
  type MapOptions,
  mapWithContext,
  mapWithContextSettled,
  type Settled,
} from './map-with-context.ts'
export {
  checkPoolDefaults,
  MAX_WORKERS,
  type ProcessPoolOptions,
  type ResourceLimits,
  type SerialPoolOptions,
  type ThreadPoolOptions,
} from './options.ts'
export { parallelCombined } from './parallel-combined.ts'
export type {
  EvaluateOptions,
  LeafObjective,
  LeafOutcome,
  LeafTask,
  Pool,
  PoolKind,
  PrepareOptions,
} from './pool.ts'
export { assertPoolChoice, type PoolChoice, PoolLease } from './pool-lease.ts'
export { processPool, threadPool } from './pools.ts'
export { serialPool } from './serial-pool.ts'
export { checkWorkersAgree, type WorkersAgreeOptions } from './workers-agree.ts'
