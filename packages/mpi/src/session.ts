// The bookkeeping every public entry point (runMpi, mpiPool, mpiCombined) shares: open a session
// on this rank, check that every rank loaded the same thing, and on rank 0 build the pool that
// sends work to the others.

import type { Objective, ObjectiveRef } from '@parafit/core'
import { MpiCoordinator } from './coordinator.ts'
import { handshake } from './handshake.ts'
import type { Fingerprint } from './messages.ts'
import { type MpiRuntime, mpiRuntime } from './runtime.ts'
import { SingleRankPool } from './single-rank.ts'
import type { MpiOptions } from './types.ts'

export interface Session {
  readonly runtime: MpiRuntime
  readonly id: number
  /** Rank 0's pool (the coordinator, or an in-process pool when the job has one rank). */
  readonly pool: MpiCoordinator | SingleRankPool | undefined
  end(): void
}

export async function openSession(
  fingerprint: Fingerprint,
  options: MpiOptions,
  local: ReadonlyMap<Objective, ObjectiveRef> = new Map(),
): Promise<Session> {
  const runtime = mpiRuntime()
  let coordinator: MpiCoordinator | undefined
  const id = runtime.beginSession({
    doing:
      runtime.rank === 0
        ? `coordinating ${fingerprint.kind}`
        : `serving ${fingerprint.kind} tasks for rank 0`,
    releasable: () => (runtime.size === 1 ? [] : coordinator?.releasable()),
    lost: () => coordinator?.lost(),
  })
  const end = () => runtime.endSession(id)
  let hosts: string[]
  try {
    hosts = await handshake(runtime, id, fingerprint)
  } catch (error) {
    end()
    throw error
  }
  if (runtime.rank !== 0) return { runtime, id, pool: undefined, end }
  if (runtime.size === 1) return { runtime, id, pool: new SingleRankPool(end), end }
  coordinator = new MpiCoordinator(runtime, id, local, hosts, options)
  return { runtime, id, pool: coordinator, end }
}
