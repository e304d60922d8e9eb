// The one place that maps a method name to its optimizer: creation, restoring from a
// checkpoint, and the default evaluation budget.

import { checkOptionKeys, oneOf, optionKeys, underKeyPath } from '@parafit/core'
import { Cmaes } from './optimizers/cmaes/cmaes.ts'
import {
  CMAES_OPTION_KEYS,
  type CmaesOptions,
  checkCmaesProblemSize,
  cmaesSettings,
} from './optimizers/cmaes/options.ts'
import { DifferentialEvolution } from './optimizers/differential-evolution/differential-evolution.ts'
import {
  DE_OPTION_KEYS,
  type DifferentialEvolutionOptions,
  differentialEvolutionSettings,
} from './optimizers/differential-evolution/options.ts'
import {
  LevenbergMarquardt,
  type LevenbergMarquardtOptions,
  LM_OPTION_KEYS,
  levenbergMarquardtSettings,
} from './optimizers/levenberg-marquardt.ts'
import {
  NELDER_MEAD_OPTION_KEYS,
  NelderMead,
  type NelderMeadOptions,
  nelderMeadSettings,
} from './optimizers/nelder-mead.ts'
import type { Method, Optimizer, OptimizerState, Problem } from './optimizers/optimizer.ts'

export const METHODS: readonly Method[] = ['lm', 'nelder-mead', 'cmaes', 'de']

/** Settings for each method; only the chosen method's entry is read. */
export interface MethodOptions {
  readonly lm?: LevenbergMarquardtOptions
  readonly 'nelder-mead'?: NelderMeadOptions
  readonly cmaes?: CmaesOptions
  readonly de?: DifferentialEvolutionOptions
}

const METHOD_OPTION_KEYS = optionKeys<MethodOptions>()(['lm', 'nelder-mead', 'cmaes', 'de'])

/** Each method's option keys, and a check of its options' values for n parameters. */
const METHOD_OPTIONS: {
  readonly [M in Method]: { keys: readonly string[]; check(options: never, n: number): void }
} = {
  lm: { keys: LM_OPTION_KEYS, check: levenbergMarquardtSettings },
  'nelder-mead': { keys: NELDER_MEAD_OPTION_KEYS, check: nelderMeadSettings },
  cmaes: { keys: CMAES_OPTION_KEYS, check: cmaesSettings },
  de: { keys: DE_OPTION_KEYS, check: differentialEvolutionSettings },
}

/**
 * Checks every entry of `methodOptions`, keys and values, not only the chosen method's: before
 * anything is evaluated, and whichever method 'auto' then picks. Errors name the key path,
 * e.g. 'methodOptions.cmaes.popSize'.
 */
export function checkMethodOptions(options: unknown, n: number): void {
  if (options === undefined) return
  checkOptionKeys(options, METHOD_OPTION_KEYS, 'methodOptions', 'methodOptions')
  for (const method of METHODS) {
    const entry = (options as Record<string, unknown>)[method]
    if (entry === undefined) continue
    const at = `methodOptions.${method}`
    const { keys, check } = METHOD_OPTIONS[method]
    checkOptionKeys(entry, keys, at, at)
    underKeyPath(at, () => check(entry as never, n))
  }
}

/** The method fit() was asked for: one of METHODS, or 'auto'. */
export function checkMethod(method: unknown): Method | 'auto' {
  return oneOf(method, 'method', [...METHODS, 'auto'])
}

/** Each method's optimizer class: all four share one shape (see Optimizer). */
const OPTIMIZERS = {
  lm: LevenbergMarquardt,
  'nelder-mead': NelderMead,
  cmaes: Cmaes,
  de: DifferentialEvolution,
} as const

export function createOptimizer(
  method: Method,
  problem: Problem,
  options: MethodOptions,
  seed: number,
): Optimizer {
  return new OPTIMIZERS[method](problem, (options[method] ?? {}) as never, seed)
}

export function restoreOptimizer(method: Method, problem: Problem, state: OptimizerState): Optimizer {
  return OPTIMIZERS[method].restore(problem, state)
}

/**
 * The size of a method's first batch for n parameters, worked out from its settings alone:
 * so that a budget too small for it, or a problem too large for the method, is refused before
 * anything is allocated.
 */
export function firstBatchSize(method: Method, options: MethodOptions, n: number): number {
  switch (method) {
    case 'lm':
      return 1
    case 'nelder-mead':
      return n + 1
    case 'cmaes':
      checkCmaesProblemSize(n)
      return cmaesSettings(options.cmaes ?? {}, n).popSize
    case 'de':
      return differentialEvolutionSettings(options.de ?? {}, n).popSize
  }
}

/** Evaluations allowed when the caller sets no budget: generous, so the method's own tests stop it. */
export function defaultBudget(method: Method, n: number): number {
  switch (method) {
    case 'lm':
      return 400 * (n + 1) // MINPACK's default is 200(n+1); the central-difference polish needs more
    case 'nelder-mead':
      return 2000 * n
    case 'cmaes':
    case 'de':
      return 10_000 * n
  }
}
