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

import { ValidationError } from '@parafit/core'
import { initialScales, reflect, reflectIntoBox } from '../../bounds.ts'
import type { Optimizer, OptimizerState, OptimizerStop, Problem, Told } from '../optimizer.ts'
import {
  type DifferentialEvolutionOptions,
  type DifferentialEvolutionSettings,
  differentialEvolutionSettings,
} from './options.ts'
import { freshRun, type Run, readRun, saveRun } from './state.ts'

/**
 * Generations in which no trial replaced its target, after which the run is declared stalled. Not
 * "the best did not improve": when x0 is already the minimum, the rest must still converge to it.
 */
const STALL_GENERATIONS = 50

export class DifferentialEvolution implements Optimizer {
  readonly method = 'de' as const
  readonly #problem: Problem
  readonly #scales: Float64Array
  readonly #maxScale: number
  #settings: DifferentialEvolutionSettings
  #run: Run

  /** A run from `problem.x0`; `seed` fixes every random draw, so the same seed gives the same run. */
  constructor(problem: Problem, options: DifferentialEvolutionOptions = {}, seed = 1) {
    const n = problem.x0.length
    if (n === 0) throw new ValidationError('differential evolution needs at least one parameter')
    this.#problem = problem
    this.#settings = differentialEvolutionSettings(options, n)
    this.#scales = initialScales(problem.x0, problem.lower, problem.upper)
    this.#maxScale = Math.max(...this.#scales)
    this.#run = freshRun(seed)
  }

  /** Continues the run that saved `state` (from saveState()) on the same problem. */
  static restore(problem: Problem, state: OptimizerState): DifferentialEvolution {
    const { settings, run } = readRun(state, problem.x0.length)
    const optimizer = new DifferentialEvolution(problem, { popSize: settings.popSize })
    optimizer.#settings = settings
    optimizer.#run = run
    return optimizer
  }

  get stop(): OptimizerStop | undefined {
    return this.#run.stop
  }

  ask(): Float64Array[] {
    const run = this.#run
    if (run.stop !== undefined)
      throw new ValidationError(`ask() after differential evolution stopped (${run.stop.reason})`)
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
        // The rules that steer to the best are chosen only when there is one.
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
    if (pending === undefined) throw new ValidationError('tell() without a preceding ask()')
    if (results.length !== pending.length) {
      throw new ValidationError(
        `tell() expected ${pending.length} results (one per point asked), got ${results.length}`,
      )
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
    run.stop = this.#checkStop()
  }

  #checkStop(): OptimizerStop | undefined {
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
        return { kind: 'converged', reason: 'converged: loss spread below tolFun' }
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
    if (spread * this.#maxScale < tolX)
      return { kind: 'converged', reason: 'converged: population spread below tolX' }
    if (run.sinceAccepted >= STALL_GENERATIONS)
      return { kind: 'stalled', reason: `stalled: no trial accepted in ${STALL_GENERATIONS} generations` }
    return undefined
  }

  saveState(): OptimizerState {
    return saveRun(this.#run, this.#settings, this.#problem.x0.length, this.#bestIndex())
  }
}

/** Anything not finite is a failed evaluation, ranked after every finite loss. */
function sanitize(loss: number): number {
  return Number.isFinite(loss) ? loss : Infinity
}
