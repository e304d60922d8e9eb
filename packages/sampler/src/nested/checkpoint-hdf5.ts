// The nested sampler's checkpoint as HDF5, for a checkpoint path ending .h5 or .hdf5: what a
// Python user reads with h5py beside what an exact resume needs.
//
//   /points      N × d   every point kept, in the unit cube (shell by shell)
//   /samples     N × d   the same points through the prior (attribute `names`)
//   /log_l       N       their ln L
//   /shell       N       the shell each belongs to
//   /shells/     log_l_min, log_v (its bound's ln volume), n_sample (draws made), n_points
//   /parafit_state       the whole state (bounds with their ellipsoids, networks and draw
//                        caches; batches in flight; counters) as node:v8 bytes, read on resume
//
// Root attributes: format, version, n_like, explored, and the random state (seed, next_batch,
// bound_attempts: the streams are keyed by them). Written whole or not at all (core's
// replaceFile), so a crash leaves the previous checkpoint whole.

import { open } from 'node:fs/promises'
import { replaceFile } from '@parafit/core'
import type { File } from '../chain-file/hdf5.ts'
import { hdf5Reason, loadHdf5, seedAttribute, setAttribute, stringAttribute } from '../chain-file/hdf5.ts'
import { NestedCheckpointError } from '../errors.ts'
import type { Prior } from '../prior/prior.ts'
import type { NestedCheckpoint } from './checkpoint.ts'
import { decodeState, encodeState } from './state-bytes.ts'

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

/** Whether the checkpoint path asks for HDF5. */
export function isHdf5Path(path: string): boolean {
  return /\.(h5|hdf5)$/i.test(path)
}

/** Every point's row, filled straight into the arrays the datasets take (the file is rewritten whole). */
function table(data: NestedCheckpoint, prior: Prior | undefined) {
  const d = data.settings.dimensions
  const n = data.shells.reduce((sum, s) => sum + s.points.length, 0)
  const points = new Float64Array(n * d)
  const samples = new Float64Array(prior === undefined ? 0 : n * d)
  const logL = new Float64Array(n)
  const shell = new BigInt64Array(n)
  const x = new Float64Array(d)
  let row = 0
  data.shells.forEach((s, i) => {
    s.points.forEach((u, k) => {
      points.set(u, row * d)
      if (prior !== undefined) {
        prior.transformInto(u, x)
        samples.set(x, row * d)
      }
      logL[row] = s.logL[k]!
      shell[row] = BigInt(i)
      row++
    })
  })
  return { points, samples, logL, shell, n, d }
}

/** What the HDF5 file shows beside the state: the points through the prior, the bounds' volumes. */
export interface ReadableExtras {
  readonly prior: Prior
  /** Each shell's bound's ln volume, in shell order. */
  readonly logVolumes: readonly number[]
}

/** The datasets and attributes of the checkpoint file (see the top of this file). */
function writeContents(file: File, data: NestedCheckpoint, readable: ReadableExtras | undefined): void {
  const prior = readable?.prior
  const { points, samples, logL, shell, n, d } = table(data, prior)
  setAttribute(file, 'format', data.format)
  setAttribute(file, 'version', { int64: data.version })
  setAttribute(file, 'n_like', { int64: data.counters.nLike })
  setAttribute(file, 'explored', { int8: data.counters.explored ? 1 : 0 })
  // The random state: every stream is keyed by (seed, purpose, index), so the seed and the
  // next batch's number (and the bound attempts so far) are where the streams stand.
  setAttribute(file, 'seed', seedAttribute(data.settings.seed))
  setAttribute(file, 'next_batch', { int64: data.counters.nextBatch })
  setAttribute(file, 'bound_attempts', { int64: data.counters.boundAttempts })
  file.create_dataset({ name: 'points', data: points, shape: [n, d], dtype: '<d' })
  if (prior !== undefined) {
    const dataset = file.create_dataset({
      name: 'samples',
      data: samples,
      shape: [n, d],
      dtype: '<d',
    })
    setAttribute(dataset, 'names', [...prior.keys])
  }
  file.create_dataset({ name: 'log_l', data: logL, shape: [n], dtype: '<d' })
  file.create_dataset({ name: 'shell', data: shell, shape: [n], dtype: '<q' })
  const shells = file.create_group('shells')
  const s = data.shells.length
  shells.create_dataset({
    name: 'log_l_min',
    data: Float64Array.from(data.shells, (r) => r.logLMin),
    shape: [s],
    dtype: '<d',
  })
  if (readable !== undefined && readable.logVolumes.length === s) {
    shells.create_dataset({
      name: 'log_v',
      data: Float64Array.from(readable.logVolumes),
      shape: [s],
      dtype: '<d',
    })
  }
  shells.create_dataset({
    name: 'n_sample',
    data: BigInt64Array.from(data.shells, (r) => BigInt(r.nSample)),
    shape: [s],
    dtype: '<q',
  })
  shells.create_dataset({
    name: 'n_points',
    data: BigInt64Array.from(data.shells, (r) => BigInt(r.logL.length)),
    shape: [s],
    dtype: '<q',
  })
  const state = encodeState(data)
  file.create_dataset({
    name: 'parafit_state',
    data: new Uint8Array(state),
    shape: [state.length],
    dtype: '<B',
  })
}

export async function writeNestedCheckpointHdf5(
  path: string,
  data: NestedCheckpoint,
  readable: ReadableExtras | undefined,
): Promise<void> {
  try {
    await replaceFile(path, async (temporary) => {
      const h5wasm = await loadHdf5()
      const file = new h5wasm.File(temporary, 'w')
      try {
        writeContents(file, data, readable)
      } catch (error) {
        try {
          file.close()
        } catch {
          // the handle failed with the write; replaceFile removes the temporary file
        }
        throw error
      }
      file.close()
    })
  } catch (error) {
    throw new NestedCheckpointError(path, `cannot write the checkpoint ${path}: ${hdf5Reason(error)}`, {
      cause: error,
    })
  }
}

/** The checkpoint in an HDF5 file, or undefined when there is no file. */
export async function readNestedCheckpointHdf5(path: string): Promise<NestedCheckpoint | undefined> {
  // Only the signature is read here; h5wasm reads the file itself.
  const head = Buffer.alloc(HDF5_SIGNATURE.length)
  try {
    const handle = await open(path, 'r')
    try {
      await handle.read(head, 0, head.length, 0)
    } finally {
      await handle.close()
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new NestedCheckpointError(path, `cannot read the checkpoint ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (!head.equals(HDF5_SIGNATURE)) {
    throw new NestedCheckpointError(
      path,
      `${path} is not an HDF5 file, so not a nested sampler checkpoint; remove it or choose another checkpoint.path`,
    )
  }
  const h5wasm = await loadHdf5()
  let file: File | undefined
  try {
    file = new h5wasm.File(path, 'r')
    // The format is checked again, with the version, on the state itself (checkpoint.ts).
    if (stringAttribute(file, 'format') !== 'parafit-nested-checkpoint') {
      throw new Error('it has no parafit nested checkpoint in it')
    }
    const dataset = file.get('parafit_state')
    const bytes = (dataset as { value?: unknown } | null)?.value
    if (!(bytes instanceof Uint8Array)) throw new Error('its parafit_state is missing')
    return decodeState(bytes)
  } catch (error) {
    throw new NestedCheckpointError(
      path,
      `${path} is not a nested sampler checkpoint that can be read (${hdf5Reason(error)}); remove it or choose another checkpoint.path`,
      { cause: error },
    )
  } finally {
    try {
      file?.close()
    } catch {
      // nothing more to do with a handle that failed
    }
  }
}
