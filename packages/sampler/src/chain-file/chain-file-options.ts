// EnsembleSampler's chainFile option, checked; and opening an existing file to continue it
// (EnsembleSampler.resume), refused with the differences when it is another problem's.

import { checkOptionKeys, optionKeys, ValidationError, wholeNumber } from '@parafit/core'
import { ChainFileError } from '../errors.ts'
import { type ChainFileContents, readChainFile } from './chain-file-reader.ts'
import { ChainFileWriter } from './chain-file-writer.ts'
import { type ChainFileProblem, DEFAULT_GROUP, PARAFIT_GROUP, problemDifferences } from './layout.ts'

export interface ChainFileOptions {
  /** The HDF5 file. A new sampler creates it at its first run(), and refuses to write over a chain in it. */
  readonly path: string
  /** Write every `every` steps (default 1: each step). The end of every run, aborted or failed, is always written. */
  readonly every?: number
  /** The group of emcee's layout, HDFBackend's `name` (default 'mcmc'); parafit's part goes in parafit/<group>. */
  readonly group?: string
  /** nDim names for the parameters: written into the file, and checked when it is resumed. */
  readonly parameterNames?: readonly string[]
}

const CHAIN_FILE_OPTION_KEYS = optionKeys<ChainFileOptions>()(['path', 'every', 'group', 'parameterNames'])

export interface ChainFileSettings {
  readonly path: string
  readonly every: number
  readonly group: string
  readonly parameterNames: readonly string[] | undefined
}

export function chainFileSettings(options: ChainFileOptions, nDim: number): ChainFileSettings {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('chainFile must be { path, every?, group?, parameterNames? }', 'chainFile')
  }
  checkOptionKeys(options, CHAIN_FILE_OPTION_KEYS, 'chainFile options', 'chainFile')
  if (typeof options.path !== 'string' || options.path === '') {
    throw new ValidationError('chainFile.path must be the path of the HDF5 file to write', 'chainFile.path')
  }
  const group = options.group ?? DEFAULT_GROUP
  if (typeof group !== 'string' || !/^[^/.][^/]*$/.test(group) || group === PARAFIT_GROUP) {
    throw new ValidationError(
      `chainFile.group must be a group name without '/' (not '${PARAFIT_GROUP}'), got ${String(group)}`,
      'chainFile.group',
    )
  }
  const names = options.parameterNames
  if (
    names !== undefined &&
    !(Array.isArray(names) && names.length === nDim && names.every((n) => typeof n === 'string'))
  ) {
    throw new ValidationError(
      `chainFile.parameterNames must be ${nDim} strings (nDim)`,
      'chainFile.parameterNames',
    )
  }
  return {
    path: options.path,
    every: wholeNumber(options.every ?? 1, 'chainFile.every', { min: 1 }),
    group,
    parameterNames: names === undefined ? undefined : [...names],
  }
}

/**
 * Reads the file to continue, checks that it is this problem's, and returns its contents and a
 * writer that appends after them.
 */
export async function continueChainFile(
  settings: ChainFileSettings,
  problem: ChainFileProblem,
  given: { readonly seed: boolean; readonly parameterNames: boolean },
): Promise<{ contents: ChainFileContents; writer: ChainFileWriter }> {
  const contents = await readChainFile(settings.path, settings.group)
  const differences = problemDifferences(contents.problem, problem, given)
  if (differences.length > 0) {
    throw new ChainFileError(
      settings.path,
      'mismatch',
      `the chain file ${settings.path} is from another problem: ${differences.join('; ')}. Resume it with the ` +
        'options it was written with, or give a new sampler another chainFile.path (or group) to start afresh',
    )
  }
  // The file's names and seed when the options leave them out.
  const writer = new ChainFileWriter(settings.path, settings.group, contents.problem)
  writer.adopt(contents)
  return { contents, writer }
}
