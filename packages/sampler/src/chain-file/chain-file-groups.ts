// The chain file's groups (layout.ts): made empty for a new chain, as emcee's HDFBackend.reset()
// makes its own and parafit's beside it, and looked up when the file is opened to append.

import { ChainFileError } from '../errors.ts'
import {
  createRows,
  type Dataset,
  type File,
  type Group,
  numberAttribute,
  seedAttribute,
  setAttribute,
} from './hdf5.ts'
import {
  type ChainFileProblem,
  FORMAT,
  FORMAT_VERSION,
  PARAFIT_GROUP,
  PARAFIT_VERSION,
  parafitPath,
} from './layout.ts'

/** The open groups of one chain, and its datasets. */
export interface ChainGroups {
  readonly file: File
  readonly mcmc: Group
  readonly parafit: Group
  readonly accepted: Dataset
  /** The per-step datasets there are, by 'mcmc/<name>' or 'parafit/<name>'. */
  readonly rows: Map<string, Dataset>
}

/**
 * Makes `group` and parafit/`group` in the file, with no steps; refuses a file that already
 * holds a chain there. random_state and the blob datasets are made with the first steps.
 */
export function createChainGroups(
  file: File,
  path: string,
  group: string,
  problem: ChainFileProblem,
  blockRows: number,
): void {
  const { nWalkers: w, nDim: d } = problem
  const keys = file.keys()
  const parafitRoot = keys.includes(PARAFIT_GROUP) ? (file.get(PARAFIT_GROUP) as Group) : undefined
  if (keys.includes(group) || parafitRoot?.keys().includes(group)) {
    // A chain with no step (a run that stopped before its first) holds nothing to lose: taken over.
    const parafit = parafitRoot?.keys().includes(group) ? (parafitRoot.get(group) as Group) : undefined
    if (parafit !== undefined && isEmptyChain(file.get(group) as Group | null, parafit, w, d)) {
      writeProblem(parafit, problem, true)
      file.flush()
      return
    }
    throw new ChainFileError(
      path,
      'exists',
      `the chain file ${path} already holds a chain in group '${group}'. Continue it with ` +
        'EnsembleSampler.resume(options), or remove the file, or choose another chainFile.path or group',
    )
  }
  const mcmc = file.create_group(group)
  setAttribute(mcmc, 'version', `parafit ${PARAFIT_VERSION}`, false)
  setAttribute(mcmc, 'nwalkers', { int64: w }, false)
  setAttribute(mcmc, 'ndim', { int64: d }, false)
  setAttribute(mcmc, 'has_blobs', { int8: 0 }, false)
  setAttribute(mcmc, 'iteration', { int64: 0 }, false)
  mcmc.create_dataset({ name: 'accepted', data: new Float64Array(w), dtype: '<d' })
  createRows(mcmc, 'chain', [w, d], '<d', blockRows)
  createRows(mcmc, 'log_prob', [w], '<d', blockRows)

  const parafit = (parafitRoot ?? file.create_group(PARAFIT_GROUP)).create_group(group)
  setAttribute(parafit, 'format', FORMAT, false)
  setAttribute(parafit, 'format_version', { int64: FORMAT_VERSION }, false)
  setAttribute(parafit, 'nwalkers', { int64: w }, false)
  setAttribute(parafit, 'ndim', { int64: d }, false)
  writeProblem(parafit, problem, false)
  setAttribute(parafit, 'iteration', { int64: 0 }, false)
  createRows(parafit, 'accepted', [w], '<b', blockRows)
  createRows(parafit, 'bad_values', [], '<d', blockRows)
  file.flush()
}

/** What the sampler that writes the chain is: the version, seed, moves and parameter names. */
function writeProblem(parafit: Group, problem: ChainFileProblem, replace: boolean): void {
  const exists = replace ? undefined : false
  setAttribute(parafit, 'parafit_version', PARAFIT_VERSION, exists)
  setAttribute(parafit, 'seed', seedAttribute(problem.seed), exists)
  setAttribute(parafit, 'moves', problem.moves, exists)
  if (problem.parameterNames !== undefined) {
    setAttribute(parafit, 'parameter_names', problem.parameterNames, exists)
  } else if (replace && 'parameter_names' in parafit.attrs) {
    parafit.delete_attribute('parameter_names')
  }
}

/** Whether the chain in these groups has no step and the shape of this problem's walkers. */
function isEmptyChain(mcmc: Group | null, parafit: Group, nWalkers: number, nDim: number): boolean {
  return (
    mcmc !== null &&
    numberAttribute(mcmc, 'iteration') === 0 &&
    numberAttribute(parafit, 'iteration') === 0 &&
    numberAttribute(mcmc, 'nwalkers') === nWalkers &&
    numberAttribute(mcmc, 'ndim') === nDim
  )
}

/** The groups and datasets of the chain in `group`, for appending. */
export function openChainGroups(file: File, group: string): ChainGroups {
  const mcmc = file.get(group) as Group | null
  const parafit = file.get(parafitPath(group)) as Group | null
  if (mcmc === null || parafit === null) {
    // Caught by the writer, which raises it as a ChainFileError naming the file.
    throw new Error(`the groups '${group}' and '${parafitPath(group)}' are no longer in the file`)
  }
  const rows = new Map<string, Dataset>()
  const perStep = [
    ['mcmc', mcmc, ['chain', 'log_prob']],
    ['parafit', parafit, ['random_state', 'accepted', 'bad_values', 'blobs', 'blob_kind']],
  ] as const
  for (const [prefix, parent, names] of perStep) {
    const present = parent.keys()
    for (const name of names) {
      if (present.includes(name)) rows.set(`${prefix}/${name}`, parent.get(name) as Dataset)
    }
  }
  return { file, mcmc, parafit, accepted: mcmc.get('accepted') as Dataset, rows }
}
