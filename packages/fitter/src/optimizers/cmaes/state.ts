// What a CMA-ES run holds between generations, how it starts, and how it is saved and read back.

import { Random } from '@parafit/core'
import { initialScales, reflectIntoBox } from '../../bounds.ts'
import type { OptimizerState, OptimizerStop, Problem } from '../optimizer.ts'
import { SavedState, savedStop, stateHeader } from '../saved-state.ts'
import type { CmaesSettings } from './options.ts'

export const STATE_KIND = 'cmaes'
export const STATE_VERSION = 2

/** The search runs in y = (x - origin) / scales, so that badly scaled parameters start round. */
export interface Geometry {
  readonly n: number
  readonly origin: Float64Array
  readonly scales: Float64Array
  readonly maxScale: number
  readonly lower: Float64Array
  readonly upper: Float64Array
}

export function geometryOf(problem: Problem): Geometry {
  const scales = initialScales(problem.x0, problem.lower, problem.upper)
  return {
    n: problem.x0.length,
    origin: Float64Array.from(problem.x0),
    scales,
    maxScale: Math.max(...scales),
    lower: problem.lower,
    upper: problem.upper,
  }
}

/** A generation asked but not yet told: the normal deviates, their images B D z, and the points asked. */
export interface Pending {
  readonly z: Float64Array[]
  readonly y: Float64Array[]
  readonly points: Float64Array[]
}

/** Everything that changes during a run; saveState writes exactly this (plus the settings). */
export interface Run {
  random: Random
  restartsDone: number
  generation: number
  /** Generations since the last (re)start: drives the hsig correction and the eigen refresh. */
  runGeneration: number
  eigenGeneration: number
  mean: Float64Array
  sigma: number
  /** Row-major n x n covariance, its eigenvectors (columns of B) and the square roots of its eigenvalues. */
  C: Float64Array
  B: Float64Array
  D: Float64Array
  pc: Float64Array
  ps: Float64Array
  /** Best loss of each recent generation, Infinity when none was finite. */
  history: number[]
  /** Consecutive generations in which every evaluation failed. */
  failedRun: number
  bestX: Float64Array | undefined
  bestLoss: number
  pending: Pending | undefined
  stop: OptimizerStop | undefined
}

export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) out[i * n + i] = 1
  return out
}

/** A run's start: the unit distribution around x0 mirrored into the box (0 when x0 is inside). */
export function freshRun(geometry: Geometry, settings: CmaesSettings, seed: number): Run {
  const { n, origin, scales, lower, upper } = geometry
  const mean = new Float64Array(n)
  const start = reflectIntoBox(origin, lower, upper)
  for (let i = 0; i < n; i++) mean[i] = (start[i]! - origin[i]!) / scales[i]!
  return {
    random: Random.fromSeed(seed),
    restartsDone: 0,
    generation: 0,
    runGeneration: 0,
    eigenGeneration: 0,
    mean,
    sigma: settings.sigma0,
    C: identity(n),
    B: identity(n),
    D: new Float64Array(n).fill(1),
    pc: new Float64Array(n),
    ps: new Float64Array(n),
    history: [],
    failedRun: 0,
    bestX: undefined,
    bestLoss: Infinity,
    pending: undefined,
    stop: undefined,
  }
}

/** Plain arrays and finite numbers only, so that the state survives JSON as well as structuredClone. */
export function saveRun(run: Run, settings: CmaesSettings, n: number): OptimizerState {
  return {
    ...stateHeader(STATE_KIND, STATE_VERSION, n),
    options: { ...settings },
    random: run.random.state(),
    restartsDone: run.restartsDone,
    generation: run.generation,
    runGeneration: run.runGeneration,
    eigenGeneration: run.eigenGeneration,
    mean: Array.from(run.mean),
    sigma: run.sigma,
    C: Array.from(run.C),
    B: Array.from(run.B),
    D: Array.from(run.D),
    pc: Array.from(run.pc),
    ps: Array.from(run.ps),
    // Infinity does not survive JSON, so a generation without a finite loss is saved as null.
    history: run.history.map((v) => (Number.isFinite(v) ? v : null)),
    failedRun: run.failedRun,
    bestX: run.bestX === undefined ? null : Array.from(run.bestX),
    bestLoss: run.bestX === undefined ? null : run.bestLoss,
    pendingZ: run.pending === undefined ? null : run.pending.z.map((z) => Array.from(z)),
    stop: savedStop(run.stop),
  }
}

/** Reads a saved run back; `pendingZ` are the normal deviates of a generation asked but not told. */
export function readRun(
  state: unknown,
  n: number,
): { settings: CmaesSettings; run: Run; pendingZ?: Float64Array[] } {
  const saved = SavedState.open(state, { kind: STATE_KIND, version: STATE_VERSION, n, label: 'CMA-ES' })
  const options = saved.record('options')
  const settings: CmaesSettings = {
    sigma0: options.number('sigma0', { min: Number.MIN_VALUE }),
    popSize: options.number('popSize', { integer: true, min: 2 }),
    restarts: options.number('restarts', { integer: true, min: 0 }),
    tolFun: options.number('tolFun', { min: 0 }),
    tolX: options.number('tolX', { min: 0 }),
  }
  const bestX = saved.optionalVector('bestX', n)
  const pendingZ = saved.present('pendingZ') ? saved.vectors('pendingZ', n) : undefined
  const run: Run = {
    random: saved.random('random'),
    restartsDone: saved.number('restartsDone', { integer: true, min: 0 }),
    generation: saved.number('generation', { integer: true, min: 0 }),
    runGeneration: saved.number('runGeneration', { integer: true, min: 0 }),
    eigenGeneration: saved.number('eigenGeneration', { integer: true, min: 0 }),
    mean: saved.vector('mean', n),
    sigma: saved.number('sigma'),
    C: saved.vector('C', n * n),
    B: saved.vector('B', n * n),
    D: saved.vector('D', n),
    pc: saved.vector('pc', n),
    ps: saved.vector('ps', n),
    history: Array.from(saved.losses('history')),
    failedRun: saved.number('failedRun', { integer: true, min: 0 }),
    bestX,
    bestLoss: bestX === undefined ? Infinity : saved.loss('bestLoss'),
    pending: undefined,
    stop: saved.stop(),
  }
  // Each restart doubles the population: never more restarts than allowed, nor a population
  // beyond any real run (a damaged count would otherwise ask for 2^1000 points).
  if (run.restartsDone > settings.restarts || settings.popSize * 2 ** run.restartsDone > 2 ** 24)
    saved.invalid('restartsDone', `is ${run.restartsDone}, more restarts than the run allows`)
  // The run keeps C exactly symmetric and D positive; a state where they are not was damaged.
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++)
      if (run.C[i * n + j] !== run.C[j * n + i]) saved.invalid('C', 'is not symmetric')
  if (run.D.some((d) => !(d > 0))) saved.invalid('D', 'holds a value that is not positive')
  if (!(run.sigma > 0)) saved.invalid('sigma', `is ${run.sigma}, not positive`)
  return pendingZ === undefined ? { settings, run } : { settings, run, pendingZ }
}
