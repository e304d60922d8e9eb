// The multilayer perceptron behind nautilus's neural regions, trained the way scikit-learn's
// MLPRegressor trains it with nautilus's settings: Glorot-uniform initialisation, ReLU hidden
// layers, identity output, ½·MSE loss, Adam on shuffled minibatches, and a stop once the epoch's
// training loss has not set a new best for longer than `nIterNoChange` epochs.
//
// Determinism: every random number comes from one seeded `Random` stream, and training uses only
// +, −, ×, ÷ and √ (IEEE-exact in JavaScript; no fused multiply-add, no Math.pow) in a fixed order,
// so a seed gives bit-identical weights on any machine, thread or process.

import { Random } from '@parafit/core'

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
function layout(sizes: readonly number[]): { weights: number[]; biases: number[]; total: number } {
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

/**
 * Backpropagation through one layer for a minibatch: adds Σ_rows inputᵀ·delta to the weight
 * gradient and Σ_rows delta to the bias gradient, and when `prev` is given writes the previous
 * layer's delta, (delta · Wᵀ) masked by the ReLU (zero where that layer's output was 0).
 *
 * It walks input units: for unit k it gathers the rows where the unit is nonzero, then takes four
 * such rows per pass along weight row k, updating gradient row k and four propagated deltas
 * together. Each gradient entry is still summed over rows in row order and each propagated delta
 * over j in order, exactly as a plain row-by-row loop would, with far fewer loads and stores.
 */
function denseBackward(
  input: Float64Array,
  rows: number,
  nIn: number,
  nOut: number,
  params: Float64Array,
  wAt: number,
  bAt: number,
  delta: Float64Array,
  grad: Float64Array,
  prev: Float64Array | undefined,
  scratch: Compact,
): void {
  for (let i = 0; i < rows; i++) {
    const d0 = i * nOut
    for (let j = 0; j < nOut; j++) grad[bAt + j] = grad[bAt + j]! + delta[d0 + j]!
  }
  const { at, value } = scratch
  for (let k = 0; k < nIn; k++) {
    let c = 0
    for (let i = 0; i < rows; i++) {
      const a = input[i * nIn + k]!
      if (a !== 0) {
        at[c] = i
        value[c++] = a
      } else if (prev !== undefined) {
        prev[i * nIn + k] = 0
      }
    }
    const w = wAt + k * nOut
    let q = 0
    for (; q + 4 <= c; q += 4) {
      const a0 = value[q]!
      const a1 = value[q + 1]!
      const a2 = value[q + 2]!
      const a3 = value[q + 3]!
      const r0 = at[q]!
      const r1 = at[q + 1]!
      const r2 = at[q + 2]!
      const r3 = at[q + 3]!
      const d0 = r0 * nOut
      const d1 = r1 * nOut
      const d2 = r2 * nOut
      const d3 = r3 * nOut
      if (prev !== undefined) {
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        for (let j = 0; j < nOut; j++) {
          const wj = params[w + j]!
          const e0 = delta[d0 + j]!
          const e1 = delta[d1 + j]!
          const e2 = delta[d2 + j]!
          const e3 = delta[d3 + j]!
          grad[w + j] = grad[w + j]! + a0 * e0 + a1 * e1 + a2 * e2 + a3 * e3
          s0 += e0 * wj
          s1 += e1 * wj
          s2 += e2 * wj
          s3 += e3 * wj
        }
        prev[r0 * nIn + k] = s0
        prev[r1 * nIn + k] = s1
        prev[r2 * nIn + k] = s2
        prev[r3 * nIn + k] = s3
      } else {
        for (let j = 0; j < nOut; j++) {
          grad[w + j] =
            grad[w + j]! +
            a0 * delta[d0 + j]! +
            a1 * delta[d1 + j]! +
            a2 * delta[d2 + j]! +
            a3 * delta[d3 + j]!
        }
      }
    }
    for (; q < c; q++) {
      const a0 = value[q]!
      const r0 = at[q]!
      const d0 = r0 * nOut
      if (prev !== undefined) {
        let s0 = 0
        for (let j = 0; j < nOut; j++) {
          const e0 = delta[d0 + j]!
          grad[w + j] = grad[w + j]! + a0 * e0
          s0 += e0 * params[w + j]!
        }
        prev[r0 * nIn + k] = s0
      } else {
        for (let j = 0; j < nOut; j++) grad[w + j] = grad[w + j]! + a0 * delta[d0 + j]!
      }
    }
  }
}

/** Glorot-uniform initial parameters, drawn as scikit-learn draws them: per layer, weights then biases. */
function initialParams(sizes: readonly number[], random: Random): Float64Array {
  const { total } = layout(sizes)
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

/** Buffers for one minibatch's forward and backward pass, allocated once per training run. */
interface Workspace {
  sizes: readonly number[]
  wAt: readonly number[]
  bAt: readonly number[]
  /** acts[0] is the batch's inputs, acts[l] layer l's outputs (rows × sizes[l]). */
  acts: Float64Array[]
  /** deltas[l]: the loss's derivative by layer l's pre-activation; deltas[0] is unused. */
  deltas: Float64Array[]
  /** The batch's targets. */
  target: Float64Array
  /** Σ over the batch of each parameter's gradient (not yet divided by the batch size). */
  grad: Float64Array
  compact: Compact
}

function workspace(sizes: readonly number[], batch: number): Workspace {
  const { weights: wAt, biases: bAt, total } = layout(sizes)
  const acts: Float64Array[] = []
  for (const size of sizes) acts.push(new Float64Array(batch * size))
  return {
    sizes,
    wAt,
    bAt,
    acts,
    deltas: acts.map((a, l) => (l === 0 ? a : new Float64Array(a.length))),
    target: new Float64Array(batch),
    grad: new Float64Array(total),
    compact: compactScratch(Math.max(batch, ...sizes)),
  }
}

/**
 * Forward and backward pass over the batch in `ws.acts[0]` / `ws.target` (`rows` rows): adds the
 * summed gradient of ½·(output − target)² to `ws.grad` and returns Σ (output − target)².
 */
function batchGradient(ws: Workspace, params: Float64Array, rows: number): number {
  const { sizes, wAt, bAt, acts, deltas, target, grad, compact } = ws
  const nLayers = sizes.length - 1
  for (let l = 0; l < nLayers; l++) {
    const relu = l + 1 < nLayers
    denseForward(
      acts[l]!,
      0,
      rows,
      sizes[l]!,
      sizes[l + 1]!,
      params,
      wAt[l]!,
      bAt[l]!,
      acts[l + 1]!,
      relu,
      compact,
    )
  }
  // ½·MSE with identity output: the output delta is the residual.
  const out = acts[nLayers]!
  const outDelta = deltas[nLayers]!
  let sumSq = 0
  for (let i = 0; i < rows; i++) {
    const r = out[i]! - target[i]!
    outDelta[i] = r
    sumSq += r * r
  }
  for (let l = nLayers - 1; l >= 0; l--) {
    const prev = l > 0 ? deltas[l] : undefined
    denseBackward(
      acts[l]!,
      rows,
      sizes[l]!,
      sizes[l + 1]!,
      params,
      wAt[l]!,
      bAt[l]!,
      deltas[l + 1]!,
      grad,
      prev,
      compact,
    )
  }
  return sumSq
}

/**
 * The loss ½·mean (output − y)² of `weights` over all of `x` (N × d) as one batch, and its gradient
 * by every parameter (laid out as `weights.params`): what one Adam step would use. For checks and
 * diagnostics; training does not call it.
 */
export function lossAndGradient(
  weights: NetworkWeights,
  x: Float64Array,
  y: Float64Array,
): { loss: number; gradient: Float64Array } {
  const n = y.length
  const d = weights.sizes[0]!
  if (n < 1 || x.length !== n * d) throw new RangeError(`lossAndGradient: x must hold ${n} rows of ${d}`)
  const ws = workspace(weights.sizes, n)
  ws.acts[0]!.set(x)
  ws.target.set(y)
  const sumSq = batchGradient(ws, weights.params, n)
  const gradient = ws.grad
  // scikit-learn's gradient is the batch sum divided by the batch size.
  for (let p = 0; p < gradient.length; p++) gradient[p] = gradient[p]! / n
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
  const params = initialParams(sizes, random)
  const batch = Math.min(batchSize, n)

  // Every buffer is allocated here; the epoch loop allocates nothing.
  const ws = workspace(sizes, batch)
  const xb = ws.acts[0]!
  const yb = ws.target
  const grad = ws.grad
  const m = new Float64Array(params.length)
  const v = new Float64Array(params.length)
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
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
      for (let i = 0; i < rows; i++) {
        const src = order[start + i]!
        yb[i] = y[src]!
        for (let k = 0; k < d; k++) xb[i * d + k] = x[src * d + k]!
      }
      // The epoch's loss adds up each batch's loss as it was before that batch's step.
      accumulated += batchGradient(ws, params, rows) / 2
      // Adam in scikit-learn's form: bias correction folded into the step, ε added to √v.
      beta1t *= BETA1
      beta2t *= BETA2
      const step = (learningRate * Math.sqrt(1 - beta2t)) / (1 - beta1t)
      for (let p = 0; p < params.length; p++) {
        const g = grad[p]! / rows
        grad[p] = 0
        const mp = BETA1 * m[p]! + (1 - BETA1) * g
        const vp = BETA2 * v[p]! + (1 - BETA2) * g * g
        m[p] = mp
        v[p] = vp
        params[p] = params[p]! - (step * mp) / (Math.sqrt(vp) + EPSILON)
      }
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
  return { sizes, params, epochs: lossCurve.length, lossCurve: Float64Array.from(lossCurve) }
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
  const { weights: wAt, biases: bAt } = layout(sizes)
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
  if (!(params instanceof Float64Array) || params.length !== layout(sizes).total) {
    throw new RangeError(`network weights: expected ${layout(sizes).total} parameters for sizes [${sizes}]`)
  }
}
