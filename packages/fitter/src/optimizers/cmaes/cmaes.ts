// CMA-ES as an ask/tell Optimizer: the (mu/mu_w, lambda) covariance matrix adaptation evolution
// strategy of Hansen's tutorial ("The CMA Evolution Strategy: A Tutorial"), with weighted
// recombination, cumulative step-size adaptation, rank-one and rank-mu covariance updates, a lazily
// refreshed eigendecomposition, and optional IPOP restarts (population doubled each time).
//
// The search runs in a normalised space y = (x - x0) / scale, scale = initialScales(...), so that
// badly scaled parameters start with a round distribution. Candidates are sampled there without
// bounds and mirrored into the box (reflectIntoBox) only for evaluation; the update uses the
// unmapped samples. CMA-ES thus minimises f(reflect(x)) over the whole space, a proper function
// whose minima sit where f's lie in the box (on a face when f's minimum is outside it), so the
// distribution stays an honest model of what was selected, with no repair bias.

import { ValidationError } from '@parafit/core'
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'
import { reflectIntoBox } from '../../bounds.ts'
import { OptimizerStateError } from '../../errors.ts'
import type { Optimizer, OptimizerState, OptimizerStop, Problem, Told } from '../optimizer.ts'
import {
  type CmaesOptions,
  type CmaesSettings,
  checkCmaesProblemSize,
  cmaesSettings,
  type Strategy,
  strategyFor,
} from './options.ts'
import {
  freshRun,
  type Geometry,
  geometryOf,
  identity,
  type Pending,
  type Run,
  readRun,
  saveRun,
} from './state.ts'

/** Largest condition number of C tolerated before the run is declared stalled (as in Hansen's ConditionCov). */
const MAX_CONDITION = 1e14
/** sigma * max(D) growing this far beyond sigma0 means the loss keeps falling without end. */
const MAX_SIGMA_GROWTH = 1e20

export class Cmaes implements Optimizer {
  readonly method = 'cmaes' as const
  readonly #geometry: Geometry
  #settings: CmaesSettings
  #run: Run
  #strategy: Strategy

  /** Set by restore() for the constructor it calls: the saved run, instead of a fresh one. */
  static #restoring: { settings: CmaesSettings; run: Run } | undefined

  /** A run from `problem.x0`; `seed` fixes every random draw, so the same seed gives the same run. */
  constructor(problem: Problem, options: CmaesOptions = {}, seed = 1) {
    const n = problem.x0.length
    checkCmaesProblemSize(n)
    this.#geometry = geometryOf(problem)
    const restoring = Cmaes.#restoring
    Cmaes.#restoring = undefined
    // A restored run brings its own matrices: two fresh n × n ones would be built for nothing.
    this.#settings = restoring?.settings ?? cmaesSettings(options, n)
    this.#run = restoring?.run ?? freshRun(this.#geometry, this.#settings, seed)
    this.#strategy = strategyFor(n, this.#settings.popSize * 2 ** this.#run.restartsDone)
  }

  /** Continues the run that saved `state` (from saveState()) on the same problem. */
  static restore(problem: Problem, state: OptimizerState): Cmaes {
    const { settings, run, pendingZ } = readRun(state, problem.x0.length)
    Cmaes.#restoring = { settings, run }
    const optimizer = new Cmaes(problem)
    if (pendingZ !== undefined) {
      if (pendingZ.length !== optimizer.#strategy.lambda)
        throw new OptimizerStateError(
          `saved CMA-ES state: the pending generation has ${pendingZ.length} points, not ${optimizer.#strategy.lambda}`,
        )
      optimizer.#resample(pendingZ)
    }
    return optimizer
  }

  get stop(): OptimizerStop | undefined {
    return this.#run.stop
  }

  ask(): Float64Array[] {
    const run = this.#run
    if (run.stop !== undefined) throw new ValidationError(`ask() after CMA-ES stopped (${run.stop.reason})`)
    // Asking again before telling repeats the same generation (also what a restored mid-generation state does).
    let pending = run.pending
    if (pending === undefined) {
      const { n } = this.#geometry
      // Done at the end of tell() already, unless the state was restored just then.
      const breakdown = this.#decomposeIfDue()
      if (breakdown !== undefined)
        throw new ValidationError(`ask() after CMA-ES stopped (${breakdown.reason})`)
      const z: Float64Array[] = []
      for (let k = 0; k < this.#strategy.lambda; k++) {
        const zk = new Float64Array(n)
        for (let i = 0; i < n; i++) zk[i] = run.random.normal()
        z.push(zk)
      }
      pending = this.#resample(z)
    }
    return pending.points.map((p) => p.slice())
  }

  /** Builds the pending generation from its normal deviates: y = B D z, point = mirror(x0 + scale (m + sigma y)). */
  #resample(z: Float64Array[]): Pending {
    const run = this.#run
    const { n, origin, scales, lower, upper } = this.#geometry
    const y: Float64Array[] = []
    const points: Float64Array[] = []
    const scaledZ = new Float64Array(n)
    const x = new Float64Array(n)
    for (const zk of z) {
      for (let j = 0; j < n; j++) scaledZ[j] = run.D[j]! * zk[j]!
      const yk = new Float64Array(n)
      for (let i = 0; i < n; i++) {
        let s = 0
        for (let j = 0; j < n; j++) s += run.B[i * n + j]! * scaledZ[j]!
        yk[i] = s
        x[i] = origin[i]! + scales[i]! * (run.mean[i]! + run.sigma * s)
      }
      y.push(yk)
      points.push(reflectIntoBox(x, lower, upper))
    }
    run.pending = { z, y, points }
    return run.pending
  }

  tell(results: readonly Told[]): void {
    const run = this.#run
    const pending = run.pending
    if (pending === undefined) throw new ValidationError('tell() without a preceding ask()')
    const lambda = this.#strategy.lambda
    if (results.length !== lambda)
      throw new ValidationError(
        `tell() expected ${lambda} results (one per point asked), got ${results.length}`,
      )
    // Anything not finite counts as a failed evaluation: ranked after every finite loss.
    const losses = new Float64Array(lambda)
    for (let k = 0; k < lambda; k++) {
      const loss = results[k]!.loss
      losses[k] = Number.isFinite(loss) ? loss : Infinity
    }
    // Stable ranking: ties keep their sampling order, so the result depends only on the told values.
    const order = Array.from({ length: lambda }, (_, k) => k).sort((a, b) => losses[a]! - losses[b]! || a - b)
    let finite = 0
    while (finite < lambda && losses[order[finite]!]! < Infinity) finite++

    const best = order[0]!
    if (losses[best]! < run.bestLoss) {
      run.bestLoss = losses[best]!
      run.bestX = pending.points[best]!.slice()
    }
    run.generation++
    run.pending = undefined
    if (finite === 0) {
      // Nothing to learn from: keep the distribution as it is and sample it afresh.
      run.failedRun++
      run.history.push(Infinity)
    } else {
      run.failedRun = 0
      run.history.push(losses[best]!)
      this.#update(pending, order, Math.min(finite, this.#strategy.mu), losses)
    }
    if (run.history.length > this.#strategy.historyLength) run.history.shift()

    const stop = this.#checkStop(losses)
    if (stop === undefined) {
      // Refreshed here rather than in the next ask(), so that a breakdown is a stop, not an error.
      this.#decomposeIfDue()
      return
    }
    if (run.restartsDone < this.#settings.restarts) this.#restart()
    else
      run.stop =
        run.restartsDone > 0
          ? { kind: stop.kind, reason: `${stop.reason} (after ${run.restartsDone} restarts)` }
          : stop
  }

  /** One generation's update from the `used` best samples (fewer than mu only when the rest failed). */
  #update(pending: Pending, order: number[], used: number, losses: Float64Array): void {
    const run = this.#run
    const s = this.#strategy
    const { n } = this.#geometry
    // Failed points never enter the recombination: the weights of the finite ones are renormalised.
    let weights = s.weights
    let mueff = s.mueff
    if (used < s.mu) {
      weights = s.weights.slice(0, used)
      let sum = 0
      for (const w of weights) sum += w
      let sumSquares = 0
      for (let i = 0; i < used; i++) {
        weights[i] = weights[i]! / sum
        sumSquares += weights[i]! * weights[i]!
      }
      mueff = 1 / sumSquares
    }

    const yw = new Float64Array(n)
    const zw = new Float64Array(n)
    for (let r = 0; r < used; r++) {
      const w = weights[r]!
      const yk = pending.y[order[r]!]!
      const zk = pending.z[order[r]!]!
      for (let i = 0; i < n; i++) {
        yw[i] = yw[i]! + w * yk[i]!
        zw[i] = zw[i]! + w * zk[i]!
      }
    }
    for (let i = 0; i < n; i++) run.mean[i] = run.mean[i]! + run.sigma * yw[i]!

    // Conjugate evolution path: B zw = C^(-1/2) yw, isotropic under random selection.
    const csFactor = Math.sqrt(s.cs * (2 - s.cs) * mueff)
    let psNorm2 = 0
    for (let i = 0; i < n; i++) {
      let bz = 0
      for (let j = 0; j < n; j++) bz += run.B[i * n + j]! * zw[j]!
      run.ps[i] = (1 - s.cs) * run.ps[i]! + csFactor * bz
      psNorm2 += run.ps[i]! * run.ps[i]!
    }
    const psNorm = Math.sqrt(psNorm2)
    run.runGeneration++
    // hsig stalls the rank-one path while ||ps|| is large, so a fast step-size increase does not inflate C.
    const hsig =
      psNorm / Math.sqrt(1 - (1 - s.cs) ** (2 * run.runGeneration)) / s.chiN < 1.4 + 2 / (n + 1) ? 1 : 0
    const ccFactor = hsig * Math.sqrt(s.cc * (2 - s.cc) * mueff)
    for (let i = 0; i < n; i++) run.pc[i] = (1 - s.cc) * run.pc[i]! + ccFactor * yw[i]!

    const keep = 1 - s.c1 - s.cmu + s.c1 * (1 - hsig) * s.cc * (2 - s.cc)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let rankMu = 0
        for (let r = 0; r < used; r++) {
          const yk = pending.y[order[r]!]!
          rankMu += weights[r]! * yk[i]! * yk[j]!
        }
        const value = keep * run.C[i * n + j]! + s.c1 * run.pc[i]! * run.pc[j]! + s.cmu * rankMu
        run.C[i * n + j] = value
        run.C[j * n + i] = value
      }
    }

    // Cumulative step-size adaptation; the exponent is capped so one wild generation cannot blow sigma up.
    run.sigma *= Math.exp(Math.min(1, (s.cs / s.damps) * (psNorm / s.chiN - 1)))
    // Flat fitness: a quarter of the population ties with the best, so the step is too small to see a slope.
    const quarter = order[Math.min(s.lambda - 1, Math.ceil(0.1 + s.lambda / 4))]!
    if (losses[order[0]!] === losses[quarter]) run.sigma *= Math.exp(0.2 + s.cs / s.damps)
  }

  /**
   * Refreshes B and D from C when they are due (symmetrised, eigenvalues floored so that D stays
   * real and positive). When C cannot be decomposed the run stops, stalled, and that stop is returned.
   */
  #decomposeIfDue(): OptimizerStop | undefined {
    const run = this.#run
    if (run.runGeneration - run.eigenGeneration <= this.#strategy.eigenEvery) return undefined
    const { n } = this.#geometry
    const rows: number[][] = []
    for (let i = 0; i < n; i++) {
      const row: number[] = []
      for (let j = 0; j < n; j++) row.push(0.5 * (run.C[i * n + j]! + run.C[j * n + i]!))
      rows.push(row)
    }
    let values: number[]
    let vectors: Matrix
    try {
      if (rows.some((row) => row.some((v) => !Number.isFinite(v)))) throw new RangeError('C is not finite')
      const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true })
      values = evd.realEigenvalues
      vectors = evd.eigenvectorMatrix
      if (values.some((v) => Number.isNaN(v))) throw new RangeError('NaN eigenvalue')
    } catch {
      run.stop = stalled('numerical breakdown (the covariance matrix cannot be decomposed)')
      return run.stop
    }
    const floor = Math.max(...values) * 1e-20
    for (let j = 0; j < n; j++) {
      run.D[j] = Math.sqrt(Math.max(values[j]!, floor, Number.MIN_VALUE))
      for (let i = 0; i < n; i++) run.B[i * n + j] = vectors.get(i, j)
    }
    run.eigenGeneration = run.runGeneration
    return undefined
  }

  #checkStop(losses: Float64Array): OptimizerStop | undefined {
    const run = this.#run
    const s = this.#strategy
    const { n, origin, scales, maxScale } = this.#geometry
    if (run.failedRun >= s.historyLength)
      return stalled(`every evaluation failed for ${run.failedRun} generations`)
    if (!Number.isFinite(run.sigma) || run.mean.some((m) => !Number.isFinite(m)))
      return stalled('numerical breakdown')

    if (run.history.length >= s.historyLength) {
      let lo = Infinity
      let hi = -Infinity
      for (const v of run.history) {
        lo = Math.min(lo, v)
        hi = Math.max(hi, v)
      }
      for (const v of losses) {
        lo = Math.min(lo, v)
        hi = Math.max(hi, v)
      }
      if (hi - lo < this.#settings.tolFun) return converged('loss range below tolFun')
    }

    let maxSd = 0
    for (let i = 0; i < n; i++) maxSd = Math.max(maxSd, Math.sqrt(run.C[i * n + i]!))
    if (run.sigma * maxSd * maxScale < this.#settings.tolX) return converged('step size below tolX')

    const maxD = Math.max(...run.D)
    const minD = Math.min(...run.D)
    if ((maxD / minD) ** 2 > MAX_CONDITION) return stalled('covariance matrix ill-conditioned')
    if (run.sigma * maxD > MAX_SIGMA_GROWTH * this.#settings.sigma0)
      return stalled('step size grew without bound')

    // No effect: a tenth of a standard deviation along one principal axis (cycling through them),
    // or a fifth in one coordinate, no longer changes the mean in floating point.
    const axis = run.generation % n
    let axisMoves = false
    let coordinateStuck = false
    for (let i = 0; i < n; i++) {
      const at = origin[i]! + scales[i]! * run.mean[i]!
      const alongAxis = 0.1 * run.sigma * run.D[axis]! * run.B[i * n + axis]!
      if (origin[i]! + scales[i]! * (run.mean[i]! + alongAxis) !== at) axisMoves = true
      const inCoordinate = 0.2 * run.sigma * Math.sqrt(run.C[i * n + i]!)
      if (origin[i]! + scales[i]! * (run.mean[i]! + inCoordinate) === at) coordinateStuck = true
    }
    if (!axisMoves) return stalled('no effect along a principal axis')
    if (coordinateStuck) return stalled('no effect in a coordinate')
    return undefined
  }

  /** IPOP: double the population and start afresh from the best point seen (x0 if none was finite). */
  #restart(): void {
    const run = this.#run
    const { n, origin, scales, lower, upper } = this.#geometry
    run.restartsDone++
    this.#strategy = strategyFor(n, this.#settings.popSize * 2 ** run.restartsDone)
    const from = run.bestX ?? reflectIntoBox(origin, lower, upper)
    for (let i = 0; i < n; i++) run.mean[i] = (from[i]! - origin[i]!) / scales[i]!
    run.sigma = this.#settings.sigma0
    run.C = identity(n)
    run.B = identity(n)
    run.D = new Float64Array(n).fill(1)
    run.pc = new Float64Array(n)
    run.ps = new Float64Array(n)
    run.runGeneration = 0
    run.eigenGeneration = 0
    run.history = []
    run.failedRun = 0
  }

  saveState(): OptimizerState {
    return saveRun(this.#run, this.#settings, this.#geometry.n)
  }
}

const converged = (reason: string): OptimizerStop => ({ kind: 'converged', reason: `converged: ${reason}` })
const stalled = (reason: string): OptimizerStop => ({ kind: 'stalled', reason: `stalled: ${reason}` })
