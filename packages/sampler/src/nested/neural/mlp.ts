// The multilayer perceptron behind nautilus's neural regions, trained the way scikit-learn's
// MLPRegressor trains it with nautilus's settings: Glorot-uniform initialisation, ReLU hidden
// layers, identity output, ½·MSE loss, Adam on shuffled minibatches, and a stop once the epoch's
// training loss has not set a new best for longer than `nIterNoChange` epochs.
//
// Determinism: every random number comes from one seeded `Random` stream, and training uses only
// +, −, ×, ÷ and √ (IEEE-exact in JavaScript; no fused multiply-add, no Math.pow) in a fixed order,
// so a seed gives bit-identical weights on any machine, thread or process.
//
// Its errors are internal checks: only the nested sampler calls it, with data it made; a network
// whose training diverges fails its training task, which the sampler reports as an ObjectiveError.

import { Random } from '@parafit/core'
import { KernelLayout, type MlpKernels, mlpKernels } from './mlp-kernels.ts'

/**
 * A trained network as plain data (typed arrays and numbers), so it survives `structuredClone`,
 * `postMessage` and MPI messages unchanged and can be computed on a worker.
 */
export interface NetworkWeights {
  /** Units per layer, input first and the single output last, e.g. `[d, 100, 50, 20, 1]`. */
  sizes: number[]
  /**
   * Every parameter, layer after layer: the layer's `nIn × nOut` weight matrix row-major (row =
   * input unit, as scikit-learn's `coefs_[l]`), then its `nOut` biases (`intercepts_[l]`).
   */
  params: Float64Array
  /** Epochs run. */
  epochs: number
  /**
   * Each epoch's training loss (scikit-learn's `loss_curve_`): ½·squared error summed over the
   * epoch's minibatches, each taken before its own Adam step, divided by N.
   */
  lossCurve: Float64Array
}

/** How `trainNetwork` trains. Only `seed` is required; the defaults are nautilus's. */
export interface TrainNetworkOptions {
  /** The seed of the one random stream (initial weights, then each epoch's shuffle). */
  seed: number
  /** Sub-stream key: the stream is `Random.fromSeed(seed, ...key)`. Default none. */
  key?: readonly number[]
  /** Hidden layer sizes. Default `[100, 50, 20]`. */
  hidden?: readonly number[]
  /** The most epochs to run. Default 10000 (scikit-learn's `max_iter` as nautilus sets it). */
  maxEpochs?: number
  /** Adam's step size. Default 1e-2. */
  learningRate?: number
  /** Minibatch size; `min(batchSize, N)` is used. Default 200. */
  batchSize?: number
  /**
   * Stop when this many epochs in a row plus one have not set a new best training loss
   * (scikit-learn stops when its no-improvement count exceeds `n_iter_no_change`). Default 10.
   */
  nIterNoChange?: number
}

/** The defaults of `TrainNetworkOptions`. */
export const NETWORK_DEFAULTS = {
  hidden: [100, 50, 20],
  maxEpochs: 10000,
  learningRate: 1e-2,
  batchSize: 200,
  nIterNoChange: 10,
} as const

// Adam's constants, as scikit-learn's defaults.
const BETA1 = 0.9
const BETA2 = 0.999
const EPSILON = 1e-8

/** Where each layer's weights and biases start in the flat parameter array. */
function parameterLayout(sizes: readonly number[]): { weights: number[]; biases: number[]; total: number } {
  const weights: number[] = []
  const biases: number[] = []
  let at = 0
  for (let l = 0; l + 1 < sizes.length; l++) {
    weights.push(at)
    at += sizes[l]! * sizes[l + 1]!
    biases.push(at)
    at += sizes[l + 1]!
  }
  return { weights, biases, total: at }
}

/**
 * Scratch for the compacted nonzero entries of a row or column: positions and values. Sized for
 * the widest layer or the batch, whichever is larger.
 */
interface Compact {
  at: Int32Array
  value: Float64Array
}

function compactScratch(size: number): Compact {
  return { at: new Int32Array(size), value: new Float64Array(size) }
}

/**
 * `out` (rows × nOut) = input (rows × nIn, starting at row `inStart`) · W + b, then ReLU if `relu`.
 *
 * Speed without changing a bit: a row's nonzero inputs are gathered first (after a ReLU about half
 * are zero, and skipping them adds only zeros), then four weight rows are added per pass over the
 * output row. `out + a0·w0 + a1·w1 + …` evaluates left to right, so every output is still
 * b + Σ_k a_k·W[k][j] summed in k order, as the plain loop would sum it, with a quarter of the
 * loads and stores of the output row.
 */
function denseForward(
  input: Float64Array,
  inStart: number,
  rows: number,
  nIn: number,
  nOut: number,
  params: Float64Array,
  wAt: number,
  bAt: number,
  out: Float64Array,
  relu: boolean,
  scratch: Compact,
): void {
  const { at, value } = scratch
  for (let i = 0; i < rows; i++) {
    const o = i * nOut
    const a0 = (inStart + i) * nIn
    let c = 0
    for (let k = 0; k < nIn; k++) {
      const a = input[a0 + k]!
      if (a !== 0) {
        at[c] = wAt + k * nOut
        value[c++] = a
      }
    }
    for (let j = 0; j < nOut; j++) out[o + j] = params[bAt + j]!
    let q = 0
    for (; q + 4 <= c; q += 4) {
      const v0 = value[q]!
      const v1 = value[q + 1]!
      const v2 = value[q + 2]!
      const v3 = value[q + 3]!
      const w0 = at[q]!
      const w1 = at[q + 1]!
      const w2 = at[q + 2]!
      const w3 = at[q + 3]!
      for (let j = 0; j < nOut; j++) {
        out[o + j] =
          out[o + j]! +
          v0 * params[w0 + j]! +
          v1 * params[w1 + j]! +
          v2 * params[w2 + j]! +
          v3 * params[w3 + j]!
      }
    }
    for (; q < c; q++) {
      const v0 = value[q]!
      const w0 = at[q]!
      for (let j = 0; j < nOut; j++) out[o + j] = out[o + j]! + v0 * params[w0 + j]!
    }
    if (relu) for (let j = 0; j < nOut; j++) if (out[o + j]! < 0) out[o + j] = 0
  }
}

/** Glorot-uniform initial parameters, drawn as scikit-learn draws them: per layer, weights then biases. */
function initialParams(sizes: readonly number[], random: Random): Float64Array {
  const { total } = parameterLayout(sizes)
  const params = new Float64Array(total)
  let at = 0
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!
    const fanOut = sizes[l + 1]!
    // ReLU layers use factor 6 in scikit-learn's Glorot bound.
    const bound = Math.sqrt(6 / (fanIn + fanOut))
    const count = fanIn * fanOut + fanOut
    for (let c = 0; c < count; c++) params[at++] = -bound + 2 * bound * random.uniform()
  }
  return params
}

function checkSizes(name: string, values: readonly number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: layer sizes must be positive integers`)
  }
}

/**
 * One training run's arrays in the WebAssembly kernels' memory, as byte offsets: the parameters
 * and their summed gradient (laid out as `NetworkWeights.params`), each layer's outputs for a
 * minibatch (`acts[0]` its inputs) and deltas, the minibatch's targets and the kernels' scratch.
 */
interface TrainingMemory {
  kernels: MlpKernels
  sizes: readonly number[]
  params: number
  grad: number
  count: number
  wAt: readonly number[]
  bAt: readonly number[]
  acts: number[]
  /** deltas[l]: the loss's derivative by layer l's pre-activation; deltas[0] is unused (0). */
  deltas: number[]
  target: number
  /** Scratch: the widest layer's weights transposed, and the kernels' gathered entries. */
  wt: number
  at: number
  value: number
}

/** Allocates a run's arrays for minibatches of up to `batch` rows (call `layout.commit()` after). */
function trainingMemory(layout: KernelLayout, sizes: readonly number[], batch: number): TrainingMemory {
  const { weights, biases, total } = parameterLayout(sizes)
  const params = layout.allocate(total)
  const grad = layout.allocate(total)
  const acts = sizes.map((size) => layout.allocate(batch * size))
  const scratch = Math.max(batch, ...sizes)
  let widest = 0
  for (let l = 0; l + 1 < sizes.length; l++) widest = Math.max(widest, sizes[l]! * sizes[l + 1]!)
  return {
    kernels: layout.kernels,
    sizes,
    params,
    grad,
    count: total,
    wAt: weights.map((w) => params + 4 * w),
    bAt: biases.map((b) => params + 4 * b),
    acts,
    deltas: sizes.map((size, l) => (l === 0 ? 0 : layout.allocate(batch * size))),
    target: layout.allocate(batch),
    wt: layout.allocate(widest),
    at: layout.allocate(scratch),
    value: layout.allocate(scratch),
  }
}

/**
 * Forward and backward pass over the minibatch in `acts[0]` / `target` (`rows` rows): adds the
 * summed gradient of ½·(output − target)² to `grad` and returns Σ (output − target)².
 */
function batchGradient(mem: TrainingMemory, rows: number): number {
  const { kernels, sizes, wAt, bAt, acts, deltas, params, grad } = mem
  const nLayers = sizes.length - 1
  for (let l = 0; l < nLayers; l++) {
    const relu = l + 1 < nLayers ? 1 : 0
    kernels.denseForward(
      acts[l]!,
      rows,
      sizes[l]!,
      sizes[l + 1]!,
      wAt[l]!,
      bAt[l]!,
      acts[l + 1]!,
      relu,
      mem.at,
      mem.value,
    )
  }
  // ½·MSE with identity output: the output delta is the residual.
  const sumSq = kernels.outputDelta(acts[nLayers]!, mem.target, deltas[nLayers]!, rows)
  for (let l = nLayers - 1; l >= 0; l--) {
    const gw = grad + (wAt[l]! - params)
    const gb = grad + (bAt[l]! - params)
    kernels.denseBackward(
      acts[l]!,
      rows,
      sizes[l]!,
      sizes[l + 1]!,
      wAt[l]!,
      gw,
      gb,
      deltas[l + 1]!,
      deltas[l]!,
      mem.wt,
      mem.at,
      mem.value,
    )
  }
  return sumSq
}

/**
 * The loss ½·mean (output − y)² of `weights` over all of `x` (N × d) as one batch, and its gradient
 * by every parameter (laid out as `weights.params`): what one Adam step would use, computed in f32
 * by the training kernels. For checks and diagnostics; training does not call it.
 */
export function lossAndGradient(
  weights: NetworkWeights,
  x: Float64Array,
  y: Float64Array,
): { loss: number; gradient: Float64Array } {
  const n = y.length
  const d = weights.sizes[0]!
  if (n < 1 || x.length !== n * d) throw new RangeError(`lossAndGradient: x must hold ${n} rows of ${d}`)
  const layout = new KernelLayout(mlpKernels())
  const mem = trainingMemory(layout, weights.sizes, n)
  layout.commit()
  layout.f32(mem.params, mem.count).set(weights.params)
  layout.f32(mem.grad, mem.count).fill(0)
  layout.f32(mem.acts[0]!, n * d).set(x)
  layout.f32(mem.target, n).set(y)
  const sumSq = batchGradient(mem, n)
  // scikit-learn's gradient is the batch sum divided by the batch size.
  const gradient = Float64Array.from(layout.f32(mem.grad, mem.count), (g) => g / n)
  return { loss: sumSq / 2 / n, gradient }
}

/**
 * Trains a d → hidden… → 1 ReLU network on `x` (N × d, row-major) against `y` (N) and returns its
 * weights. Same inputs and options give bit-identical weights.
 */
export function trainNetwork(x: Float64Array, y: Float64Array, options: TrainNetworkOptions): NetworkWeights {
  const n = y.length
  if (n < 1) throw new RangeError('trainNetwork: no training points')
  if (x.length % n !== 0 || x.length === 0) {
    throw new RangeError(`trainNetwork: x has ${x.length} numbers, not a multiple of the ${n} targets`)
  }
  const hidden = options.hidden ?? NETWORK_DEFAULTS.hidden
  const maxEpochs = options.maxEpochs ?? NETWORK_DEFAULTS.maxEpochs
  const learningRate = options.learningRate ?? NETWORK_DEFAULTS.learningRate
  const nIterNoChange = options.nIterNoChange ?? NETWORK_DEFAULTS.nIterNoChange
  const batchSize = options.batchSize ?? NETWORK_DEFAULTS.batchSize
  checkSizes('trainNetwork', hidden)
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new RangeError('trainNetwork: batchSize must be ≥ 1')
  if (!(maxEpochs >= 1)) throw new RangeError('trainNetwork: maxEpochs must be ≥ 1')
  const sizes = [x.length / n, ...hidden, 1]
  const d = sizes[0]!

  const random = Random.fromSeed(options.seed, ...(options.key ?? []))
  const batch = Math.min(batchSize, n)

  // Every array lives in the kernels' memory, laid out here; the epoch loop allocates nothing.
  const layout = new KernelLayout(mlpKernels())
  const mem = trainingMemory(layout, sizes, batch)
  const xAt = layout.allocate(n * d)
  const yAt = layout.allocate(n)
  const orderAt = layout.allocate(n)
  const mAt = layout.allocate(mem.count)
  const vAt = layout.allocate(mem.count)
  layout.commit()
  const params = layout.f32(mem.params, mem.count)
  params.set(initialParams(sizes, random))
  layout.f32(mem.grad, mem.count).fill(0)
  layout.f32(mAt, mem.count).fill(0)
  layout.f32(vAt, mem.count).fill(0)
  layout.f32(xAt, n * d).set(x)
  layout.f32(yAt, n).set(y)
  const order = layout.u32(orderAt, n)
  for (let i = 0; i < n; i++) order[i] = i
  const { kernels } = layout
  const lossCurve: number[] = []

  // β^t by repeated multiplication, not Math.pow, whose last bit may differ between platforms.
  let beta1t = 1
  let beta2t = 1
  let best = Number.POSITIVE_INFINITY
  let noImprovement = 0
  while (lossCurve.length < maxEpochs) {
    // Fisher–Yates on the previous epoch's order (scikit-learn reshuffles its index array too).
    for (let i = n - 1; i > 0; i--) {
      const j = random.int(i + 1)
      const t = order[i]!
      order[i] = order[j]!
      order[j] = t
    }
    let accumulated = 0
    for (let start = 0; start < n; start += batch) {
      const rows = Math.min(batch, n - start)
      kernels.gatherBatch(xAt, yAt, orderAt, start, rows, d, mem.acts[0]!, mem.target)
      // The epoch's loss adds up each batch's loss as it was before that batch's step.
      accumulated += batchGradient(mem, rows) / 2
      // Adam in scikit-learn's form: bias correction folded into the step, ε added to √v.
      beta1t *= BETA1
      beta2t *= BETA2
      const step = (learningRate * Math.sqrt(1 - beta2t)) / (1 - beta1t)
      kernels.adamStep(mem.params, mem.grad, mAt, vAt, mem.count, 1 / rows, step, BETA1, BETA2, EPSILON)
    }
    const loss = accumulated / n
    lossCurve.push(loss)
    if (!Number.isFinite(loss)) {
      throw new Error(`trainNetwork: the training loss became ${loss} in epoch ${lossCurve.length}`)
    }
    // scikit-learn with tol = 0: an epoch counts as no improvement unless it beats the best.
    if (loss > best) noImprovement++
    else noImprovement = 0
    if (loss < best) best = loss
    if (noImprovement > nIterNoChange) break
  }
  return {
    sizes,
    params: Float64Array.from(params),
    epochs: lossCurve.length,
    lossCurve: Float64Array.from(lossCurve),
  }
}

// One pair of scratch buffers shared by every prediction: JavaScript runs one prediction at a
// time per thread, so sharing is safe and `accepts(point)` in a loop allocates nothing.
const PREDICT_ROWS = 128
let scratchA = new Float64Array(0)
let scratchB = new Float64Array(0)
let scratchCompact = compactScratch(0)

/**
 * The network's outputs for `x` (M × d, row-major), written to `out` (length ≥ M; allocated when
 * omitted) and returned.
 */
export function predict(weights: NetworkWeights, x: Float64Array, out?: Float64Array): Float64Array {
  const { sizes, params } = weights
  const d = sizes[0]!
  const nLayers = sizes.length - 1
  if (x.length % d !== 0) throw new RangeError(`predict: x has ${x.length} numbers, not rows of ${d}`)
  const rowsTotal = x.length / d
  const result = out ?? new Float64Array(rowsTotal)
  if (result.length < rowsTotal)
    throw new RangeError(`predict: out holds ${result.length} < ${rowsTotal} rows`)
  const { weights: wAt, biases: bAt } = parameterLayout(sizes)
  let width = 0
  for (let l = 1; l <= nLayers; l++) width = Math.max(width, sizes[l]!)
  const need = Math.min(PREDICT_ROWS, rowsTotal) * width
  if (scratchA.length < need) {
    scratchA = new Float64Array(need)
    scratchB = new Float64Array(need)
  }
  if (scratchCompact.at.length < d || scratchCompact.at.length < width) {
    scratchCompact = compactScratch(Math.max(d, width))
  }
  for (let start = 0; start < rowsTotal; start += PREDICT_ROWS) {
    const rows = Math.min(PREDICT_ROWS, rowsTotal - start)
    // The first layer reads the caller's rows in place; later layers alternate between the buffers.
    denseForward(
      x,
      start,
      rows,
      d,
      sizes[1]!,
      params,
      wAt[0]!,
      bAt[0]!,
      scratchA,
      nLayers > 1,
      scratchCompact,
    )
    let from = scratchA
    let to = scratchB
    for (let l = 1; l < nLayers; l++) {
      denseForward(
        from,
        0,
        rows,
        sizes[l]!,
        sizes[l + 1]!,
        params,
        wAt[l]!,
        bAt[l]!,
        to,
        l + 1 < nLayers,
        scratchCompact,
      )
      const t = from
      from = to
      to = t
    }
    for (let i = 0; i < rows; i++) result[start + i] = from[i]!
  }
  return result
}

/** Checks that `weights` is a well-formed network (used when reading checkpoints). */
export function checkNetworkWeights(weights: NetworkWeights): void {
  const { sizes, params } = weights
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes[sizes.length - 1] !== 1) {
    throw new RangeError('network weights: sizes must list at least an input and a single output')
  }
  checkSizes('network weights', sizes)
  if (!(params instanceof Float64Array) || params.length !== parameterLayout(sizes).total) {
    throw new RangeError(
      `network weights: expected ${parameterLayout(sizes).total} parameters for sizes [${sizes}]`,
    )
  }
}
