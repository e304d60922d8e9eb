// What a differential evolution run holds between generations, and how it is saved and read back.

import { Random } from '@parafit/core'
import type { OptimizerState, OptimizerStop } from '../optimizer.ts'
import { SavedState, savedStop, stateHeader } from '../saved-state.ts'
import { DE_MAX_POPULATION_NUMBERS, type DifferentialEvolutionSettings, STRATEGIES } from './options.ts'

export const STATE_KIND = 'differential-evolution'
export const STATE_VERSION = 2

export interface Run {
  random: Random
  /** Completed tells, the initial population's included. */
  generation: number
  /** Empty until the initial population has been told. */
  population: Float64Array[]
  losses: Float64Array
  /** Generations since any trial last replaced its target. */
  sinceAccepted: number
  pending: Float64Array[] | undefined
  stop: OptimizerStop | undefined
}

export function freshRun(seed: number): Run {
  return {
    random: Random.fromSeed(seed),
    generation: 0,
    population: [],
    losses: new Float64Array(0),
    sinceAccepted: 0,
    pending: undefined,
    stop: undefined,
  }
}

/** Plain arrays and finite numbers only, so that the state survives JSON as well as structuredClone. */
export function saveRun(
  run: Run,
  settings: DifferentialEvolutionSettings,
  n: number,
  best: number | undefined,
): OptimizerState {
  return {
    ...stateHeader(STATE_KIND, STATE_VERSION, n),
    options: { ...settings },
    random: run.random.state(),
    generation: run.generation,
    population: run.population.map((x) => Array.from(x)),
    // Infinity does not survive JSON, so a failed member's loss is saved as null.
    losses: Array.from(run.losses, (v) => (Number.isFinite(v) ? v : null)),
    sinceAccepted: run.sinceAccepted,
    // For the caller's information only; restore finds the best from the population again.
    bestX: best === undefined ? null : Array.from(run.population[best]!),
    bestLoss: best === undefined ? null : run.losses[best]!,
    pending: run.pending === undefined ? null : run.pending.map((x) => Array.from(x)),
    stop: savedStop(run.stop),
  }
}

export function readRun(state: unknown, n: number): { settings: DifferentialEvolutionSettings; run: Run } {
  const saved = SavedState.open(state, {
    kind: STATE_KIND,
    version: STATE_VERSION,
    n,
    label: 'differential evolution',
  })
  const options = saved.record('options')
  const settings: DifferentialEvolutionSettings = {
    popSize: options.number('popSize', { integer: true, min: 4 }),
    mutation: options.present('mutation') ? options.number('mutation', { min: Number.MIN_VALUE }) : null,
    crossover: options.number('crossover', { min: 0 }),
    strategy: options.choice('strategy', STRATEGIES),
    tolFun: options.number('tolFun', { min: 0 }),
    tolX: options.number('tolX', { min: 0 }),
  }
  if (settings.popSize * n > DE_MAX_POPULATION_NUMBERS)
    options.invalid(
      'popSize',
      `is ${settings.popSize}: a population larger than differential evolution allows`,
    )
  const population = saved.vectors('population', n)
  if (population.length !== 0 && population.length !== settings.popSize)
    saved.invalid('population', `has ${population.length} members, expected popSize ${settings.popSize}`)
  const run: Run = {
    random: saved.random('random'),
    generation: saved.number('generation', { integer: true, min: 0 }),
    population,
    losses: saved.losses('losses', population.length),
    sinceAccepted: saved.number('sinceAccepted', { integer: true, min: 0 }),
    pending: saved.present('pending') ? saved.vectors('pending', n, settings.popSize) : undefined,
    stop: saved.stop(),
  }
  return { settings, run }
}
