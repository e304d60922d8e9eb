// Differential evolution (Storn & Price) as an ask/tell Optimizer, in synchronous generations:
// the first ask() returns the initial population, every later one a whole generation of trial
// vectors (mutation + binomial crossover), and tell() keeps each trial that is at least as good
// as its target. The strategies are rand/1/bin, best/1/bin and current-to-best/1/bin.
//
// Bounds: mutant coordinates are mirrored into the box with `reflect`, like the other optimizers.
// A mutant overshoots a face by at most F times a population difference, so the mirror lands
// close to the face on the inside: a minimum on a face is approached from both sides of the
// mirrored landscape, and no trials pile up exactly on the face as clipping would make them.
//
// Failed evaluations (loss +Infinity) rank worst: a failed trial never replaces its target, a
// failed member is never a base vector, and its own trial is a whole mutant built on the best.

import { checkOptionKeys, closestName, optionKeys, Random, ValidationError } from '@parafit/core'
import { initialScales, reflect, reflectIntoBox } from '../bounds.ts'
import type { Optimizer, OptimizerState, Problem, Told } from './optimizer.ts'

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

interface Settings {
  readonly popSize: number
  /** null: dithered. */
  readonly mutation: number | null
  readonly crossover: number
  readonly strategy: DifferentialEvolutionStrategy
  readonly tolFun: number
  readonly tolX: number
}

interface Run {
  random: Random
  /** Completed tells, the initial population's included. */
  generation: number
  /** Empty until the initial population has been told. */
  population: Float64Array[]
  losses: Float64Array
  /** Generations since any trial last replaced its target. */
  sinceAccepted: number
  pending: Float64Array[] | undefined
  stopReason: string | undefined
}

const STATE_KIND = 'differential-evolution'
const STATE_VERSION = 1
/**
 * Generations in which no trial replaced its target, after which the run is declared stalled. Not
 * "the best did not improve": when x0 is already the minimum, the rest must still converge to it.
 */
const STALL_GENERATIONS = 50
const STRATEGIES: readonly DifferentialEvolutionStrategy[] = [
  'rand/1/bin',
  'best/1/bin',
  'current-to-best/1/bin',
]

export function createDifferentialEvolution(
  problem: Problem,
  options: DifferentialEvolutionOptions,
  seed: number,
): Optimizer {
  const n = problem.x0.length
  if (n === 0) throw new ValidationError('differential evolution needs at least one parameter')
  const settings = differentialEvolutionSettings(options, n)
  const run: Run = {
    random: Random.fromSeed(seed),
    generation: 0,
    population: [],
    losses: new Float64Array(0),
    sinceAccepted: 0,
    pending: undefined,
    stopReason: undefined,
  }
  return new DifferentialEvolution(problem, settings, run)
}

export function restoreDifferentialEvolution(problem: Problem, state: OptimizerState): Optimizer {
  if (state['kind'] !== STATE_KIND || state['version'] !== STATE_VERSION) {
    throw new Error('not a saved differential evolution state (kind or version mismatch)')
  }
  const n = problem.x0.length
  if (readNumber(state, 'n') !== n) {
    throw new Error('saved differential evolution state is for a different number of parameters')
  }
  const saved = state['options'] as Record<string, unknown>
  const strategy = saved['strategy']
  if (!STRATEGIES.includes(strategy as DifferentialEvolutionStrategy)) {
    throw new Error('saved differential evolution state: unknown strategy')
  }
  const settings: Settings = {
    popSize: readNumber(saved, 'popSize'),
    mutation: saved['mutation'] === null ? null : readNumber(saved, 'mutation'),
    crossover: readNumber(saved, 'crossover'),
    strategy: strategy as DifferentialEvolutionStrategy,
    tolFun: readNumber(saved, 'tolFun'),
    tolX: readNumber(saved, 'tolX'),
  }
  const pending = state['pending']
  const stopReason = state['stopReason']
  const run: Run = {
    random: Random.fromState(readArray(state, 'random') as number[]),
    generation: readNumber(state, 'generation'),
    population: readVectors(state, 'population', n),
    // Infinity does not survive JSON, so a failed member's loss is saved as null.
    losses: Float64Array.from(readArray(state, 'losses'), (v) => (v === null ? Infinity : v)),
    sinceAccepted: readNumber(state, 'sinceAccepted'),
    pending: pending == null ? undefined : readVectors(state, 'pending', n),
    stopReason: typeof stopReason === 'string' ? stopReason : undefined,
  }
  return new DifferentialEvolution(problem, settings, run)
}

/** The settings with their defaults for n parameters; throws a ValidationError (key path relative to `options`) on bad input. */
export function differentialEvolutionSettings(options: DifferentialEvolutionOptions, n: number): Settings {
  checkOptionKeys(options, DE_OPTION_KEYS, 'differential evolution options')
  const settings: Settings = {
    popSize: options.popSize ?? Math.max(20, 10 * n),
    mutation: options.mutation ?? null,
    crossover: options.crossover ?? 0.9,
    strategy: options.strategy ?? 'current-to-best/1/bin',
    tolFun: options.tolFun ?? 1e-12,
    tolX: options.tolX ?? 1e-11,
  }
  const invalid = (key: keyof Settings, rule: string) =>
    new ValidationError(`${key} must be ${rule}, got ${String(settings[key])}`, key)
  if (!Number.isInteger(settings.popSize) || settings.popSize < 4) throw invalid('popSize', 'an integer >= 4')
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

class DifferentialEvolution implements Optimizer {
  readonly method = 'de' as const
  readonly #problem: Problem
  readonly #scales: Float64Array
  readonly #maxScale: number
  readonly #settings: Settings
  readonly #run: Run

  constructor(problem: Problem, settings: Settings, run: Run) {
    this.#problem = problem
    this.#scales = initialScales(problem.x0, problem.lower, problem.upper)
    this.#maxScale = Math.max(...this.#scales)
    this.#settings = settings
    this.#run = run
  }

  get stopReason(): string | undefined {
    return this.#run.stopReason
  }

  ask(): Float64Array[] {
    const run = this.#run
    if (run.stopReason !== undefined)
      throw new Error(`differential evolution has stopped (${run.stopReason})`)
    // Asking again before telling repeats the same generation (also what a restored mid-generation state does).
    if (run.pending === undefined) {
      run.pending = run.population.length === 0 ? this.#initialPopulation() : this.#trials()
    }
    return run.pending.map((p) => p.slice())
  }

  /** x0 itself, then points uniform in the box where a parameter has two finite bounds, else x0 + scale * normal. */
  #initialPopulation(): Float64Array[] {
    const { x0, lower, upper } = this.#problem
    const n = x0.length
    const random = this.#run.random
    const population = [reflectIntoBox(x0, lower, upper)]
    for (let k = 1; k < this.#settings.popSize; k++) {
      const x = new Float64Array(n)
      for (let j = 0; j < n; j++) {
        const lo = lower[j]!
        const hi = upper[j]!
        x[j] =
          Number.isFinite(lo) && Number.isFinite(hi)
            ? lo + (hi - lo) * random.uniform()
            : reflect(x0[j]! + this.#scales[j]! * random.normal(), lo, hi)
      }
      population.push(x)
    }
    return population
  }

  #trials(): Float64Array[] {
    const run = this.#run
    const { lower, upper } = this.#problem
    const { popSize, crossover } = this.#settings
    const n = this.#problem.x0.length
    const random = run.random
    const best = this.#bestIndex()
    // Without a finite member there is no best to steer to: fall back to rand/1 for this generation.
    const strategy = best === undefined ? 'rand/1/bin' : this.#settings.strategy
    // Failed members may still supply difference vectors (they only carry spread), but never the base.
    const finite: number[] = []
    for (let i = 0; i < popSize; i++) if (run.losses[i]! < Infinity) finite.push(i)

    const mutant = new Float64Array(n)
    const trials: Float64Array[] = []
    for (let i = 0; i < popSize; i++) {
      const target = run.population[i]!
      // A failed target is no parent: its trial is a whole mutant (no crossover), built on the best
      // rather than on itself. Otherwise a failed member far off could never be replaced once the
      // others have converged, since its trials would inherit its position.
      const replaceWhole = best !== undefined && run.losses[i] === Infinity
      const rule = replaceWhole && strategy === 'current-to-best/1/bin' ? 'best/1/bin' : strategy
      const F = this.#settings.mutation ?? 0.5 + 0.5 * random.uniform()
      let base = -1
      if (rule === 'rand/1/bin') {
        const pool = finite.length > 1 || (finite.length === 1 && finite[0] !== i) ? finite : undefined
        do {
          base = pool === undefined ? random.int(popSize) : pool[random.int(pool.length)]!
        } while (base === i)
      }
      let r1: number
      do r1 = random.int(popSize)
      while (r1 === i || r1 === base)
      let r2: number
      do r2 = random.int(popSize)
      while (r2 === i || r2 === base || r2 === r1)
      const a = run.population[r1]!
      const b = run.population[r2]!
      if (rule === 'rand/1/bin') {
        const x = run.population[base]!
        for (let j = 0; j < n; j++) mutant[j] = x[j]! + F * (a[j]! - b[j]!)
      } else if (rule === 'best/1/bin') {
        const x = run.population[best!]!
        for (let j = 0; j < n; j++) mutant[j] = x[j]! + F * (a[j]! - b[j]!)
      } else {
        const x = run.population[best!]!
        for (let j = 0; j < n; j++) mutant[j] = target[j]! + F * (x[j]! - target[j]!) + F * (a[j]! - b[j]!)
      }
      // Binomial crossover; one random coordinate always comes from the mutant so the trial differs.
      const forced = random.int(n)
      const trial = new Float64Array(n)
      for (let j = 0; j < n; j++) {
        const fromMutant = replaceWhole || j === forced || random.uniform() < crossover
        trial[j] = fromMutant ? reflect(mutant[j]!, lower[j]!, upper[j]!) : target[j]!
      }
      trials.push(trial)
    }
    return trials
  }

  /** The member with the lowest finite loss (lowest index on ties), undefined when all have failed. */
  #bestIndex(): number | undefined {
    const losses = this.#run.losses
    let best: number | undefined
    for (let i = 0; i < losses.length; i++)
      if (losses[i]! < (best === undefined ? Infinity : losses[best]!)) best = i
    return best
  }

  tell(results: readonly Told[]): void {
    const run = this.#run
    const pending = run.pending
    if (pending === undefined) throw new Error('tell() without a preceding ask()')
    if (results.length !== pending.length) {
      throw new Error(`tell() expected ${pending.length} results, got ${results.length}`)
    }
    let accepted = false
    if (run.population.length === 0) {
      run.population = pending
      run.losses = new Float64Array(pending.length)
      for (let i = 0; i < pending.length; i++) run.losses[i] = sanitize(results[i]!.loss)
      accepted = true
    } else {
      for (let i = 0; i < pending.length; i++) {
        const loss = sanitize(results[i]!.loss)
        // Ties are accepted so the population keeps drifting across plateaus; a failed trial never replaces.
        if (loss < run.losses[i]! || (loss === run.losses[i]! && loss < Infinity)) {
          run.population[i] = pending[i]!
          run.losses[i] = loss
          accepted = true
        }
      }
    }
    run.pending = undefined
    run.generation++
    run.sinceAccepted = accepted ? 0 : run.sinceAccepted + 1
    run.stopReason = this.#checkStop()
  }

  #checkStop(): string | undefined {
    const run = this.#run
    const { popSize, tolFun, tolX } = this.#settings
    const n = this.#problem.x0.length
    let sum = 0
    for (const loss of run.losses) sum += loss
    if (Number.isFinite(sum)) {
      const mean = sum / popSize
      let squares = 0
      for (const loss of run.losses) squares += (loss - mean) ** 2
      if (Math.sqrt(squares / popSize) <= tolFun * (1e-12 + Math.abs(mean)))
        return 'converged: loss spread below tolFun'
    }
    let spread = 0
    for (let j = 0; j < n; j++) {
      let lo = Infinity
      let hi = -Infinity
      for (const x of run.population) {
        lo = Math.min(lo, x[j]!)
        hi = Math.max(hi, x[j]!)
      }
      spread = Math.max(spread, (hi - lo) / this.#scales[j]!)
    }
    if (spread * this.#maxScale < tolX) return 'converged: population spread below tolX'
    if (run.sinceAccepted >= STALL_GENERATIONS)
      return `stalled: no trial accepted in ${STALL_GENERATIONS} generations`
    return undefined
  }

  saveState(): OptimizerState {
    const run = this.#run
    const best = this.#bestIndex()
    // Plain arrays and finite numbers only, so that the state survives JSON as well as structuredClone.
    return {
      kind: STATE_KIND,
      version: STATE_VERSION,
      n: this.#problem.x0.length,
      options: { ...this.#settings },
      random: run.random.state(),
      generation: run.generation,
      population: run.population.map((x) => Array.from(x)),
      losses: Array.from(run.losses, (v) => (Number.isFinite(v) ? v : null)),
      sinceAccepted: run.sinceAccepted,
      // For the caller's information only; restore finds the best from the population again.
      bestX: best === undefined ? null : Array.from(run.population[best]!),
      bestLoss: best === undefined ? null : run.losses[best]!,
      pending: run.pending === undefined ? null : run.pending.map((x) => Array.from(x)),
      stopReason: run.stopReason ?? null,
    }
  }
}

/** Anything not finite is a failed evaluation, ranked after every finite loss. */
function sanitize(loss: number): number {
  return Number.isFinite(loss) ? loss : Infinity
}

function readNumber(record: Record<string, unknown>, key: string): number {
  const value = record[key]
  if (typeof value !== 'number') throw new Error(`saved differential evolution state: ${key} is not a number`)
  return value
}

function readArray(record: Record<string, unknown>, key: string): (number | null)[] {
  const value = record[key]
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
    throw new Error(`saved differential evolution state: ${key} is not an array`)
  }
  return Array.from(value as ArrayLike<number | null>)
}

function readVectors(record: Record<string, unknown>, key: string, n: number): Float64Array[] {
  const value = record[key]
  if (!Array.isArray(value)) throw new Error(`saved differential evolution state: ${key} is not an array`)
  return value.map((x) => {
    const out = Float64Array.from(x as ArrayLike<number>)
    if (out.length !== n)
      throw new Error(`saved differential evolution state: ${key} has a vector of wrong length`)
    return out
  })
}
