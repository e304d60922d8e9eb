// The one place that maps a method name to its optimizer: creation, restoring from a
// checkpoint, and the default evaluation budget.

import { ValidationError } from '@parafit/core'
import { type CmaesOptions, createCmaes, restoreCmaes } from './optimizers/cmaes.ts'
import {
  createDifferentialEvolution,
  type DifferentialEvolutionOptions,
  restoreDifferentialEvolution,
} from './optimizers/differential-evolution.ts'
import { LevenbergMarquardt, type LevenbergMarquardtOptions } from './optimizers/levenberg-marquardt.ts'
import { NelderMead, type NelderMeadOptions } from './optimizers/nelder-mead.ts'
import type { Method, Optimizer, OptimizerState, Problem } from './optimizers/optimizer.ts'

export const METHODS: readonly Method[] = ['lm', 'nelder-mead', 'cmaes', 'de']

/** Settings for each method; only the chosen method's entry is read. */
export interface MethodOptions {
  readonly lm?: LevenbergMarquardtOptions
  readonly 'nelder-mead'?: NelderMeadOptions
  readonly cmaes?: CmaesOptions
  readonly de?: DifferentialEvolutionOptions
}

export function assertMethod(method: unknown): asserts method is Method {
  if (!METHODS.includes(method as Method)) {
    throw new ValidationError(
      `unknown method ${JSON.stringify(method)}; use one of ${METHODS.map((m) => `'${m}'`).join(', ')} or 'auto'`,
      'method',
    )
  }
}

export function createOptimizer(
  method: Method,
  problem: Problem,
  options: MethodOptions,
  seed: number,
): Optimizer {
  switch (method) {
    case 'lm':
      return new LevenbergMarquardt(problem, options.lm)
    case 'nelder-mead':
      return new NelderMead(problem, options['nelder-mead'])
    case 'cmaes':
      return createCmaes(problem, options.cmaes ?? {}, seed)
    case 'de':
      return createDifferentialEvolution(problem, options.de ?? {}, seed)
  }
}

export function restoreOptimizer(method: Method, problem: Problem, state: OptimizerState): Optimizer {
  switch (method) {
    case 'lm':
      return LevenbergMarquardt.restore(problem, state)
    case 'nelder-mead':
      return NelderMead.restore(problem, state)
    case 'cmaes':
      return restoreCmaes(problem, state)
    case 'de':
      return restoreDifferentialEvolution(problem, state)
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
