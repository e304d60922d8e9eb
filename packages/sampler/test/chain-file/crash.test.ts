// A process killed mid-run (SIGKILL: no clean-up, no final write) leaves a chain file that
// resumes from its last written step, and the resumed run is still, bit for bit, the run that
// was never stopped: the steps written are the steps counted, and the random state is theirs.

import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { ChainFileError, EnsembleSampler, readChainFile } from '../../src/index.ts'
import { bits, initialWalkers, samplerOptions } from './problem.ts'

const script = fileURLToPath(new URL('./crash-run.ts', import.meta.url))
const creator = fileURLToPath(new URL('./create-run.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'parafit-chain-file-crash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a run killed with SIGKILL', () => {
  test.each([
    { every: 5, killAt: 12, written: 10 },
    { every: 1, killAt: 12, written: 12 },
  ])(
    'every $every, killed after step $killAt: the file resumes from step $written',
    async ({ every, killAt, written }) => {
      const path = join(dir, `killed-${every}.h5`)
      const child = spawnSync(process.execPath, [script, path, String(every), String(killAt)], {
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(child.signal, child.stderr).toBe('SIGKILL')
      const resumed = await EnsembleSampler.resume(samplerOptions(path, { chainFile: { path, every } }))
      expect(resumed.iteration).toBe(written)
      await resumed.run(null, 30 - written)
      const whole = new EnsembleSampler(samplerOptions(undefined))
      await whole.run(initialWalkers(21), 30)
      expect(bits(resumed.getChain())).toEqual(bits(whole.getChain()))
      expect(bits(resumed.getLogProb())).toEqual(bits(whole.getLogProb()))
      expect(resumed.acceptanceFraction).toEqual(whole.acceptanceFraction)
    },
  )
})

describe('a process killed with SIGKILL while it creates a chain file', () => {
  test('leaves no file HDF5 cannot open: a chain file appears whole (with no step yet) or not at all', {
    timeout: 60_000,
  }, async () => {
    const folder = join(dir, 'creating')
    mkdirSync(folder)
    for (const wait of [2, 8, 14, 20, 26]) {
      const child = spawn(process.execPath, [creator, folder], { stdio: 'ignore' })
      // Once it has loaded and made its first files, most moments are inside the making of one.
      while (readdirSync(folder).filter((f) => f.endsWith('.h5')).length < 2 && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 5))
      }
      await new Promise((r) => setTimeout(r, wait))
      child.kill('SIGKILL')
      await new Promise((r) => child.once('exit', r))
      for (const name of readdirSync(folder).filter((f) => f.endsWith('.h5'))) {
        const error = await readChainFile(join(folder, name), 'mcmc').catch((e: unknown) => e)
        expect(error, `${name}: ${(error as Error).message}`).toBeInstanceOf(ChainFileError)
        expect((error as ChainFileError).reason, `${name}: ${(error as Error).message}`).toBe('not-resumable')
      }
      rmSync(folder, { recursive: true })
      mkdirSync(folder)
    }
  })
})
