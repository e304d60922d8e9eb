// The pool constructors users call.

import { decodeOptions, ProcessPoolOptions, ThreadPoolOptions } from './options.ts'
import type { Pool } from './pool.ts'
import { spawnProcess } from './process-handle.ts'
import { spawnThread } from './thread-handle.ts'
import { WorkerPool } from './worker-pool.ts'

/**
 * Worker threads: true parallelism for CPU-bound JavaScript or WebAssembly in one process.
 * Typed arrays over SharedArrayBuffers in an objective's `init` are shared, not copied.
 */
export function threadPool(options: ThreadPoolOptions): Pool {
  const valid = decodeOptions(ThreadPoolOptions, options, 'threadPool options')
  return new WorkerPool('threads', spawnThread, valid)
}

/**
 * Child processes: for native addons that are not thread-safe and objectives that may crash the
 * whole process. Workers get the parent's environment.
 */
export function processPool(options: ProcessPoolOptions): Pool {
  const valid = decodeOptions(ProcessPoolOptions, options, 'processPool options')
  return new WorkerPool('processes', spawnProcess, valid)
}
