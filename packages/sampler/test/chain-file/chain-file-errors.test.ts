// Chain files that cannot be used fail with a ChainFileError whose reason and message say what
// is wrong and what to do: missing, truncated, not HDF5, damaged, another problem's, another
// format version's, not parafit's, with no steps, removed mid-way, or about to be written over.
// Bad options fail with a ValidationError naming the option.

import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ValidationError } from '@parafit/core'
import { afterAll, describe, expect, test } from 'vitest'
import { type Group, loadHdf5, setAttribute } from '../../src/chain-file/hdf5.ts'
import {
  ChainFileError,
  type ChainFileErrorReason,
  deMove,
  EnsembleSampler,
  type EnsembleSamplerOptions,
} from '../../src/index.ts'
import { initialWalkers, samplerOptions } from './problem.ts'

const dir = mkdtempSync(join(tmpdir(), 'parafit-chain-file-errors-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newPath = () => join(dir, `chain-${++files}.h5`)

/** A file with `steps` steps of the shared problem. */
async function written(steps = 10, extra: Partial<EnsembleSamplerOptions> = {}): Promise<string> {
  const path = newPath()
  const sampler = new EnsembleSampler(samplerOptions(path, extra))
  await sampler.run(initialWalkers(1), steps)
  return path
}

async function resumeError(options: EnsembleSamplerOptions): Promise<ChainFileError> {
  const error = await EnsembleSampler.resume(options).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ChainFileError)
  return error as ChainFileError
}

function expectReason(error: ChainFileError, reason: ChainFileErrorReason, message: RegExp, path?: string) {
  expect(error.code).toBe('PARAFIT_CHAIN_FILE')
  expect(error.reason, error.message).toBe(reason)
  expect(error.message).toMatch(message)
  if (path !== undefined) expect(error.path).toBe(path)
}

describe('files that cannot be read', () => {
  test('missing', async () => {
    const path = join(dir, 'nothing-here.h5')
    expectReason(
      await resumeError(samplerOptions(path)),
      'unreadable',
      /there is no chain file .*nothing to resume/,
      path,
    )
  })

  test('cut in half (truncated)', async () => {
    const path = await written()
    truncateSync(path, Math.floor(statSync(path).size / 2))
    expectReason(await resumeError(samplerOptions(path)), 'unreadable', /it is truncated/, path)
  })

  test('not an HDF5 file, or empty', async () => {
    const text = newPath()
    writeFileSync(text, 'walker,step,x\n0,0,1.5\n')
    expectReason(await resumeError(samplerOptions(text)), 'unreadable', /not an HDF5 file/)
    const empty = newPath()
    writeFileSync(empty, '')
    expectReason(await resumeError(samplerOptions(empty)), 'unreadable', /cannot read the chain file/)
  })

  test('the first half of a file with its end copied back (damaged in the middle)', async () => {
    const path = await written(40)
    const bytes = readFileSync(path)
    // Keep the superblock and the length, lose what lies between: zeros where HDF5 put objects.
    const damaged = Buffer.alloc(bytes.length)
    bytes.copy(damaged, 0, 0, 96)
    writeFileSync(path, damaged)
    expectReason(await resumeError(samplerOptions(path)), 'unreadable', /cannot read the chain file/)
  })

  test('iteration past the rows the datasets hold', async () => {
    const path = await written(10)
    const h5wasm = await loadHdf5()
    const file = new h5wasm.File(path, 'a')
    setAttribute(file.get('mcmc') as Group, 'iteration', { int64: 5000 })
    setAttribute(file.get('parafit/mcmc') as Group, 'iteration', { int64: 5000 })
    file.close()
    expectReason(
      await resumeError(samplerOptions(path)),
      'unreadable',
      /is damaged: '\/mcmc\/chain' should have shape \(≥ 5000, 8, 3\), has \(\d+, 8, 3\)/,
    )
  })
})

describe('files that are not this problem’s, or not resumable', () => {
  test('another problem: what differs is named', async () => {
    const path = await written(5)
    const cases: [Partial<EnsembleSamplerOptions>, RegExp][] = [
      [{ nWalkers: 10 }, /nWalkers: file 8, sampler 10/],
      [{ nDim: 2, nWalkers: 8 }, /nDim: file 3, sampler 2/],
      [{ moves: deMove() }, /moves: file stretch\(a=2\), sampler de\(sigma=0\.00001\)/],
      [{ seed: 12 }, /seed: file 11, sampler 12/],
    ]
    for (const [extra, message] of cases) {
      const error = await resumeError({ ...samplerOptions(path), ...extra })
      expectReason(error, 'mismatch', message, path)
      expect(error.message).toMatch(/Resume it with the options it was written with/)
    }
    const named = await resumeError(
      samplerOptions(path, { chainFile: { path, parameterNames: ['a', 'b', 'c'] } }),
    )
    expectReason(named, 'mismatch', /parameterNames: file none, sampler \[a, b, c\]/)
    // Leaving the seed out resumes with the file's stream.
    const { seed: _, ...noSeed } = samplerOptions(path)
    expect((await EnsembleSampler.resume(noSeed)).iteration).toBe(5)
  })

  test('a file with no steps yet', async () => {
    const path = newPath()
    const sampler = new EnsembleSampler(samplerOptions(path))
    const summary = await sampler.run(initialWalkers(2), 10, { signal: AbortSignal.abort() })
    expect(summary.steps).toBe(0)
    expectReason(
      await resumeError(samplerOptions(path)),
      'not-resumable',
      /holds no steps yet, so there is nothing to resume: give a new EnsembleSampler this chainFile\.path instead \(an empty chain is taken over\)/,
    )
    // Running the same script again is not blocked by it: a new sampler takes the empty chain over
    // (here with another seed, which the file then records), and its file resumes.
    const again = new EnsembleSampler(samplerOptions(path, { seed: 12 }))
    await again.run(initialWalkers(2), 3)
    const resumed = await EnsembleSampler.resume(samplerOptions(path, { seed: 12 }))
    expect(resumed.iteration).toBe(3)
    expect(resumed.getChain()).toEqual(again.getChain())
  })

  test('another chain-file format version: which parafit wrote it, and what to do', async () => {
    const path = await written(3)
    const h5wasm = await loadHdf5()
    const file = new h5wasm.File(path, 'a')
    const parafit = file.get('parafit/mcmc') as Group
    setAttribute(parafit, 'format_version', { int64: 99 })
    setAttribute(parafit, 'parafit_version', '9.8.7')
    file.close()
    expectReason(
      await resumeError(samplerOptions(path)),
      'not-resumable',
      /has chain-file format version 99, written by parafit 9\.8\.7; this parafit \(\d+\.\d+\.\d+[^)]*\) reads version 1\. Resume it with the parafit version that wrote it, or start afresh with another chainFile\.path/,
      path,
    )
  })

  test('an HDF5 file with an emcee group but nothing of parafit’s', async () => {
    const path = newPath()
    const h5wasm = await loadHdf5()
    const file = new h5wasm.File(path, 'w')
    const mcmc = file.create_group('mcmc')
    setAttribute(mcmc, 'iteration', { int64: 3 })
    file.close()
    expectReason(await resumeError(samplerOptions(path)), 'not-resumable', /was not written by parafit/)
    expectReason(
      await resumeError(samplerOptions(path, { chainFile: { path, group: 'other' } })),
      'unreadable',
      /holds no chain in group 'other' \(it holds: mcmc\)/,
    )
  })
})

describe('writing', () => {
  test('a new sampler refuses to write over a chain, before evaluating anything', async () => {
    const path = await written(3)
    let calls = 0
    const sampler = new EnsembleSampler(
      samplerOptions(path, {
        logProb: (x: Float64Array) => {
          calls++
          return -0.5 * x[0]! ** 2
        },
      }),
    )
    const error = await sampler.run(initialWalkers(3), 5).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChainFileError)
    expectReason(
      error as ChainFileError,
      'exists',
      /already holds a chain in group 'mcmc'.*EnsembleSampler\.resume/,
    )
    expect(calls).toBe(0)
    // The sampler is not left running.
    await expect(sampler.run(initialWalkers(3), 1)).rejects.toThrow(ChainFileError)
  })

  test('a file removed between runs: the next run says so, and the chain stays in memory', async () => {
    const path = newPath()
    const sampler = new EnsembleSampler(samplerOptions(path))
    await sampler.run(initialWalkers(4), 4)
    rmSync(path)
    const error = await sampler.run(null, 4).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChainFileError)
    expectReason(error as ChainFileError, 'write', /was removed since the sampler last wrote it/)
    expect(sampler.iteration).toBe(4)
  })

  test('a file removed during a run: the write fails at once, the run stops, and every step stays in memory', async () => {
    const path = newPath()
    const sampler = new EnsembleSampler(samplerOptions(path))
    const error = await sampler
      .run(initialWalkers(5), 30, {
        onProgress: ({ step }) => {
          if (step === 6) rmSync(path)
        },
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChainFileError)
    expectReason(
      error as ChainFileError,
      'write',
      /steps 7-7 .*it was removed while the sampler was writing it/,
    )
    // The steps run are all kept, the one whose write failed included.
    expect(sampler.iteration).toBe(7)
    const whole = new EnsembleSampler(samplerOptions(undefined))
    await whole.run(initialWalkers(5), 7)
    expect(sampler.getChain()).toEqual(whole.getChain())
  })

  test('options are checked when the sampler is made, naming the option', async () => {
    const bad: [unknown, RegExp, string][] = [
      [{ path: '' }, /chainFile\.path must be the path/, 'chainFile.path'],
      [{ path: 'x.h5', every: 0 }, /chainFile\.every must be a whole number ≥ 1/, 'chainFile.every'],
      [{ path: 'x.h5', group: 'a/b' }, /chainFile\.group must be a group name/, 'chainFile.group'],
      [{ path: 'x.h5', group: 'parafit' }, /not 'parafit'/, 'chainFile.group'],
      [{ path: 'x.h5', parameterNames: ['a'] }, /must be 3 strings/, 'chainFile.parameterNames'],
      [{ path: 'x.h5', evrey: 2 }, /unknown option 'evrey'.*did you mean 'every'/, 'chainFile.evrey'],
    ]
    for (const [chainFile, message, keyPath] of bad) {
      let error: unknown
      try {
        new EnsembleSampler(samplerOptions(undefined, { chainFile: chainFile as never }))
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).message).toMatch(message)
      expect((error as ValidationError).keyPath).toBe(keyPath)
    }
    await expect(EnsembleSampler.resume(samplerOptions(undefined))).rejects.toThrow(
      /resume\(options\) needs the options of the sampler that wrote the file/,
    )
  })
})
