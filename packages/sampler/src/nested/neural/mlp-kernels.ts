// The WebAssembly training kernels (assembly/mlp-kernels.ts) on the JavaScript side: one
// instance per thread, compiled on first use, and a bump layout of f32 arrays in its memory.
// JavaScript runs one training at a time per thread, so a layout may reuse the memory from
// the start each time.

import { MLP_KERNELS_WASM } from './mlp-kernels.wasm.ts'

// The few WebAssembly JS-API members used here, typed locally: the project's `lib` settings
// (Node types without the DOM) do not declare the WebAssembly namespace.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: unknown }
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** The kernels' exports; every pointer is a byte offset into `memory`. */
export interface MlpKernels {
  readonly memory: WasmMemory
  heapBase(): number
  gatherBatch(
    x: number,
    y: number,
    order: number,
    start: number,
    rows: number,
    d: number,
    xb: number,
    yb: number,
  ): void
  denseForward(
    input: number,
    rows: number,
    nIn: number,
    nOut: number,
    w: number,
    b: number,
    out: number,
    relu: number,
    at: number,
    value: number,
  ): void
  /** Writes out − target into delta and returns Σ (out − target)² (summed in f64). */
  outputDelta(out: number, target: number, delta: number, rows: number): number
  denseBackward(
    input: number,
    rows: number,
    nIn: number,
    nOut: number,
    w: number,
    gw: number,
    gb: number,
    delta: number,
    prev: number,
    wt: number,
    at: number,
    value: number,
  ): void
  adamStep(
    params: number,
    grad: number,
    m: number,
    v: number,
    count: number,
    invRows: number,
    step: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ): void
}

let instance: MlpKernels | undefined

/** This thread's kernels, compiled on first use. */
export function mlpKernels(): MlpKernels {
  if (instance === undefined) {
    const module = new wasm.Module(Buffer.from(MLP_KERNELS_WASM, 'base64'))
    instance = new wasm.Instance(module).exports as MlpKernels
  }
  return instance
}

const PAGE = 65536

/**
 * Places arrays of 4-byte numbers (f32 or u32) one after another in the kernels' memory, each
 * 16-byte aligned. `allocate` returns byte offsets; `commit` grows the memory to hold them all,
 * after which `f32`/`u32` give views (valid until the next layout's `commit`).
 */
export class KernelLayout {
  readonly kernels: MlpKernels
  #end: number

  constructor(kernels: MlpKernels) {
    this.kernels = kernels
    this.#end = align(kernels.heapBase())
  }

  /** Room for `count` numbers; returns its byte offset. */
  allocate(count: number): number {
    const at = this.#end
    this.#end = align(at + 4 * count)
    return at
  }

  /** Grows the memory to hold everything allocated. */
  commit(): void {
    const { memory } = this.kernels
    const missing = this.#end - memory.buffer.byteLength
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE))
  }

  f32(at: number, count: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, at, count)
  }

  u32(at: number, count: number): Uint32Array {
    return new Uint32Array(this.kernels.memory.buffer, at, count)
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16
}
