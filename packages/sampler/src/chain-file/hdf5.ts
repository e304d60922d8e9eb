// The few HDF5 operations the chain file needs, over h5wasm (HDF5 compiled to WebAssembly; files
// are read and written in place through Node's file system). h5wasm is loaded on first use only:
// it is ~4 MB of JavaScript and wasm that a sampler without a chain file never needs.
//
// h5wasm's pitfalls, handled here: its dtype letters are Python struct's, not numpy's ('<q' is
// int64, '<i8' would be int32); attributes cannot be overwritten, only deleted and created again;
// HDF5 errors only print unless the throwing handler is on; a failed call can leave the file's
// handles open in this process, so a handle that failed is never used again.
//
// Its plain Errors never reach the user as they are: the chain file's reader and writer catch
// them and raise a ChainFileError naming the file (h5wasm used before loadHdf5() is our own bug).

import type { Dataset, Group } from 'h5wasm/node'

export type H5wasm = typeof import('h5wasm/node')['default']
export type { Dataset, File, Group } from 'h5wasm/node'

let loading: Promise<H5wasm> | undefined
let loaded: H5wasm | undefined

/** h5wasm, ready, with HDF5 errors thrown as exceptions. */
export function loadHdf5(): Promise<H5wasm> {
  loading ??= (async () => {
    const { default: h5wasm } = await import('h5wasm/node')
    const module = await h5wasm.ready
    module.activate_throwing_error_handler()
    loaded = h5wasm
    return h5wasm
  })()
  return loading
}

/** h5wasm, once loadHdf5() has resolved (every call after it is synchronous). */
export function loadedHdf5(): H5wasm {
  if (loaded === undefined) throw new Error('h5wasm is used before loadHdf5() resolved')
  return loaded
}

/**
 * The innermost message of an HDF5 error ("truncated file: eof = ...", "file signature not
 * found"), without HDF5's stack of source lines; other errors' messages as they are.
 */
export function hdf5Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const entries = [...message.matchAll(/#\d+:.*? in \w+\(\): (.*)$/gm)]
  return (entries.at(-1)?.[1] ?? message).trim()
}

/** int64 ('<q'), float64 ('<d'), int8 ('<b'); strings are HDF5 variable-length strings. */
export type AttributeValue =
  | { readonly int64: number }
  | { readonly float64: number }
  | { readonly int8: number }
  | string
  | readonly string[]

/** Creates the attribute, replacing one of the same name (`exists`: known to exist, skip the lookup). */
export function setAttribute(
  object: Group | Dataset,
  name: string,
  value: AttributeValue,
  exists?: boolean,
): void {
  if (exists ?? name in object.attrs) object.delete_attribute(name)
  if (typeof value === 'string') object.create_attribute(name, value)
  else if (Array.isArray(value)) object.create_attribute(name, [...(value as readonly string[])])
  // h5wasm takes a bigint for int64, though its types leave it out.
  else if ('int64' in value)
    object.create_attribute(name, BigInt(value.int64) as unknown as number, null, '<q')
  else if ('float64' in value) object.create_attribute(name, value.float64, null, '<d')
  else object.create_attribute(name, (value as { int8: number }).int8, null, '<b')
}

/**
 * A seed as an attribute: int64 when it is a safe integer (what h5py users expect of a seed),
 * float64 otherwise (the samplers take any finite seed; int64 cannot hold 1.5). numberAttribute
 * reads either back as the number written.
 */
export function seedAttribute(seed: number): AttributeValue {
  return Number.isSafeInteger(seed) ? { int64: seed } : { float64: seed }
}

/** An attribute's value as plain data, or undefined when there is no such attribute. */
export function getAttribute(object: Group | Dataset, name: string): unknown {
  if (!(name in object.attrs)) return undefined
  return object.get_attribute(name, false)
}

/** A scalar numeric attribute as a number (int64 arrives as a bigint); undefined otherwise. */
export function numberAttribute(object: Group | Dataset, name: string): number | undefined {
  let value = getAttribute(object, name)
  if (ArrayBuffer.isView(value) && (value as unknown as ArrayLike<unknown>).length === 1)
    value = (value as unknown as ArrayLike<unknown>)[0]
  if (typeof value === 'bigint') return Number(value)
  return typeof value === 'number' ? value : undefined
}

/** A string attribute (or a list of strings), or undefined when it is not one. */
export function stringAttribute(object: Group | Dataset, name: string): string | undefined {
  const value = getAttribute(object, name)
  return typeof value === 'string' ? value : undefined
}

export function stringListAttribute(object: Group | Dataset, name: string): string[] | undefined {
  const value = getAttribute(object, name)
  if (typeof value === 'string') return [value]
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined
}

type RowDtype = '<d' | '<b'

/**
 * A dataset of rows (one per step) that grows along axis 0 only: chunked `blockRows` rows at a
 * time, unlimited along axis 0 (emcee's grow() resizes it), created one block long.
 */
export function createRows(
  group: Group,
  name: string,
  rowShape: readonly number[],
  dtype: RowDtype,
  blockRows: number,
): Dataset {
  const size = blockRows * rowShape.reduce((p, n) => p * n, 1)
  return group.create_dataset({
    name,
    data: dtype === '<d' ? new Float64Array(size) : new Int8Array(size),
    shape: [blockRows, ...rowShape],
    maxshape: [null, ...rowShape],
    chunks: [blockRows, ...rowShape],
    dtype,
  })
}

/** The parts end to end, as float64 or int8: the rows of several steps in one write. */
export function concatRows(parts: readonly ArrayLike<number>[], int8 = false): Float64Array | Int8Array {
  const size = parts.reduce((s, p) => s + p.length, 0)
  const out = int8 ? new Int8Array(size) : new Float64Array(size)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Writes rows [from, from + nRows), first growing the dataset to a whole number of blocks. */
export function writeRows(
  dataset: Dataset,
  from: number,
  nRows: number,
  data: Float64Array | Int8Array,
  blockRows: number,
): void {
  const [length, ...rowShape] = dataset.shape ?? []
  if (length === undefined) throw new Error(`${dataset.path} is a scalar, not rows`)
  if (from + nRows > length) dataset.resize([Math.ceil((from + nRows) / blockRows) * blockRows, ...rowShape])
  dataset.write_slice([[from, from + nRows]], data)
}

/**
 * Rows [0, nRows) of a dataset, one array per row, read a few MiB at a time so a long chain does
 * not need one buffer as large as itself in the wasm heap. float64, or int8 widened to numbers.
 */
export function readRows(dataset: Dataset, nRows: number): Float64Array[] {
  const rowSize = (dataset.shape ?? []).slice(1).reduce((p, n) => p * n, 1)
  const perRead = Math.max(1, Math.floor(2_097_152 / rowSize))
  const out: Float64Array[] = []
  for (let from = 0; from < nRows; from += perRead) {
    const to = Math.min(nRows, from + perRead)
    const value = dataset.slice([[from, to]])
    let data: Float64Array
    if (value instanceof Float64Array) data = value
    else if (value instanceof Int8Array || value instanceof Uint8Array) data = Float64Array.from(value)
    else throw new Error(`${dataset.path} holds ${JSON.stringify(dataset.dtype)}, not float64 or int8`)
    if (data.length !== (to - from) * rowSize) throw new Error(`${dataset.path}: short read`)
    for (let r = 0; r < to - from; r++) out.push(data.slice(r * rowSize, (r + 1) * rowSize))
  }
  return out
}
