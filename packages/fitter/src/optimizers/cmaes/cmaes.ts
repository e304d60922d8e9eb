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

import { checkOptionKeys, optionKeys, Random, ValidationError } from '@parafit/core'
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'
import { initialScales, reflectIntoBox } from '../bounds.ts'
import type { Optimizer, OptimizerState, Problem, Told } from './optimizer.ts'

export interface CmaesOptions {
  /** Initial step size, relative to initialScales(x0, lower, upper); default 1 (the scales themselves). */
  sigma0?: number
  /** Population size lambda of the first run; default 4 + floor(3 ln n). */
  popSize?: number
  /** IPOP restarts after a stop, each doubling the population and starting from the best point; default 0. */
  restarts?: number
  /**
   * Stop when the range of the best losses of the last 10 + ceil(30 n / lambda) generations and of
   * all losses of the current generation is below this; default 1e-12 (absolute, in loss units).
   */
  tolFun?: number
  /** Stop when sigma * max(sqrt(diag C)) * max(scale) is below this (parameter units); default 1e-11. */
  tolX?: number
}

export const CMAES_OPTION_KEYS = optionKeys<CmaesOptions>()([
  'sigma0',
  'popSize',
  'restarts',
  'tolFun',
  'tolX',
])

interface Settings {
  readonly sigma0: number
  readonly popSize: number
  readonly restarts: number
  readonly tolFun: number
  readonly tolX: number
}

/** The strategy parameters, all derived from n and lambda (recomputed on restore, not saved). */
interface Strategy {
  readonly lambda: number
  readonly mu: number
  readonly weights: Float64Array
  readonly mueff: number
  readonly cc: number
  readonly cs: number
  readonly c1: number
  readonly cmu: number
  readonly damps: number
  readonly chiN: number
  /** Generations between eigendecompositions: C changes little per generation when c1 + cmu is small. */
  readonly eigenEvery: number
  /** Length of the best-loss history the tolFun test looks at. */
  readonly historyLength: number
}

/** A generation asked but not yet told: the normal deviates, their images B D z, and the points asked. */
interface Pending {
  readonly z: Float64Array[]
  readonly y: Float64Array[]
  readonly points: Float64Array[]
}

/** Everything that changes during a run; saveState writes exactly this (plus the settings). */
interface Run {
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
  stopReason: string | undefined
}

const STATE_KIND = 'cmaes'
const STATE_VERSION = 1
/** Largest condition number of C tolerated before the run is declared stalled (as in Hansen's ConditionCov). */
const MAX_CONDITION = 1e14
/** sigma * max(D) growing this far beyond sigma0 means the loss keeps falling without end. */
const MAX_SIGMA_GROWTH = 1e20

export function createCmaes(problem: Problem, options: CmaesOptions, seed: number): Optimizer {
  const n = problem.x0.length
  if (n === 0) throw new ValidationError('CMA-ES needs at least one parameter')
  const settings = cmaesSettings(options, n)
  const geometry = geometryOf(problem)
  const run: Run = {
    random: Random.fromSeed(seed),
    restartsDone: 0,
    generation: 0,
    runGeneration: 0,
    eigenGeneration: 0,
    mean: new Float64Array(n),
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
    stopReason: undefined,
  }
  // Start from x0 mirrored into the box, in normalised coordinates (0 when x0 is inside).
  const start = reflectIntoBox(problem.x0, problem.lower, problem.upper)
  for (let i = 0; i < n; i++) run.mean[i] = (start[i]! - geometry.origin[i]!) / geometry.scales[i]!
  return new Cmaes(geometry, settings, run)
}

export function restoreCmaes(problem: Problem, state: OptimizerState): Optimizer {
  if (state['kind'] !== STATE_KIND || state['version'] !== STATE_VERSION) {
    throw new Error('not a saved CMA-ES state (kind or version mismatch)')
  }
  const n = problem.x0.length
  if (readNumber(state, 'n') !== n)
    throw new Error('saved CMA-ES state is for a different number of parameters')
  const saved = state['options'] as Record<string, unknown>
  const settings: Settings = {
    sigma0: readNumber(saved, 'sigma0'),
    popSize: readNumber(saved, 'popSize'),
    restarts: readNumber(saved, 'restarts'),
    tolFun: readNumber(saved, 'tolFun'),
    tolX: readNumber(saved, 'tolX'),
  }
  const geometry = geometryOf(problem)
  const pendingZ = state['pendingZ']
  const bestX = state['bestX']
  const stopReason = state['stopReason']
  const run: Run = {
    random: Random.fromState(readArray(state, 'random')),
    restartsDone: readNumber(state, 'restartsDone'),
    generation: readNumber(state, 'generation'),
    runGeneration: readNumber(state, 'runGeneration'),
    eigenGeneration: readNumber(state, 'eigenGeneration'),
    mean: readVector(state, 'mean', n),
    sigma: readNumber(state, 'sigma'),
    C: readVector(state, 'C', n * n),
    B: readVector(state, 'B', n * n),
    D: readVector(state, 'D', n),
    pc: readVector(state, 'pc', n),
    ps: readVector(state, 'ps', n),
    // Infinity does not survive JSON, so a generation without a finite loss is saved as null.
    history: readArray(state, 'history').map((v) => (v === null ? Infinity : v)),
    failedRun: readNumber(state, 'failedRun'),
    bestX: bestX == null ? undefined : readVector(state, 'bestX', n),
    bestLoss: bestX == null ? Infinity : readNumber(state, 'bestLoss'),
    pending: undefined,
    stopReason: typeof stopReason === 'string' ? stopReason : undefined,
  }
  const optimizer = new Cmaes(geometry, settings, run)
  if (Array.isArray(pendingZ))
    optimizer.resample(pendingZ.map((z) => Float64Array.from(z as ArrayLike<number>)))
  return optimizer
}

interface Geometry {
  readonly n: number
  readonly origin: Float64Array
  readonly scales: Float64Array
  readonly maxScale: number
  readonly lower: Float64Array
  readonly upper: Float64Array
}

function geometryOf(problem: Problem): Geometry {
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

/** The settings with their defaults for n parameters; throws a ValidationError (key path relative to `options`) on bad input. */
export function cmaesSettings(options: CmaesOptions, n: number): Settings {
  checkOptionKeys(options, CMAES_OPTION_KEYS, 'CMA-ES options')
  const settings: Settings = {
    sigma0: options.sigma0 ?? 1,
    popSize: options.popSize ?? 4 + Math.floor(3 * Math.log(n)),
    restarts: options.restarts ?? 0,
    tolFun: options.tolFun ?? 1e-12,
    tolX: options.tolX ?? 1e-11,
  }
  const invalid = (key: keyof Settings, rule: string) =>
    new ValidationError(`${key} must be ${rule}, got ${String(settings[key])}`, key)
  if (!(settings.sigma0 > 0 && Number.isFinite(settings.sigma0))) throw invalid('sigma0', 'a positive number')
  if (!Number.isInteger(settings.popSize) || settings.popSize < 2) throw invalid('popSize', 'an integer >= 2')
  if (!Number.isInteger(settings.restarts) || settings.restarts < 0)
    throw invalid('restarts', 'an integer >= 0')
  if (!(settings.tolFun >= 0)) throw invalid('tolFun', 'a number >= 0')
  if (!(settings.tolX >= 0)) throw invalid('tolX', 'a number >= 0')
  return settings
}

/** Default strategy parameters of Hansen's tutorial, for n dimensions and population lambda. */
function strategyFor(n: number, lambda: number): Strategy {
  const mu = Math.floor(lambda / 2)
  const weights = new Float64Array(mu)
  let sum = 0
  for (let i = 0; i < mu; i++) {
    weights[i] = Math.log((lambda + 1) / 2) - Math.log(i + 1)
    sum += weights[i]!
  }
  let sumSquares = 0
  for (let i = 0; i < mu; i++) {
    weights[i] = weights[i]! / sum
    sumSquares += weights[i]! * weights[i]!
  }
  const mueff = 1 / sumSquares
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n)
  const cs = (mueff + 2) / (n + mueff + 5)
  const c1 = 2 / ((n + 1.3) ** 2 + mueff)
  const cmu = Math.min(1 - c1, (2 * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + mueff))
  const damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
  return {
    lambda,
    mu,
    weights,
    mueff,
    cc,
    cs,
    c1,
    cmu,
    damps,
    chiN,
    eigenEvery: lambda / ((c1 + cmu) * n * 10),
    historyLength: 10 + Math.ceil((30 * n) / lambda),
  }
}

class Cmaes implements Optimizer {
  readonly method = 'cmaes' as const
  readonly #geometry: Geometry
  readonly #settings: Settings
  readonly #run: Run
  #strategy: Strategy

  constructor(geometry: Geometry, settings: Settings, run: Run) {
    this.#geometry = geometry
    this.#settings = settings
    this.#run = run
    this.#strategy = strategyFor(geometry.n, settings.popSize * 2 ** run.restartsDone)
  }

  get stopReason(): string | undefined {
    return this.#run.stopReason
  }

  ask(): Float64Array[] {
    const run = this.#run
    if (run.stopReason !== undefined) throw new Error(`CMA-ES has stopped (${run.stopReason})`)
    // Asking again before telling repeats the same generation (also what a restored mid-generation state does).
    if (run.pending === undefined) {
      const { n } = this.#geometry
      if (run.runGeneration - run.eigenGeneration > this.#strategy.eigenEvery) this.#decompose()
      const z: Float64Array[] = []
      for (let k = 0; k < this.#strategy.lambda; k++) {
        const zk = new Float64Array(n)
        for (let i = 0; i < n; i++) zk[i] = run.random.normal()
        z.push(zk)
      }
      this.resample(z)
    }
    return run.pending!.points.map((p) => p.slice())
  }

  /** Builds the pending generation from its normal deviates: y = B D z, point = mirror(x0 + scale (m + sigma y)). */
  resample(z: Float64Array[]): void {
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
  }

  tell(results: readonly Told[]): void {
    const run = this.#run
    const pending = run.pending
    if (pending === undefined) throw new Error('tell() without a preceding ask()')
    const lambda = this.#strategy.lambda
    if (results.length !== lambda) throw new Error(`tell() expected ${lambda} results, got ${results.length}`)
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

    const reason = this.#checkStop(losses)
    if (reason === undefined) return
    if (run.restartsDone < this.#settings.restarts) this.#restart()
    else run.stopReason = run.restartsDone > 0 ? `${reason} (after ${run.restartsDone} restarts)` : reason
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

  /** Refreshes B and D from C (symmetrised, eigenvalues floored so that D stays real and positive). */
  #decompose(): void {
    const run = this.#run
    const { n } = this.#geometry
    const rows: number[][] = []
    for (let i = 0; i < n; i++) {
      const row: number[] = []
      for (let j = 0; j < n; j++) row.push(0.5 * (run.C[i * n + j]! + run.C[j * n + i]!))
      rows.push(row)
    }
    const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true })
    const values = evd.realEigenvalues
    const vectors = evd.eigenvectorMatrix
    const floor = Math.max(...values) * 1e-20
    for (let j = 0; j < n; j++) {
      run.D[j] = Math.sqrt(Math.max(values[j]!, floor, Number.MIN_VALUE))
      for (let i = 0; i < n; i++) run.B[i * n + j] = vectors.get(i, j)
    }
    run.eigenGeneration = run.runGeneration
  }

  #checkStop(losses: Float64Array): string | undefined {
    const run = this.#run
    const s = this.#strategy
    const { n, origin, scales, maxScale } = this.#geometry
    if (run.failedRun >= s.historyLength)
      return `stalled: every evaluation failed for ${run.failedRun} generations`
    if (!Number.isFinite(run.sigma) || run.mean.some((m) => !Number.isFinite(m)))
      return 'stalled: numerical breakdown'

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
      if (hi - lo < this.#settings.tolFun) return 'converged: loss range below tolFun'
    }

    let maxSd = 0
    for (let i = 0; i < n; i++) maxSd = Math.max(maxSd, Math.sqrt(run.C[i * n + i]!))
    if (run.sigma * maxSd * maxScale < this.#settings.tolX) return 'converged: step size below tolX'

    const maxD = Math.max(...run.D)
    const minD = Math.min(...run.D)
    if ((maxD / minD) ** 2 > MAX_CONDITION) return 'stalled: covariance matrix ill-conditioned'
    if (run.sigma * maxD > MAX_SIGMA_GROWTH * this.#settings.sigma0)
      return 'stalled: step size grew without bound'

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
    if (!axisMoves) return 'stalled: no effect along a principal axis'
    if (coordinateStuck) return 'stalled: no effect in a coordinate'
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
    const run = this.#run
    // Plain arrays and finite numbers only, so that the state survives JSON as well as structuredClone.
    return {
      kind: STATE_KIND,
      version: STATE_VERSION,
      n: this.#geometry.n,
      options: { ...this.#settings },
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
      history: run.history.map((v) => (Number.isFinite(v) ? v : null)),
      failedRun: run.failedRun,
      bestX: run.bestX === undefined ? null : Array.from(run.bestX),
      bestLoss: run.bestX === undefined ? null : run.bestLoss,
      pendingZ: run.pending === undefined ? null : run.pending.z.map((z) => Array.from(z)),
      stopReason: run.stopReason ?? null,
    }
  }
}

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) out[i * n + i] = 1
  return out
}

function readNumber(record: Record<string, unknown>, key: string): number {
  const value = record[key]
  if (typeof value !== 'number') throw new Error(`saved CMA-ES state: ${key} is not a number`)
  return value
}

function readArray(record: Record<string, unknown>, key: string): number[] {
  const value = record[key]
  if (!Array.isArray(value) && !ArrayBuffer.isView(value))
    throw new Error(`saved CMA-ES state: ${key} is not an array`)
  return Array.from(value as ArrayLike<number>)
}

function readVector(record: Record<string, unknown>, key: string, length: number): Float64Array {
  const out = Float64Array.from(readArray(record, key))
  if (out.length !== length)
    throw new Error(`saved CMA-ES state: ${key} has length ${out.length}, not ${length}`)
  return out
}
