// Reads a chain file that ChainFileWriter wrote (layout.ts): the steps up to emcee's
// `iteration` (datasets may be longer: they grow a block at a time), parafit's per-step state,
// and the problem the file was written for. Every way the file can fail to be one, from a
// missing file to a truncated one, is a ChainFileError that says what is wrong.

import { existsSync } from 'node:fs'
import type { Blob } from '../batch-results.ts'
import { ChainFileError } from '../errors.ts'
import { decodeBlobs } from './blob-columns.ts'
import {
  type Dataset,
  type File,
  type Group,
  hdf5Reason,
  loadedHdf5,
  loadHdf5,
  numberAttribute,
  readRows,
  stringAttribute,
  stringListAttribute,
} from './hdf5.ts'
import {
  type ChainFileProblem,
  FORMAT,
  FORMAT_VERSION,
  PARAFIT_GROUP,
  PARAFIT_VERSION,
  parafitPath,
} from './layout.ts'

export interface ChainFileContents {
  readonly problem: ChainFileProblem
  /** Steps in the file. */
  readonly iteration: number
  /** Per step: the walkers' points, flat, walker by walker. */
  readonly chain: Float64Array[]
  readonly logProb: Float64Array[]
  readonly blobs: (Blob | undefined)[][]
  readonly blobColumns: string[] | undefined
  /** Per walker: accepted proposals over the steps. */
  readonly acceptedTotals: Float64Array
  readonly nBadValues: number
  /** The random stream's state after the last step. */
  readonly randomState: number[]
}

/** A problem with the file, thrown inside the reader and given the path on the way out. */
class Unusable extends Error {
  readonly reason: 'unreadable' | 'not-resumable'
  constructor(reason: 'unreadable' | 'not-resumable', message: string) {
    super(message)
    this.reason = reason
  }
}

export async function readChainFile(path: string, group: string): Promise<ChainFileContents> {
  if (!existsSync(path)) {
    throw new ChainFileError(path, 'unreadable', `there is no chain file ${path}; nothing to resume`)
  }
  const h5wasm = await loadHdf5()
  let file: File
  try {
    file = new h5wasm.File(path, 'r')
  } catch (error) {
    const reason = hdf5Reason(error)
    const what = /truncated/i.test(reason)
      ? 'it is truncated (cut short while it was written, or copied in part)'
      : /signature/i.test(reason)
        ? 'it is not an HDF5 file'
        : 'it is damaged or not an HDF5 file'
    throw new ChainFileError(
      path,
      'unreadable',
      `cannot read the chain file ${path}: ${what} (HDF5: ${reason})`,
      {
        cause: error,
      },
    )
  }
  try {
    return readContents(file, group)
  } catch (error) {
    if (error instanceof Unusable)
      throw new ChainFileError(path, error.reason, `the chain file ${path} ${error.message}`)
    throw new ChainFileError(
      path,
      'unreadable',
      `cannot read the chain file ${path}: ${hdf5Reason(error)}. It is damaged (a run killed while it ` +
        'wrote the file, a disk fault, a partial copy?)',
      { cause: error },
    )
  } finally {
    try {
      file.close()
    } catch {
      // Nothing more can be done with a handle that does not close.
    }
  }
}

function readContents(file: File, group: string): ChainFileContents {
  const mcmc = childGroup(file, group)
  if (mcmc === undefined) {
    throw new Unusable(
      'unreadable',
      `holds no chain in group '${group}' (it holds: ${file.keys().join(', ') || 'nothing'})`,
    )
  }
  const parafit = childGroup(file, PARAFIT_GROUP) && childGroup(file, parafitPath(group))
  if (parafit === undefined) {
    throw new Unusable(
      'not-resumable',
      `was not written by parafit (it has no group '${parafitPath(group)}'): parafit resumes only its own chain ` +
        'files. emcee and h5py read this one',
    )
  }
  if (stringAttribute(parafit, 'format') !== FORMAT) {
    throw new Unusable(
      'not-resumable',
      `is not a parafit chain file ('${parafitPath(group)}' has no format '${FORMAT}')`,
    )
  }
  const version = numberAttribute(parafit, 'format_version')
  if (version !== FORMAT_VERSION) {
    throw new Unusable(
      'not-resumable',
      `has chain-file format version ${version}, written by parafit ` +
        `${stringAttribute(parafit, 'parafit_version') ?? '(version not recorded)'}; this parafit ` +
        `(${PARAFIT_VERSION}) reads version ${FORMAT_VERSION}. Resume it with the parafit version ` +
        'that wrote it, or start afresh with another chainFile.path',
    )
  }
  const count = (g: Group, name: string, min: number) => {
    const value = numberAttribute(g, name)
    if (value === undefined || !Number.isSafeInteger(value) || value < min) {
      throw new Unusable(
        'unreadable',
        `is damaged: attribute '${g.path}/${name}' is ${value}, not an integer ≥ ${min}`,
      )
    }
    return value
  }
  const nWalkers = count(mcmc, 'nwalkers', 2)
  const nDim = count(mcmc, 'ndim', 1)
  const iteration = count(mcmc, 'iteration', 0)
  const problem: ChainFileProblem = {
    nWalkers: count(parafit, 'nwalkers', 2),
    nDim: count(parafit, 'ndim', 1),
    moves: stringAttribute(parafit, 'moves') ?? '(not recorded)',
    parameterNames: stringListAttribute(parafit, 'parameter_names'),
    seed: numberAttribute(parafit, 'seed') ?? Number.NaN,
  }
  if (problem.nWalkers !== nWalkers || problem.nDim !== nDim) {
    throw new Unusable(
      'unreadable',
      `is inconsistent: '${group}' has ${nWalkers} walkers × ${nDim} dimensions, '${parafitPath(group)}' ` +
        `${problem.nWalkers} × ${problem.nDim}`,
    )
  }
  const written = count(parafit, 'iteration', 0)
  if (written < iteration) {
    throw new Unusable(
      'not-resumable',
      `holds ${iteration} steps, but parafit wrote only ${written} of them: another program (emcee's ` +
        'run_mcmc?) continued it. parafit resumes only from its own last step; read the file with emcee, or ' +
        'resume from a copy made before it was continued',
    )
  }
  if (iteration === 0) {
    throw new Unusable(
      'not-resumable',
      'holds no steps yet, so there is nothing to resume: give a new EnsembleSampler this chainFile.path ' +
        'instead (an empty chain is taken over)',
    )
  }
  // A crash between parafit's count and emcee's leaves parafit's one ahead; emcee's counts.
  const rows = (g: Group, name: string, rowShape: readonly number[]): Float64Array[] => {
    const dataset = childDataset(g, name)
    const shape = dataset?.shape
    const ok =
      dataset !== undefined &&
      shape !== undefined &&
      shape !== null &&
      shape.length === rowShape.length + 1 &&
      shape[0]! >= iteration &&
      rowShape.every((n, i) => n < 0 || shape[i + 1] === n)
    if (!ok) {
      throw new Unusable(
        'unreadable',
        `is damaged: '${g.path}/${name}' should have shape (≥ ${iteration}, ${rowShape.join(', ')}), ` +
          `has ${shape === undefined ? 'no such dataset' : `(${shape?.join(', ')})`}`,
      )
    }
    return readRows(dataset, iteration)
  }
  const chain = rows(mcmc, 'chain', [nWalkers, nDim])
  const logProb = rows(mcmc, 'log_prob', [nWalkers])
  const states = rows(parafit, 'random_state', [-1])
  const accepted = rows(parafit, 'accepted', [nWalkers])
  const badValues = rows(parafit, 'bad_values', [])
  const randomState = [...states.at(-1)!] // iteration ≥ 1 rows, checked above
  if (!randomState.every(Number.isSafeInteger)) {
    throw new Unusable('unreadable', `is damaged: the random state after step ${iteration} is not integers`)
  }
  const acceptedTotals = new Float64Array(nWalkers)
  for (const row of accepted) for (let k = 0; k < nWalkers; k++) acceptedTotals[k]! += row[k]!
  const blobDataset = childDataset(parafit, 'blobs')
  const blobColumns = blobDataset === undefined ? undefined : stringListAttribute(blobDataset, 'names')
  let blobs: (Blob | undefined)[][]
  if (blobDataset === undefined || blobColumns === undefined) {
    blobs = chain.map(() => new Array<Blob | undefined>(nWalkers).fill(undefined))
  } else {
    const values = rows(parafit, 'blobs', [nWalkers, blobColumns.length])
    const kinds = rows(parafit, 'blob_kind', [nWalkers])
    blobs = values.map((v, s) => decodeBlobs(v, kinds[s]!, blobColumns))
  }
  return {
    problem,
    iteration,
    chain,
    logProb,
    blobs,
    blobColumns: blobDataset === undefined ? undefined : blobColumns,
    acceptedTotals,
    nBadValues: badValues.reduce((s, row) => s + row[0]!, 0),
    randomState,
  }
}

function childGroup(file: File, path: string): Group | undefined {
  const entity = file.get(path)
  return entity instanceof loadedHdf5().Group ? entity : undefined
}

function childDataset(group: Group, name: string): Dataset | undefined {
  if (!group.keys().includes(name)) return undefined
  const entity = group.get(name)
  return entity instanceof loadedHdf5().Dataset ? entity : undefined
}
