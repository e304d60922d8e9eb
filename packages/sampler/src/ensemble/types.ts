// What an ensemble run reports: its progress, and its summary with how it stopped as data. Types
// only, so that the options, the progress bar and the sampler name them without importing one
// another.

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

/**
 * How a run ended: 'completed' (every step asked for ran) or 'aborted' (the signal stopped it;
 * the chain holds every step completed). A run that fails rejects with a SampleError instead.
 */
export type EnsembleStopKind = 'completed' | 'aborted'

/** `kind` is what a caller branches on; `reason` says it in words. */
export interface EnsembleStop {
  readonly kind: EnsembleStopKind
  readonly reason: string
}

export interface RunSummary {
  /** Steps completed by this run. */
  readonly steps: number
  readonly stop: EnsembleStop
  readonly seconds: number
}
