// @parafit/parallel/effect: the pool as an Effect service. A layer owns the pool for the life of
// its scope (closed on release, also on interruption or failure), and mapWithContext becomes an
// Effect whose interruption aborts the batch and stops the workers running it.

import type { CombinedObjective, Objective, ObjectiveRef, ParafitError, ParamTree } from '@parafit/core'
import { Context, Effect, Layer } from 'effect'
import { choosePool, type PoolSpec } from './choose-pool.ts'
import {
  type Evaluated,
  type MapOptions,
  mapWithContext as mapWithContextPromise,
  mapWithContextSettled as mapWithContextSettledPromise,
  type Settled,
} from './map-with-context.ts'
import type { ProcessPoolOptions, ThreadPoolOptions } from './options.ts'
import type { Pool } from './pool.ts'
import { processPool, threadPool } from './pools.ts'
import { serialPool } from './serial-pool.ts'

export class ParallelPool extends Context.Service<ParallelPool, Pool>()('@parafit/parallel/ParallelPool') {}

const scopedPool = (make: () => Pool | Promise<Pool>) =>
  Layer.effect(
    ParallelPool,
    Effect.acquireRelease(
      Effect.tryPromise({ try: async () => make(), catch: (error) => error as ParafitError }),
      (pool) => Effect.promise(() => pool.close()),
    ),
  )

export const layerSerial = scopedPool(serialPool)
export const layerThreads = (options: ThreadPoolOptions) => scopedPool(() => threadPool(options))
export const layerProcesses = (options: ProcessPoolOptions) => scopedPool(() => processPool(options))
/** The pool choosePool picks for `numWorkers` (1, n, 'auto'); a given pool is not closed by the layer. */
export const layerChoose = (spec: PoolSpec) =>
  typeof spec === 'object' ? Layer.succeed(ParallelPool, spec) : scopedPool(() => choosePool(spec))

type AnyObjective<P extends ParamTree> = Objective<P> | ObjectiveRef | CombinedObjective<P>

/** Runs a Promise-API call on the ParallelPool service; interruption fires its AbortSignal. */
const onPool = <A>(
  run: (pool: Pool, signal: AbortSignal) => Promise<A>,
): Effect.Effect<A, ParafitError, ParallelPool> =>
  Effect.gen(function* () {
    const pool = yield* ParallelPool
    return yield* Effect.tryPromise({
      try: (signal) => run(pool, signal),
      catch: (error) => error as ParafitError,
    })
  })

/** mapWithContext on the ParallelPool service; interruption aborts the batch. */
export const mapWithContext = <P extends ParamTree>(
  objective: AnyObjective<P>,
  paramsList: readonly P[],
  options: Omit<MapOptions, 'signal'> = {},
): Effect.Effect<Evaluated[], ParafitError, ParallelPool> =>
  onPool((pool, signal) => mapWithContextPromise(pool, objective, paramsList, { ...options, signal }))

/** mapWithContextSettled on the ParallelPool service; interruption aborts the batch. */
export const mapWithContextSettled = <P extends ParamTree>(
  objective: AnyObjective<P>,
  paramsList: readonly P[],
  options: Omit<MapOptions, 'signal'> = {},
): Effect.Effect<Settled[], ParafitError, ParallelPool> =>
  onPool((pool, signal) => mapWithContextSettledPromise(pool, objective, paramsList, { ...options, signal }))
