// One benchmark figure: a scenario on one backend and worker count (bench/run.ts writes them,
// bench/peers.ts sets them beside Python's).

export interface Measurement {
  scenario: string
  backend: 'serial' | 'threads' | 'processes' | 'mpi'
  workers: number
  repetitions: number
  medianSeconds: number
  speedup: number
  microsecondsPerEvaluation: number
  efficiency?: number
  note?: string
  /** Scenario-specific figures (the nested sampler's calls, errors, CPU). */
  detail?: Record<string, number | string | boolean>
}
