// One worker, thread or process, as the pool sees it: send a message, hear messages, learn that
// it died and why, and stop it. The pool's scheduling never depends on which kind it is.

import type { FromWorker, ToWorker } from './protocol.ts'

export interface WorkerExit {
  /** Human-readable reason: "exit code 3", "signal SIGKILL", "out of memory: ...". */
  readonly reason: string
}

export interface WorkerHandle {
  readonly label: string
  send(message: ToWorker): void
  /**
   * Stops the worker now (terminate / SIGKILL); resolves when it is gone. `reason` lets a
   * backend that cannot kill (an MPI rank) choose what to do instead.
   */
  kill(reason?: KillReason): Promise<void>
}

export type KillReason = 'timeout' | 'abort' | 'close'

export interface WorkerEvents {
  message(message: FromWorker): void
  exit(exit: WorkerExit): void
}

/** The pool options as validated from the user's; an option given as undefined is the default. */
export interface SpawnOptions {
  /** worker_threads resource limits, e.g. { maxOldGenerationSizeMb: 256 } (threads only). */
  readonly resourceLimits?:
    | {
        maxOldGenerationSizeMb?: number | undefined
        maxYoungGenerationSizeMb?: number | undefined
        codeRangeSizeMb?: number | undefined
        stackSizeMb?: number | undefined
      }
    | undefined
  /** Extra Node flags for worker processes, e.g. ['--max-old-space-size=512'] (processes only). */
  readonly execArgv?: readonly string[] | undefined
  /** Environment for worker processes; defaults to the parent's (processes only). */
  readonly env?: NodeJS.ProcessEnv | undefined
}

/**
 * Starts the worker of slot `id`, first or as a replacement. Returns undefined when the slot
 * cannot have a worker again (an MPI rank that was lost): the pool retires it.
 */
export type SpawnWorker = (
  id: number,
  events: WorkerEvents,
  options: SpawnOptions,
) => WorkerHandle | undefined
