// Differential evolution's options, their defaults and checks.

import { checkOptionKeys, closestName, optionKeys, ValidationError } from '@parafit/core'

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
  const settings: DifferentialEvolutionSettings = {
    popSize: options.popSize ?? Math.max(20, 10 * n),
    mutation: options.mutation ?? null,
    crossover: options.crossover ?? 0.9,
    strategy: options.strategy ?? 'current-to-best/1/bin',
    tolFun: options.tolFun ?? 1e-12,
    tolX: options.tolX ?? 1e-11,
  }
  const invalid = (key: keyof DifferentialEvolutionSettings, rule: string) =>
    new ValidationError(`${key} must be ${rule}, got ${String(settings[key])}`, key)
  if (!Number.isInteger(settings.popSize) || settings.popSize < 4) throw invalid('popSize', 'an integer >= 4')
  if (settings.popSize * n > DE_MAX_POPULATION_NUMBERS)
    throw new ValidationError(
      `a population of ${settings.popSize} × ${n} parameters holds ${settings.popSize * n} numbers, ` +
        `more than the ${DE_MAX_POPULATION_NUMBERS} differential evolution allows; ` +
        `set popSize to at most ${Math.floor(DE_MAX_POPULATION_NUMBERS / n)}, or use 'lm' or 'nelder-mead'`,
      'popSize',
    )
  if (settings.mutation !== null && !(settings.mutation > 0 && settings.mutation <= 2))
    throw invalid('mutation', 'in (0, 2]')
  if (!(settings.crossover >= 0 && settings.crossover <= 1)) throw invalid('crossover', 'in [0, 1]')
  if (!STRATEGIES.includes(settings.strategy)) {
    const suggestion = closestName(String(settings.strategy), STRATEGIES)
    throw new ValidationError(
      `unknown strategy ${JSON.stringify(settings.strategy)}` +
        `${suggestion === undefined ? '.' : `; did you mean '${suggestion}'?`} ` +
        `Strategies: ${STRATEGIES.map((s) => `'${s}'`).join(', ')}`,
      'strategy',
    )
  }
  if (!(settings.tolFun >= 0)) throw invalid('tolFun', 'a number >= 0')
  if (!(settings.tolX >= 0)) throw invalid('tolX', 'a number >= 0')
  return settings
}
