// Differential evolution's options, their defaults and checks.

import {
  checkOptionKeys,
  finiteNumber,
  numberIn,
  oneOf,
  optionKeys,
  ValidationError,
  wholeNumber,
} from '@parafit/core'

export type DifferentialEvolutionStrategy = 'rand/1/bin' | 'best/1/bin' | 'current-to-best/1/bin'

export interface DifferentialEvolutionOptions {
  /**
   * Population size NP; default max(20, 10 n), the classic 10 n (smaller populations converge
   * prematurely on multimodal problems). At least 4 (rand/1 draws 3 members besides the target).
   */
  popSize?: number
  /**
   * Mutation factor F. Default: dithered, a fresh F uniform in [0.5, 1) for every trial vector
   * (seeded). The varied step lengths keep the population from contracting onto a point while it
   * is still going downhill, which a fixed (or per-generation) F does now and then, mostly with
   * few parameters where crossover adds little diversity.
   */
  mutation?: number
  /** Crossover probability CR; default 0.9 (high, so the search copes with correlated parameters). */
  crossover?: number
  /**
   * Default 'current-to-best/1/bin': close to best/1 in speed on smooth problems, but each member
   * moves only part of the way to the best, so it converges prematurely much less often.
   */
  strategy?: DifferentialEvolutionStrategy
  /**
   * Stop ('converged') when every loss of the population is finite and their standard deviation
   * is <= tolFun * (1e-12 + |mean|), a relative test; default 1e-12.
   */
  tolFun?: number
  /**
   * Also stop ('converged') when the population has collapsed: max over parameters of
   * (max - min over the population) / scale, times max(scale), is below tolX (parameter units,
   * the same measure as CMA-ES's tolX); default 1e-11. This catches minima where the loss is 0.
   */
  tolX?: number
}

export const DE_OPTION_KEYS = optionKeys<DifferentialEvolutionOptions>()([
  'popSize',
  'mutation',
  'crossover',
  'strategy',
  'tolFun',
  'tolX',
])

export interface DifferentialEvolutionSettings {
  readonly popSize: number
  /** null: dithered. */
  readonly mutation: number | null
  readonly crossover: number
  readonly strategy: DifferentialEvolutionStrategy
  readonly tolFun: number
  readonly tolX: number
}

export const STRATEGIES: readonly DifferentialEvolutionStrategy[] = [
  'rand/1/bin',
  'best/1/bin',
  'current-to-best/1/bin',
]

/**
 * The most numbers a population may hold (popSize × n): 50 million, 400 MB. A larger one would
 * take the memory before the first evaluation; a smaller popSize, or another method, is the way.
 */
export const DE_MAX_POPULATION_NUMBERS = 50_000_000

/** The settings with their defaults for n parameters; throws a ValidationError (key path relative to `options`) on bad input. */
export function differentialEvolutionSettings(
  options: DifferentialEvolutionOptions,
  n: number,
): DifferentialEvolutionSettings {
  checkOptionKeys(options, DE_OPTION_KEYS, 'differential evolution options')
  const popSize = wholeNumber(options.popSize ?? Math.max(20, 10 * n), 'popSize', { min: 4 })
  if (popSize * n > DE_MAX_POPULATION_NUMBERS)
    throw new ValidationError(
      `a population of ${popSize} × ${n} parameters holds ${popSize * n} numbers, ` +
        `more than the ${DE_MAX_POPULATION_NUMBERS} differential evolution allows; ` +
        `set popSize to at most ${Math.floor(DE_MAX_POPULATION_NUMBERS / n)}, or use 'lm' or 'nelder-mead'`,
      'popSize',
    )
  const mutation = options.mutation ?? null
  return {
    popSize,
    mutation: mutation === null ? null : numberIn(mutation, 'mutation', { above: 0, max: 2 }),
    crossover: numberIn(options.crossover ?? 0.9, 'crossover', { min: 0, max: 1 }),
    strategy: oneOf(options.strategy ?? 'current-to-best/1/bin', 'strategy', STRATEGIES),
    tolFun: finiteNumber(options.tolFun ?? 1e-12, 'tolFun', { min: 0 }),
    tolX: finiteNumber(options.tolX ?? 1e-11, 'tolX', { min: 0 }),
  }
}
