// The neural part of a nautilus region: an ensemble of networks that regresses the rank scores of
// the points in the region, and the predicted score a point must beat to be inside the region.
//
// Training is split so that a pool can run it: `emulatorTrainingSet` prepares the data once (on the
// main thread), `trainEmulatorNetwork(set, k, options)` trains network k as a pure function of its
// arguments (one task per network, on any worker), and `assembleEmulator` builds the ensemble
// from the results. `trainEmulator` does all three in turn.
//
// Seed scheme: network k draws its initial weights and its epoch shuffles from
// `Random.fromSeed(seed, ...key, k)` and, when the training set is capped, its subsample from
// `Random.fromSeed(seed, ...key, k, SUBSAMPLE_STREAM)`. The networks therefore do not depend on
// which worker trains them or in what order, and a sampler can give every region its own streams
// by passing e.g. `key: [boundIndex, regionIndex]`.
// Its errors are internal checks: only the nested sampler calls it, and a checkpoint whose
// data fails them is refused as a NestedCheckpointError.

import { Random } from '@parafit/core'
import {
  checkNetworkWeights,
  type NetworkWeights,
  predict,
  type TrainNetworkOptions,
  trainNetwork,
} from './mlp.ts'
import { cubicThreshold, lowestAboveScore, rankScores } from './rank-score.ts'

/** The last key of network k's subsample stream, `Random.fromSeed(seed, ...key, k, SUBSAMPLE_STREAM)`. */
export const SUBSAMPLE_STREAM = 1

/**
 * nautilus's guard: a point is inside when its predicted score exceeds the threshold minus this,
 * so a network that predicts (nearly) one value everywhere still accepts points (nautilus#27).
 */
export const ACCEPT_SLACK = 1e-9

/** How an emulator is trained. Only `seed` is required; the defaults are nautilus's. */
export interface EmulatorOptions extends Omit<TrainNetworkOptions, 'seed' | 'key'> {
  /** The seed of every network's stream (see the seed scheme at the top of this module). */
  seed: number
  /** Keys between the seed and the network index, e.g. `[boundIndex, regionIndex]`. Default none. */
  key?: readonly number[]
  /** Networks in the ensemble. Default 4. */
  nNetworks?: number
  /**
   * The most points one network trains on. When the region holds more, each network trains on
   * its own uniform subsample of this size (so the ensemble as a whole still sees most points);
   * rank scores and the acceptance threshold always use every point. Default `Infinity`: no cap,
   * as in nautilus. Training time is about proportional to the points used: on one core, 4
   * networks on 10 000 points in 10-D took 27 s uncapped and 11 s capped at 4000, with 2.2 % and
   * 2.8 % of new above-threshold points falsely rejected (`bench/nested-mlp.ts --emulator`).
   */
  maxTrainingPoints?: number
}

/** The defaults of `EmulatorOptions` beyond those of the networks. */
export const EMULATOR_DEFAULTS = { nNetworks: 4, maxTrainingPoints: Number.POSITIVE_INFINITY } as const

/** A region's prepared training data: plain data, so it can be sent to workers. */
export interface EmulatorTrainingSet {
  /** Dimensions of a point. */
  dim: number
  /** The points standardised by `mean` and `scale`, N × dim, row-major. */
  x: Float64Array
  /** Their rank scores (`rankScores`), the regression targets. */
  scores: Float64Array
  /** Per-coordinate mean of the points. */
  mean: Float64Array
  /** Per-coordinate standard deviation of the points (1 where it is 0). */
  scale: Float64Array
}

/** An emulator as plain data, for checkpoints and messages. */
export interface EmulatorData {
  dim: number
  mean: Float64Array
  scale: Float64Array
  /** The predicted score a point must exceed (less `ACCEPT_SLACK`) to be inside. */
  threshold: number
  networks: NetworkWeights[]
}

/**
 * Standardises `points` (N × dim, row-major, in the region's unit-ball frame) and computes their
 * rank scores against `logLMin`. At least one point must have `logL >= logLMin`.
 */
export function emulatorTrainingSet(
  points: Float64Array,
  dim: number,
  logL: Float64Array,
  logLMin: number,
): EmulatorTrainingSet {
  const n = logL.length
  if (!Number.isInteger(dim) || dim < 1)
    throw new RangeError(`emulator: dim must be a positive integer, not ${dim}`)
  if (points.length !== n * dim) {
    throw new RangeError(`emulator: ${points.length} coordinates for ${n} points of dimension ${dim}`)
  }
  const scores = rankScores(logL, logLMin)
  if (lowestAboveScore(scores) === undefined) {
    throw new RangeError('emulator: no point has a log-likelihood at or above the threshold')
  }
  // Population mean and standard deviation per coordinate (numpy's mean and std, ddof 0).
  const mean = new Float64Array(dim)
  const scale = new Float64Array(dim)
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] = mean[k]! + points[i * dim + k]!
  for (let k = 0; k < dim; k++) mean[k] = mean[k]! / n
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) scale[k] = scale[k]! + (points[i * dim + k]! - mean[k]!) ** 2
  }
  // A coordinate without spread would divide by zero; leaving it unscaled keeps it finite.
  for (let k = 0; k < dim; k++) scale[k] = scale[k]! > 0 ? Math.sqrt(scale[k]! / n) : 1
  return { dim, x: standardise(points, dim, mean, scale), scores, mean, scale }
}

function standardise(
  points: Float64Array,
  dim: number,
  mean: Float64Array,
  scale: Float64Array,
): Float64Array {
  const x = new Float64Array(points.length)
  for (let i = 0; i < points.length; i += dim) {
    for (let k = 0; k < dim; k++) x[i + k] = (points[i + k]! - mean[k]!) / scale[k]!
  }
  return x
}

/**
 * Trains network `k` of the ensemble: a pure function of its arguments, so one task per network
 * can run on any worker and give the same weights. With `maxTrainingPoints` below the set's size
 * the network trains on its own subsample (see `EmulatorOptions.maxTrainingPoints`).
 */
export function trainEmulatorNetwork(
  set: EmulatorTrainingSet,
  k: number,
  options: EmulatorOptions,
): NetworkWeights {
  const {
    seed,
    key = [],
    nNetworks: _n,
    maxTrainingPoints = EMULATOR_DEFAULTS.maxTrainingPoints,
    ...net
  } = options
  const n = set.scores.length
  const cap = Math.floor(maxTrainingPoints)
  if (!(cap >= 1))
    throw new RangeError(`emulator: maxTrainingPoints must be at least 1, not ${maxTrainingPoints}`)
  let { x, scores: y } = set
  if (n > cap) {
    // A partial Fisher–Yates draw of `cap` distinct points, then kept in their original order.
    const random = Random.fromSeed(seed, ...key, k, SUBSAMPLE_STREAM)
    const index = new Uint32Array(n)
    for (let i = 0; i < n; i++) index[i] = i
    for (let i = 0; i < cap; i++) {
      const j = i + random.int(n - i)
      const t = index[i]!
      index[i] = index[j]!
      index[j] = t
    }
    const chosen = index.subarray(0, cap).sort()
    const dim = set.dim
    x = new Float64Array(cap * dim)
    y = new Float64Array(cap)
    for (let i = 0; i < cap; i++) {
      const src = chosen[i]!
      y[i] = set.scores[src]!
      x.set(set.x.subarray(src * dim, src * dim + dim), i * dim)
    }
  }
  return trainNetwork(x, y, { ...net, seed, key: [...key, k] })
}

/**
 * Builds the ensemble from its trained networks (in network order) and sets the acceptance
 * threshold: the cubic fit of the ensemble's predictions against the true scores of every point in
 * the set, evaluated at the lowest above-threshold score (`cubicThreshold`).
 */
export function assembleEmulator(
  set: EmulatorTrainingSet,
  networks: readonly NetworkWeights[],
): NeuralEmulator {
  if (networks.length === 0) throw new RangeError('emulator: no networks')
  const atScore = lowestAboveScore(set.scores)
  if (atScore === undefined) throw new RangeError('emulator: no point is above the threshold')
  for (const network of networks) {
    if (network.sizes[0] !== set.dim)
      throw new RangeError(`emulator: a network takes ${network.sizes[0]} inputs, not ${set.dim}`)
  }
  const predicted = ensembleMean(networks, set.x, set.dim)
  return new NeuralEmulator({
    dim: set.dim,
    mean: set.mean.slice(),
    scale: set.scale.slice(),
    threshold: cubicThreshold(predicted, set.scores, atScore),
    networks: [...networks],
  })
}

/**
 * The ensemble's mean output for standardised points `x` (M × dim): the networks' outputs summed in
 * network order, then divided by their number. `scratch` (length ≥ M) holds one network's output.
 */
function ensembleMean(
  networks: readonly NetworkWeights[],
  x: Float64Array,
  dim: number,
  out?: Float64Array,
  scratch?: Float64Array,
): Float64Array {
  const m = x.length / dim
  const sum = out ?? new Float64Array(m)
  if (sum.length < m) throw new RangeError(`emulator: out holds ${sum.length} < ${m} points`)
  const one = scratch ?? new Float64Array(m)
  sum.fill(0, 0, m)
  for (const network of networks) {
    predict(network, x, one)
    for (let i = 0; i < m; i++) sum[i] = sum[i]! + one[i]!
  }
  for (let i = 0; i < m; i++) sum[i] = sum[i]! / networks.length
  return sum
}

/**
 * Trains a region's emulator in this thread: `emulatorTrainingSet`, then `trainEmulatorNetwork`
 * for k = 0 … nNetworks − 1, then `assembleEmulator`.
 */
export function trainEmulator(
  points: Float64Array,
  dim: number,
  logL: Float64Array,
  logLMin: number,
  options: EmulatorOptions,
): NeuralEmulator {
  const nNetworks = options.nNetworks ?? EMULATOR_DEFAULTS.nNetworks
  if (!Number.isInteger(nNetworks) || nNetworks < 1) {
    throw new RangeError(`emulator: nNetworks must be a positive integer, not ${nNetworks}`)
  }
  const set = emulatorTrainingSet(points, dim, logL, logLMin)
  const networks: NetworkWeights[] = []
  for (let k = 0; k < nNetworks; k++) networks.push(trainEmulatorNetwork(set, k, options))
  return assembleEmulator(set, networks)
}

/**
 * An ensemble of score networks with its acceptance threshold. Points are given in the region's
 * unit-ball frame (the emulator standardises them itself).
 */
export class NeuralEmulator {
  /** Dimensions of a point. */
  readonly dim: number
  /** The predicted score a point must exceed (less `ACCEPT_SLACK`) to be inside. */
  readonly threshold: number
  readonly #mean: Float64Array
  readonly #scale: Float64Array
  readonly #networks: readonly NetworkWeights[]
  // Reused by `accepts`, so testing one point at a time allocates nothing.
  readonly #one: Float64Array
  readonly #oneOut: Float64Array
  readonly #oneSum: Float64Array

  /** Use `assembleEmulator`, `trainEmulator` or `NeuralEmulator.fromData`. */
  constructor(data: EmulatorData) {
    this.dim = data.dim
    this.threshold = data.threshold
    this.#mean = data.mean
    this.#scale = data.scale
    this.#networks = data.networks
    this.#one = new Float64Array(data.dim)
    this.#oneOut = new Float64Array(1)
    this.#oneSum = new Float64Array(1)
  }

  /** The emulator from `toData()` output (e.g. after `structuredClone` or a checkpoint). */
  static fromData(data: EmulatorData): NeuralEmulator {
    const { dim, mean, scale, threshold, networks } = data
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`emulator data: bad dim ${dim}`)
    if (
      !(mean instanceof Float64Array) ||
      mean.length !== dim ||
      !(scale instanceof Float64Array) ||
      scale.length !== dim
    ) {
      throw new RangeError(`emulator data: mean and scale must be Float64Arrays of length ${dim}`)
    }
    if (typeof threshold !== 'number' || Number.isNaN(threshold))
      throw new RangeError('emulator data: bad threshold')
    if (!Array.isArray(networks) || networks.length === 0) throw new RangeError('emulator data: no networks')
    for (const network of networks) {
      checkNetworkWeights(network)
      if (network.sizes[0] !== dim)
        throw new RangeError(`emulator data: a network takes ${network.sizes[0]} inputs, not ${dim}`)
    }
    return new NeuralEmulator({
      dim,
      mean: mean.slice(),
      scale: scale.slice(),
      threshold,
      networks: networks.map(copyNetwork),
    })
  }

  /** The emulator as plain, structured-cloneable data (copies: changing them changes nothing here). */
  toData(): EmulatorData {
    return {
      dim: this.dim,
      mean: this.#mean.slice(),
      scale: this.#scale.slice(),
      threshold: this.threshold,
      networks: this.#networks.map(copyNetwork),
    }
  }

  /** Number of networks in the ensemble. */
  get nNetworks(): number {
    return this.#networks.length
  }

  /** The ensemble's mean predicted score for each point of `points` (M × dim, row-major). */
  predict(points: Float64Array, out?: Float64Array): Float64Array {
    if (points.length % this.dim !== 0) throw new RangeError(`emulator: points are not rows of ${this.dim}`)
    return ensembleMean(this.#networks, standardise(points, this.dim, this.#mean, this.#scale), this.dim, out)
  }

  /** Whether `point` (length dim) is inside: its predicted score exceeds the threshold less `ACCEPT_SLACK`. */
  accepts(point: ArrayLike<number>): boolean {
    if (point.length !== this.dim)
      throw new RangeError(`emulator: a point has ${this.dim} coordinates, not ${point.length}`)
    const x = this.#one
    for (let k = 0; k < this.dim; k++) x[k] = (point[k]! - this.#mean[k]!) / this.#scale[k]!
    return (
      ensembleMean(this.#networks, x, this.dim, this.#oneSum, this.#oneOut)[0]! >
      this.threshold - ACCEPT_SLACK
    )
  }
}

function copyNetwork(network: NetworkWeights): NetworkWeights {
  return { ...network, sizes: [...network.sizes], params: network.params.slice() }
}
