// WebAssembly kernels that train the nested sampler's networks (AssemblyScript; built into
// src/nested/neural/mlp-kernels.wasm.ts by `npm run build:wasm`). Every array lives in this
// module's memory and is passed as a byte offset; the JavaScript side (mlp-kernels.ts) lays
// the memory out. Numbers are f32 and four of them go through each SIMD instruction. WebAssembly
// arithmetic is IEEE-exact and has no fused multiply-add here, so the same inputs give the same
// bits on every machine.
//
// Layers are dense: `out = in · W + b` with W row-major `nIn × nOut` (row = input unit). After a
// ReLU about half of a layer's inputs are zero; the kernels gather the nonzero ones first and
// skip the rest, which changes no sum.

const ZERO = f32x4.splat(0)

/** Where JavaScript may start laying out arrays: past this module's own static data. */
export function heapBase(): usize {
  return __heap_base
}

/**
 * Gathers the minibatch: rows `order[start … start + rows)` of `x` (N × d) and `y` into `xb`, `yb`.
 */
export function gatherBatch(
  x: usize,
  y: usize,
  order: usize,
  start: i32,
  rows: i32,
  d: i32,
  xb: usize,
  yb: usize,
): void {
  const rowBytes = (<usize>d) << 2
  for (let i = 0; i < rows; i++) {
    const src = <usize>load<u32>(order + ((<usize>(start + i)) << 2))
    store<f32>(yb + ((<usize>i) << 2), load<f32>(y + (src << 2)))
    memory.copy(xb + <usize>i * rowBytes, x + src * rowBytes, rowBytes)
  }
}

/**
 * `out` (rows × nOut) = `input` (rows × nIn) · W + b, then ReLU when `relu`. `at` and `value`
 * are scratch for up to nIn entries.
 */
export function denseForward(
  input: usize,
  rows: i32,
  nIn: i32,
  nOut: i32,
  w: usize,
  b: usize,
  out: usize,
  relu: bool,
  at: usize,
  value: usize,
): void {
  const outBytes = (<usize>nOut) << 2
  for (let i = 0; i < rows; i++) {
    // The row's nonzero inputs, as the address of their weight row and their value.
    const a = input + <usize>i * ((<usize>nIn) << 2)
    let c = 0
    for (let k = 0; k < nIn; k++) {
      const v = load<f32>(a + ((<usize>k) << 2))
      // Written always, kept only when nonzero: no branch to mispredict on ReLU zeros.
      store<usize>(at + ((<usize>c) << 2), w + <usize>k * outBytes)
      store<f32>(value + ((<usize>c) << 2), v)
      c += i32(v !== 0)
    }
    const o = out + <usize>i * outBytes
    gatheredSum(o, b, at, value, c, nOut, relu ? AFTER_RELU : AFTER_NONE, 0)
  }
}

/**
 * ½·squared-error output deltas: `delta[i] = out[i] − target[i]`; returns Σ delta² in f64.
 */
export function outputDelta(out: usize, target: usize, delta: usize, rows: i32): f64 {
  let sum: f64 = 0
  for (let i = 0; i < rows; i++) {
    const at = (<usize>i) << 2
    const r = load<f32>(out + at) - load<f32>(target + at)
    store<f32>(delta + at, r)
    sum += <f64>r * <f64>r
  }
  return sum
}

/**
 * Backpropagation through one layer for a minibatch: adds Σ_rows inputᵀ·delta to the weight
 * gradient `gw` and Σ_rows delta to the bias gradient `gb`; when `prev` is not 0 writes the
 * previous layer's delta, (delta · Wᵀ) masked by its ReLU (0 where that layer's output was 0).
 * `wt` is scratch for W transposed, `at` and `value` for up to max(rows, nIn, nOut) entries.
 */
export function denseBackward(
  input: usize,
  rows: i32,
  nIn: i32,
  nOut: i32,
  w: usize,
  gw: usize,
  gb: usize,
  delta: usize,
  prev: usize,
  wt: usize,
  at: usize,
  value: usize,
): void {
  const outBytes = (<usize>nOut) << 2
  const inBytes = (<usize>nIn) << 2
  addRows(gb, delta, rows, nOut)
  for (let k = 0; k < nIn; k++) {
    // The rows where input unit k is nonzero, as the address of their delta row and the value.
    let c = 0
    for (let i = 0; i < rows; i++) {
      const v = load<f32>(input + <usize>i * inBytes + ((<usize>k) << 2))
      // Written always, kept only when nonzero: no branch to mispredict on ReLU zeros.
      store<usize>(at + ((<usize>c) << 2), delta + <usize>i * outBytes)
      store<f32>(value + ((<usize>c) << 2), v)
      c += i32(v !== 0)
    }
    const g = gw + <usize>k * outBytes
    gatheredSum(g, g, at, value, c, nOut, AFTER_NONE, 0)
  }
  if (prev === 0) return
  // prev = delta · Wᵀ row by row: Wᵀ's rows (one per output unit) are gathered where the row's
  // delta is nonzero, and the sum is kept only where this layer's input was nonzero.
  transpose(w, nIn, nOut, wt)
  for (let i = 0; i < rows; i++) {
    const d = delta + <usize>i * outBytes
    let c = 0
    for (let j = 0; j < nOut; j++) {
      const v = load<f32>(d + ((<usize>j) << 2))
      // Written always, kept only when nonzero: no branch to mispredict on ReLU zeros.
      store<usize>(at + ((<usize>c) << 2), wt + <usize>j * inBytes)
      store<f32>(value + ((<usize>c) << 2), v)
      c += i32(v !== 0)
    }
    gatheredSum(prev + <usize>i * inBytes, 0, at, value, c, nIn, AFTER_MASK, input + <usize>i * inBytes)
  }
}

/** `t` (n × m) = `a` (m × n) transposed. */
function transpose(a: usize, m: i32, n: i32, t: usize): void {
  for (let r = 0; r < m; r++) {
    const row = a + <usize>r * ((<usize>n) << 2)
    for (let c = 0; c < n; c++) {
      store<f32>(t + ((<usize>(c * m + r)) << 2), load<f32>(row + ((<usize>c) << 2)))
    }
  }
}

// What gatheredSum does to each sum before storing it.
const AFTER_NONE = 0
const AFTER_RELU = 1
/** Keep the sum where `mask[j]` is nonzero, else store 0. */
const AFTER_MASK = 2

/**
 * `dst[j] = init[j] + Σ_q value[q] · load(at[q] + 4j)` for j < n, each sum taken over q in order
 * (`init` 0: start from 0), then `after` applied. Sixteen sums at a time are held in registers
 * while the gathered rows stream past.
 */
function gatheredSum(
  dst: usize,
  init: usize,
  at: usize,
  value: usize,
  c: i32,
  n: i32,
  after: i32,
  mask: usize,
): void {
  let j = 0
  for (; j + 16 <= n; j += 16) {
    const jb = (<usize>j) << 2
    let s0 = ZERO
    let s1 = ZERO
    let s2 = ZERO
    let s3 = ZERO
    if (init !== 0) {
      s0 = v128.load(init + jb)
      s1 = v128.load(init + jb, 16)
      s2 = v128.load(init + jb, 32)
      s3 = v128.load(init + jb, 48)
    }
    for (let q = 0; q < c; q++) {
      const row = load<usize>(at + ((<usize>q) << 2)) + jb
      const v = f32x4.splat(load<f32>(value + ((<usize>q) << 2)))
      s0 = f32x4.add(s0, f32x4.mul(v, v128.load(row)))
      s1 = f32x4.add(s1, f32x4.mul(v, v128.load(row, 16)))
      s2 = f32x4.add(s2, f32x4.mul(v, v128.load(row, 32)))
      s3 = f32x4.add(s3, f32x4.mul(v, v128.load(row, 48)))
    }
    if (after === AFTER_RELU) {
      s0 = f32x4.max(s0, ZERO)
      s1 = f32x4.max(s1, ZERO)
      s2 = f32x4.max(s2, ZERO)
      s3 = f32x4.max(s3, ZERO)
    } else if (after === AFTER_MASK) {
      s0 = v128.and(s0, f32x4.ne(v128.load(mask + jb), ZERO))
      s1 = v128.and(s1, f32x4.ne(v128.load(mask + jb, 16), ZERO))
      s2 = v128.and(s2, f32x4.ne(v128.load(mask + jb, 32), ZERO))
      s3 = v128.and(s3, f32x4.ne(v128.load(mask + jb, 48), ZERO))
    }
    v128.store(dst + jb, s0)
    v128.store(dst + jb, s1, 16)
    v128.store(dst + jb, s2, 32)
    v128.store(dst + jb, s3, 48)
  }
  for (; j + 4 <= n; j += 4) {
    const jb = (<usize>j) << 2
    let s = init !== 0 ? v128.load(init + jb) : ZERO
    for (let q = 0; q < c; q++) {
      const row = load<usize>(at + ((<usize>q) << 2)) + jb
      s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(value + ((<usize>q) << 2))), v128.load(row)))
    }
    if (after === AFTER_RELU) s = f32x4.max(s, ZERO)
    else if (after === AFTER_MASK) s = v128.and(s, f32x4.ne(v128.load(mask + jb), ZERO))
    v128.store(dst + jb, s)
  }
  for (; j < n; j++) {
    const jb = (<usize>j) << 2
    let s: f32 = init !== 0 ? load<f32>(init + jb) : 0
    for (let q = 0; q < c; q++) {
      s += load<f32>(value + ((<usize>q) << 2)) * load<f32>(load<usize>(at + ((<usize>q) << 2)) + jb)
    }
    if (after === AFTER_RELU && !(s > 0)) s = 0
    else if (after === AFTER_MASK && load<f32>(mask + jb) === 0) s = 0
    store<f32>(dst + jb, s)
  }
}

/** `sum[j] += Σ_i m[i][j]` for an m of rows × n. */
function addRows(sum: usize, m: usize, rows: i32, n: i32): void {
  const rowBytes = (<usize>n) << 2
  let j = 0
  for (; j + 4 <= n; j += 4) {
    const jb = (<usize>j) << 2
    let s = v128.load(sum + jb)
    for (let i = 0; i < rows; i++) s = f32x4.add(s, v128.load(m + <usize>i * rowBytes + jb))
    v128.store(sum + jb, s)
  }
  for (; j < n; j++) {
    const jb = (<usize>j) << 2
    let s = load<f32>(sum + jb)
    for (let i = 0; i < rows; i++) s += load<f32>(m + <usize>i * rowBytes + jb)
    store<f32>(sum + jb, s)
  }
}

/**
 * One Adam step in scikit-learn's form over `count` parameters: g = grad / rows (and grad is
 * cleared for the next minibatch), m and v updated, params −= step · m / (√v + ε).
 */
export function adamStep(
  params: usize,
  grad: usize,
  m: usize,
  v: usize,
  count: i32,
  invRows: f32,
  step: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
): void {
  const vInv = f32x4.splat(invRows)
  const vStep = f32x4.splat(step)
  const vB1 = f32x4.splat(beta1)
  const vB1c = f32x4.splat(1 - beta1)
  const vB2 = f32x4.splat(beta2)
  const vB2c = f32x4.splat(1 - beta2)
  const vEps = f32x4.splat(epsilon)
  let p = 0
  for (; p + 4 <= count; p += 4) {
    const o = (<usize>p) << 2
    const g = f32x4.mul(v128.load(grad + o), vInv)
    v128.store(grad + o, ZERO)
    const mp = f32x4.add(f32x4.mul(vB1, v128.load(m + o)), f32x4.mul(vB1c, g))
    const vp = f32x4.add(f32x4.mul(vB2, v128.load(v + o)), f32x4.mul(vB2c, f32x4.mul(g, g)))
    v128.store(m + o, mp)
    v128.store(v + o, vp)
    const delta = f32x4.div(f32x4.mul(vStep, mp), f32x4.add(f32x4.sqrt(vp), vEps))
    v128.store(params + o, f32x4.sub(v128.load(params + o), delta))
  }
  for (; p < count; p++) {
    const o = (<usize>p) << 2
    const g = load<f32>(grad + o) * invRows
    store<f32>(grad + o, 0)
    const mp = beta1 * load<f32>(m + o) + (1 - beta1) * g
    const vp = beta2 * load<f32>(v + o) + (1 - beta2) * (g * g)
    store<f32>(m + o, mp)
    store<f32>(v + o, vp)
    store<f32>(params + o, load<f32>(params + o) - (step * mp) / (Mathf.sqrt(vp) + epsilon))
  }
}
