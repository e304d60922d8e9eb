// runMpi(main): the whole MPI job in one call. Rank 0 runs main(pool) with the MPI pool while
// the other ranks serve it; then rank 0 releases them and sends every rank what main returned
// (or threw), so runMpi resolves to the same value, or rejects with the same error, everywhere.

import {
  ContextTransportError,
  deserializeError,
  findUncloneable,
  serializeError,
  ValidationError,
} from '@parafit/core'
import { functionFingerprint } from './fingerprint.ts'
import type { Envelope } from './messages.ts'
import { checkMpiOptions } from './options.ts'
import { serveRank } from './serve-rank.ts'
import { openSession, type Session } from './session.ts'
import type { MpiOptions, MpiPool } from './types.ts'

type Finish = Extract<Envelope, { t: 'finish' }>

/**
 * Runs an MPI job in one call: rank 0 runs `main(pool)` with the MPI pool while the other ranks
 * evaluate, then rank 0 releases them, and what `main` returned (or threw) arrives on every rank.
 * Every rank must call it, in the same order as its other MPI sessions. Without a launcher (or
 * with one rank) `main` gets a pool that evaluates in this process.
 *
 * @example
 * ```ts
 * // fit.ts, run as `mpirun -n 5 node fit.ts` (4 evaluating ranks)
 * import { objectiveModule } from '@parafit/core'
 * import { logOnRankZero, runMpi } from '@parafit/mpi'
 * import { mapWithContext } from '@parafit/parallel'
 *
 * const model = objectiveModule(new URL('./model.objective.ts', import.meta.url), { init: { data } })
 * const best = await runMpi(async (pool) => {
 *   const results = await mapWithContext(pool, model, paramsList) // spread over ranks 1..N-1
 *   return results.reduce((a, b) => (a.value < b.value ? a : b)).context.parameters
 * })
 * logOnRankZero('best parameters', best) // `best` is there on every rank
 * ```
 */
export async function runMpi<T>(
  main: (pool: MpiPool) => T | Promise<T>,
  options: MpiOptions = {},
): Promise<T> {
  if (typeof main !== 'function')
    throw new ValidationError('runMpi(main) needs a function main(pool)', 'main')
  checkMpiOptions(options, 'runMpi() options')
  const session = await openSession(functionFingerprint('runMpi', main), options)
  return session.pool === undefined ? serve<T>(session) : coordinate(session, session.pool, main)
}

async function coordinate<T>(
  session: Session,
  pool: MpiPool,
  main: (pool: MpiPool) => T | Promise<T>,
): Promise<T> {
  const { runtime, id } = session
  let outcome: { ok: true; value: T } | { ok: false; error: unknown }
  try {
    outcome = { ok: true, value: await main(pool) }
  } catch (error) {
    outcome = { ok: false, error }
  }
  await pool.close()
  if (runtime.size > 1) {
    const hold = runtime.transport.hold()
    try {
      let finish: Finish = outcome.ok
        ? { t: 'finish', session: id, ok: true, value: outcome.value }
        : { t: 'finish', session: id, ok: false, error: serializeError(outcome.error) }
      const unsendable = outcome.ok ? findUncloneable(outcome.value, 'value') : undefined
      if (unsendable !== undefined) {
        const error = new ContextTransportError(unsendable.keyPath, unsendable.reason)
        error.message = `runMpi: what main returned cannot be sent to the other ranks: ${error.message}`
        outcome = { ok: false, error }
        finish = { t: 'finish', session: id, ok: false, error: serializeError(error) }
      }
      const lost = new Set(pool.lostRanks.map((r) => r.rank))
      for (let rank = 1; rank < runtime.size; rank++)
        if (!lost.has(rank)) runtime.transport.send(rank, finish)
      await runtime.transport.flush()
    } finally {
      hold()
    }
  }
  if (!outcome.ok) throw outcome.error
  return outcome.value
}

async function serve<T>(session: Session): Promise<T> {
  const { runtime, id } = session
  await serveRank(runtime, id)
  const hold = runtime.transport.hold()
  const finish = await new Promise<Finish>((resolve) => {
    runtime.transport.open(id, (envelope) => {
      if (envelope.t !== 'finish') return false
      resolve(envelope)
      return true
    })
  }).finally(hold)
  session.end()
  if (!finish.ok) throw deserializeError(finish.error)
  return finish.value as T
}
