// The steps of a run on the pool. Each proposal goes out as soon as the walkers it depends on
// are decided (StepSchedule), one task per call when evaluations are slow enough for that to
// pay; otherwise, and for vectorised calls, all the proposals ready at once go as one batch.
// Steps are committed in order. On a stop or a failure the uncommitted ones are dropped (the
// sampler then takes the random stream back to the first of them), so nothing half-done is kept.

import type { ChainFileError } from '../errors.ts'
import type { Evaluated } from './evaluate.ts'
import type { Step, StepSchedule, Task } from './step-schedule.ts'

/** What the loop needs from its sampler. */
export interface StepLoop {
  readonly schedule: StepSchedule
  readonly signal: AbortSignal | undefined
  /** Whether each proposal goes to the pool alone (asked again as evaluations are measured). */
  pipelined(): boolean
  /** ln p at each point, through the pool. */
  evaluate(points: Float64Array[]): Promise<Evaluated>
  /** A batch of `count` evaluations took `seconds`. */
  measured(seconds: number, count: number): void
  /** Keeps a step decided for every walker; returns a failed write of the chain file. */
  commit(step: Step): ChainFileError | undefined
  /** After each committed step. */
  onStep(): void
}

/** Runs the schedule's steps; rejects with the failure of the earliest failed step. */
export async function runSteps(loop: StepLoop): Promise<void> {
  const { schedule, signal } = loop
  const inFlight = new Set<Promise<void>>()
  // The earliest step with a failed proposal: the steps before it are still finished (nothing
  // computed is lost), none after it is started. A pool-level failure (abort) stops everything.
  let failure: { error: unknown; step: number } | undefined
  const fail = (error: unknown, step: number) => {
    if (failure === undefined || step < failure.step) failure = { error, step }
  }
  const launch = (tasks: Task[]) => {
    const started = performance.now()
    const evaluation = loop.evaluate(tasks.map((t) => t.point)).then(
      (result) => {
        if (tasks.length > 1) loop.measured((performance.now() - started) / 1000, tasks.length)
        tasks.forEach((task, i) => {
          const error = result.errors[i]
          if (error !== undefined) {
            schedule.release(task)
            fail(error, task.step)
          } else {
            schedule.decide(task, result.logProb[i]!, result.blobs[i], result.bad[i] === 1)
          }
        })
        for (const step of schedule.commit()) {
          const saveError = loop.commit(step)
          if (saveError !== undefined) fail(saveError, schedule.committed)
          loop.onStep()
        }
      },
      (error: unknown) => {
        for (const task of tasks) schedule.release(task)
        fail(error, -1)
      },
    )
    const tracked: Promise<void> = evaluation.finally(() => inFlight.delete(tracked))
    inFlight.add(tracked)
  }
  for (;;) {
    if (signal?.aborted !== true) {
      const tasks = schedule.ready(failure?.step)
      if (tasks.length > 0) {
        if (loop.pipelined()) for (const task of tasks) launch([task])
        else launch(tasks)
      }
    }
    if (inFlight.size === 0) break
    await Promise.race(inFlight)
  }
  if (failure !== undefined) throw failure.error
}
