import { readFileSync } from 'node:fs'
import { objectiveModule } from '@parafit/core'
import { afterEach } from 'vitest'
import { type Pool, processPool, serialPool, threadPool } from '../src/index.ts'
import type { Fault } from './fixtures/faulty.objective.ts'

export const faulty = (fault: Fault, at = 3) =>
  objectiveModule(new URL('./fixtures/faulty.objective.ts', import.meta.url), { init: { fault, at } })

export const counting = (init: object = {}) =>
  objectiveModule(new URL('./fixtures/counting.objective.ts', import.meta.url), { init })

export const xs = (n: number) => Array.from({ length: n }, (_, i) => ({ x: i }))

export type Backend = 'serial' | 'threads' | 'processes'
export const workerBackends: Backend[] = ['threads', 'processes']
export const allBackends: Backend[] = ['serial', ...workerBackends]

export function makePool(
  backend: Backend,
  options: { numWorkers?: number; timeoutMs?: number; retries?: number } = {},
): Pool {
  const numWorkers = options.numWorkers ?? 2
  // Strict: these tests hold every backend to the worker transport's semantics.
  if (backend === 'serial') {
    return serialPool({ strict: true, timeoutMs: options.timeoutMs, retries: options.retries })
  }
  return backend === 'threads'
    ? threadPool({ ...options, numWorkers })
    : processPool({ ...options, numWorkers })
}

/** Whether a process with this pid is still running (a zombie awaiting its reaper is not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** Pools a test opens through `track` are closed after each test, whatever happened. */
export function trackPools(): (pool: Pool) => Pool {
  const open: Pool[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()))
  })
  return (pool) => {
    open.push(pool)
    return pool
  }
}
