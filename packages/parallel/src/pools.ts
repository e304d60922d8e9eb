// The pool constructors users call.

import {
  checkProcessPoolOptions,
  checkThreadPoolOptions,
  type ProcessPoolOptions,
  type ThreadPoolOptions,
} from './options.ts'
import type { Pool } from './pool.ts'
import { spawnProcess } from './process-handle.ts'
import { WorkerPool } from './scheduler/worker-pool.ts'
import { spawnThread } from './thread-handle.ts'

/**
 * Worker threads: true parallelism for CPU-bound JavaScript or WebAssembly in one process.
 * Typed arrays over SharedArrayBuffers in an objective's `init` are shared, not copied.
 *
 * @example
 * ```ts
 * import { objectiveModule } from '@parafit/core'
 * import { mapWithContext, threadPool } from '@parafit/parallel'
 *
 * const data = new Float64Array(new SharedArrayBuffer(8 * values.length)) // shared by every thread
 * data.set(values)
 * const model = objectiveModule(new URL('./model.objective.ts', import.meta.url), { init: { data } })
 * const pool = threadPool({ numWorkers: 4, timeoutMs: 60_000, retries: 1 })
 * try {
 *   const results = await mapWithContext(pool, model, paramsList)
 * } finally {
 *   await pool.close()
 * }
 * ```
 */
export function threadPool(options: ThreadPoolOptions): Pool {
  return new WorkerPool('threads', spawnThread, checkThreadPoolOptions(options))
}

/**
 * Child processes: for native addons that are not thread-safe and objectives that may crash the
 * whole process. Workers get the parent's environment.
 *
 * @example
 * ```ts
 * import { objectiveModule } from '@parafit/core'
 * import { mapWithContext, processPool } from '@parafit/parallel'
 *
 * // A worker that crashes is replaced; its task is run once more, then fails with WorkerCrashedError.
 * const pool = processPool({ numWorkers: 4, retries: 1, env: { OMP_NUM_THREADS: '1' } })
 * try {
 *   const model = objectiveModule(new URL('./native-model.objective.ts', import.meta.url))
 *   const results = await mapWithContext(pool, model, paramsList)
 * } finally {
 *   await pool.close()
 * }
 * ```
 */
export function processPool(options: ProcessPoolOptions): Pool {
  return new WorkerPool('processes', spawnProcess, checkProcessPoolOptions(options))
}
