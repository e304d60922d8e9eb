// What an ensemble run reports: its progress and its summary. Types only, so that the options,
// the progress bar and the sampler name them without importing one another.

export interface SampleProgress {
  /** Steps done in this run, of `nSteps`. */
  readonly step: number
  readonly nSteps: number
  /** Steps kept over all runs. */
  readonly iteration: number
  /** Mean over walkers. */
  readonly acceptanceFraction: number
  readonly seconds: number
}

export interface RunSummary {
  /** Steps completed by this run. */
  readonly steps: number
  readonly aborted: boolean
  readonly seconds: number
}
