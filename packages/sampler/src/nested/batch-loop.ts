// The batches of a run: planned, evaluated on the pool two at a time, merged in order. The
// schedule is fixed: batch j+2 is planned right after batch j is merged, unless the state expects
// a new bound once batch j+1 merges (then right after that). Batches planned earlier (restored,
// or left by a stopped run) go first, evaluated or not. A run that may not start another batch
// lets those in flight finish and keeps their results unmerged, to be merged in their turn when
// the run continues, so a stopped and resumed run equals an uninterrupted one.

import { NestedSamplerError } from '../errors.ts'
import type { BatchPlan, EvaluatedBatch } from './batch-plan.ts'
import { CheckpointSchedule } from './checkpoint-schedule.ts'
import type { NautilusBoundBuilder } from './nautilus-bound.ts'
import type { NestedState, Targets } from './nested-state.ts'
import { effectiveSize } from './shells.ts'
import { aborted, budgetUsed, converged, type NestedStop, timedOut } from './stop.ts'

/** Batches in flight at once: the pool evaluates one while the sampler merges the other. */
const PIPELINE_DEPTH = 2

/** When a run may not start another batch. */
export interface BatchLimits {
  readonly nLikeMax: number
  readonly timeoutMs: number
  /** performance.now() at which the run's time is up. */
  readonly deadline: number
  readonly discard: boolean
  readonly signal: AbortSignal | undefined
}

/** What the loop needs from its sampler. */
export interface BatchLoop {
  readonly state: NestedState
  readonly builder: NautilusBoundBuilder
  readonly targets: Targets
  readonly limits: BatchLimits
  /** checkpoint.every, or undefined for the default schedule (checkpoint-schedule.ts). */
  readonly checkpointEvery: number | undefined
  /** ln L (and blobs) at a batch's points, through the pool. */
  evaluate(plan: BatchPlan): Promise<EvaluatedBatch>
  /** After each merged batch. */
  report(): void
  /** Writes the checkpoint (nothing without a path); a failed write rejects. */
  checkpoint(): Promise<void>
}

/** Runs batches until the targets are met or a limit stops the run; resolves to how it ended. */
export async function runBatches(loop: BatchLoop): Promise<NestedStop> {
  const { state, targets, limits } = loop
  if (state.explored) state.discard = limits.discard
  const launch = (plan: BatchPlan): Promise<EvaluatedBatch> => {
    if (plan.result !== undefined)
      return Promise.resolve({ plan, logL: plan.result.logL, blobs: plan.result.blobs })
    const evaluation = loop.evaluate(plan)
    // Awaited in turn; a failure of the second while the first runs must not count as unhandled.
    evaluation.catch(() => {})
    return evaluation
  }
  const inFlight = state.pending.map(launch)
  let stop: NestedStop | undefined
  const schedule = new CheckpointSchedule(loop.checkpointEvery)
  const canStart = (): NestedStop | undefined => {
    if (limits.signal?.aborted) return aborted
    if (state.nLike + state.pendingCalls() >= limits.nLikeMax) return budgetUsed(limits.nLikeMax)
    if (performance.now() >= limits.deadline) return timedOut(limits.timeoutMs)
    return undefined
  }
  for (;;) {
    while (stop === undefined && inFlight.length < PIPELINE_DEPTH) {
      // A bound due once the batch in flight merges would make the next batch stale.
      if (inFlight.length > 0 && state.boundExpectedAfterPending()) break
      stop = canStart()
      if (stop !== undefined) break
      const plan = state.plan(targets, effectiveSize(state.stats()))
      if (plan === undefined) break
      inFlight.push(launch(plan))
    }
    if (stop !== undefined) return stopWith(inFlight, stop)
    // Nothing planned and nothing in flight: plan() found the targets met.
    if (inFlight.length === 0) return converged(targets, effectiveSize(state.stats()))
    let batch: EvaluatedBatch
    try {
      batch = await inFlight[0]!
    } catch (error) {
      // Let the other batch settle, so no evaluation outlives the run; both stay pending.
      if (limits.signal?.aborted) return stopWith(inFlight, aborted)
      await Promise.allSettled(inFlight)
      throw error
    }
    inFlight.shift()
    state.merge(batch)
    if (!state.explored) {
      if (state.nothingPossible()) {
        await Promise.allSettled(inFlight)
        throw new NestedSamplerError(
          `the log-likelihood was -Infinity at all ${state.nLike} points drawn from the prior, so there is ` +
            'nothing to sample: check that the prior covers the region where the likelihood is finite',
        )
      }
      if (state.liveFraction() <= targets.fLive) state.endExploration(limits.discard)
      else if (state.wantsBound()) await state.addBound(loop.builder)
    }
    loop.report()
    if (schedule.afterBatch()) {
      const start = performance.now()
      try {
        await loop.checkpoint()
      } catch (error) {
        // The batches in flight finish and are kept unmerged, as on a stop.
        await keep(inFlight)
        throw error
      }
      schedule.written(start)
    }
  }
}

/** Ends a run that may not start another batch (an abort cuts those in flight short). */
async function stopWith(inFlight: Promise<EvaluatedBatch>[], stop: NestedStop): Promise<NestedStop> {
  const failure = await keep(inFlight)
  if (failure !== undefined && stop.kind !== 'aborted') throw failure.reason
  return stop
}

/** Lets the batches in flight finish and keeps their results unmerged; resolves to the first failure. */
async function keep(inFlight: Promise<EvaluatedBatch>[]): Promise<PromiseRejectedResult | undefined> {
  const settled = await Promise.allSettled(inFlight)
  for (const s of settled) {
    if (s.status === 'fulfilled') s.value.plan.result = { logL: s.value.logL, blobs: s.value.blobs }
  }
  return settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
}
