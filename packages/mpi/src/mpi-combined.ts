// mpiCombined(objective): a combined objective whose terms are evaluated on the ranks of an MPI
// job (ChemFit's MPIWrapperCOB). Every rank builds the same tree and calls mpiCombined; then
//
//   if (mpi.rank === 0) value = await mpi.evaluate(params, ctx)   // terms spread over ranks
//   else await mpi.workerLoop()                                    // serve until rank 0 closes
//
// Leaves may be objective modules or in-process objectives: every rank has its own copy of the
// tree, checked at start-up to be the same (structure, weights, files, function sources), so
// rank 0 only names a leaf by its place in the tree. Contexts and metadata come back exactly as
// from threads.

import {
  type CombinedObjective,
  type EvaluateContext,
  type Hook,
  isCombined,
  isObjectiveRef,
  type Objective,
  type ObjectiveRef,
  type ParamTree,
  ValidationError,
} from '@parafit/core'
import { parallelCombined } from '@parafit/parallel'
import { leafObjectives } from '@parafit/parallel/internal'
import { treeFingerprint } from './fingerprint.ts'
import { checkMpiOptions } from './options.ts'
import { serveRank } from './serve-rank.ts'
import { openSession } from './session.ts'
import type { MpiOptions } from './types.ts'

export interface MpiCombined<P extends ParamTree = ParamTree> extends Objective<P>, AsyncDisposable {
  readonly rank: number
  /** Ranks in the job. */
  readonly size: number
  /** Ranks other than 0: serve rank 0's evaluations until it closes; resolves then. */
  workerLoop(): Promise<void>
  /** Rank 0: releases the other ranks (their workerLoop() resolves). */
  close(): Promise<void>
}

const LOCAL = 'parafit-mpi-local:'

export async function mpiCombined<P extends ParamTree = ParamTree>(
  objective: CombinedObjective<P>,
  options: MpiOptions = {},
): Promise<MpiCombined<P>> {
  if (!isCombined(objective))
    throw new ValidationError('mpiCombined() needs a combined objective made with combine([...])')
  checkMpiOptions(options, 'mpiCombined() options')
  // In-process leaves, numbered in tree order (the same on every rank: the handshake checks).
  const refs = new Map<Objective, ObjectiveRef>()
  const byModule = new Map<string, Objective>()
  leafObjectives(objective as unknown as CombinedObjective).forEach((leaf, i) => {
    if (isObjectiveRef(leaf)) return
    const ref: ObjectiveRef = {
      kind: 'parafit.ref',
      module: `${LOCAL}${i}`,
      export: 'default',
      init: undefined,
    }
    refs.set(leaf as Objective, ref)
    byModule.set(ref.module, leaf as Objective)
  })
  const session = await openSession(treeFingerprint(objective as unknown as CombinedObjective), options, refs)
  const { rank, size } = session.runtime
  const pool = session.pool
  if (pool === undefined) {
    let serving: Promise<void> | undefined
    const onRankZero = () =>
      Promise.reject(new ValidationError(`evaluate() runs on rank 0; rank ${rank} calls workerLoop()`))
    const workerSide: MpiCombined<P> = {
      rank,
      size,
      hooks: objective.hooks,
      evaluate: onRankZero,
      withHooks: () => workerSide,
      workerLoop() {
        serving ??= serveRank(session.runtime, session.id, byModule).then(() => session.end())
        return serving
      },
      close: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    }
    return workerSide
  }
  const build = (tree: CombinedObjective<P>): MpiCombined<P> => {
    const inner = parallelCombined(tree, pool)
    return {
      rank,
      size,
      hooks: inner.hooks,
      evaluate: (params: P, ctx?: EvaluateContext) => inner.evaluate(params, ctx),
      withHooks: (hooks: Hook | readonly Hook[]) => build(tree.withHooks(hooks)),
      workerLoop: () =>
        Promise.reject(
          new ValidationError('workerLoop() is for ranks other than 0; rank 0 calls evaluate()'),
        ),
      close: () => pool.close(),
      [Symbol.asyncDispose]: () => pool.close(),
    }
  }
  return build(objective)
}
