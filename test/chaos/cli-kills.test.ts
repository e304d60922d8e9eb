// Chaos: `parafit fit --checkpoint`, `parafit sample` (ensemble, with its chain file) and
// `parafit sample` (nested, with its state file) killed with SIGKILL at random moments twenty
// times each, and started again each time as a user would (the same command; --resume when
// there is a run to continue). After every kill the saved run must be readable; at the end the
// result must equal the uninterrupted run's for the same seed, and no temporary file may be
// left. The kill moments come from a seeded stream: the seed is printed, PARAFIT_CHAOS_SEED
// replays it.

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Random } from '@parafit/core'
import { ChainFileError, readChainFile } from '@parafit/sampler'
import { afterAll, describe, expect, test } from 'vitest'
import { readCheckpoint } from '../../packages/fitter/src/checkpoint.ts'
import { readNestedCheckpoint } from '../../packages/sampler/src/nested/checkpoint.ts'

const seed = Number(process.env.PARAFIT_CHAOS_SEED ?? 16)
console.log(`cli-kills: chaos seed ${seed} (PARAFIT_CHAOS_SEED=${seed} replays the kill moments)`)

const KILLS = 20
const parafitCommand = fileURLToPath(new URL('../../packages/cli/src/parafit.ts', import.meta.url))
const fitModule = fileURLToPath(new URL('./fixtures/chaos-fit.ts', import.meta.url))
const sampleModule = fileURLToPath(new URL('./fixtures/chaos-sample.ts', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'parafit-cli-kills-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}

function start(
  args: readonly string[],
  pauseMs: number,
): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [parafitCommand, ...args, '--no-progress'], {
    env: { ...process.env, CHAOS_PAUSE_MS: String(pauseMs) },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk) => {
    stderr += chunk
  })
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stderr }))
  })
  return { child, finished }
}

/** The file's identity and content stamp: it changes with each write (in place or renamed over). */
function stamp(path: string): string {
  const s = statSync(path, { throwIfNoEntry: false })
  return s === undefined ? 'none' : `${s.ino}:${s.mtimeMs}:${s.size}`
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Series {
  readonly name: string
  /** The file the run saves itself in, watched for writes. */
  readonly saved: string
  /** The command's arguments; `resume` when there is a saved run to continue. */
  args(resume: boolean): string[]
  /** Throws when the saved run cannot be read; resolves whether there is one to continue. */
  resumable(): Promise<boolean>
}

/**
 * Starts the command, kills it with SIGKILL at a random moment (a quarter of the time while it
 * starts; otherwise within `windowMs` after it has written its saved run again), checks the
 * saved run, and again, `KILLS` times; then lets it finish.
 */
async function killAndResume(series: Series, random: Random, windowMs: number, pauseMs: number) {
  let kills = 0
  let leftovers = 0
  const began = performance.now()
  const temporary = `${basename(series.saved)}.`
  while (kills < KILLS) {
    const before = stamp(series.saved)
    const { child, finished } = start(series.args(await series.resumable()), pauseMs)
    let ended: Finished | undefined
    void finished.then((f) => {
      ended = f
    })
    if (random.uniform() < 0.25) {
      await sleep(random.uniform() * 800)
    } else {
      while (ended === undefined && stamp(series.saved) === before) await sleep(3)
      await sleep(random.uniform() * windowMs)
    }
    if (ended !== undefined) {
      throw new Error(`${series.name}: the run ended after ${kills} kills (seed ${seed}): ${ended.stderr}`)
    }
    child.kill('SIGKILL')
    const { signal, stderr } = await finished
    expect(signal, `${series.name}: ${stderr}`).toBe('SIGKILL')
    kills++
    if (readdirSync(scratch).some((f) => f.startsWith(temporary) && f.endsWith('.tmp'))) leftovers++
    // Readable after every kill, whatever the moment (seed printed for a replay).
    await series.resumable().catch((error: unknown) => {
      throw new Error(
        `${series.name}: unreadable after kill ${kills} (seed ${seed}): ${(error as Error).message}`,
      )
    })
  }
  const last = start(series.args(await series.resumable()), pauseMs)
  const done = await last.finished
  expect(done.code, `${series.name}: ${done.stderr}`).toBe(0)
  const seconds = ((performance.now() - began) / 1000).toFixed(1)
  console.log(
    `cli-kills: ${series.name}: ${kills} kills in ${seconds} s; ${leftovers} left a temporary file (seed ${seed})`,
  )
}

describe(`parafit killed with SIGKILL ${KILLS} times and resumed (seed ${seed})`, {
  timeout: 300_000,
}, () => {
  test('fit --checkpoint, ensemble with its chain file, nested with its state: each ends as the undisturbed run', async () => {
    const words = (text: string) => text.split(' ')
    const fitArgs = (out: string) => [
      'fit',
      fitModule,
      ...words('-w 1 -m cmaes --seed 7 --budget 1600 --out'),
      out,
    ]
    const ensembleArgs = (chain: string) => [
      ...['sample', sampleModule, ...words('--method ensemble -w 1 --walkers 16 --steps 200 --seed 4 -o')],
      chain,
    ]
    const nestedArgs = (out: string) => [
      ...[
        'sample',
        sampleModule,
        ...words('--method nested -w 1 --n-live 100 --networks 0 --n-eff 6000 --seed 5 -o'),
      ],
      out,
    ]
    const resuming = (resume: boolean) => (resume ? ['--resume'] : [])

    const checkpoint = join(scratch, 'fit.ckpt')
    const fit: Series = {
      name: 'fit',
      saved: checkpoint,
      args: () => [...fitArgs(join(scratch, 'fit.json')), '--checkpoint', checkpoint],
      resumable: async () => (await readCheckpoint(checkpoint)) !== undefined,
    }
    const chain = join(scratch, 'chain.h5')
    const ensemble: Series = {
      name: 'ensemble',
      saved: chain,
      args: (resume) => [...ensembleArgs(chain), ...resuming(resume)],
      resumable: async () => {
        if (!existsSync(chain)) return false
        try {
          await readChainFile(chain, 'mcmc')
          return true
        } catch (error) {
          // Killed before its first step: a chain file with no step, which a new run takes over.
          if (error instanceof ChainFileError && error.reason === 'not-resumable') return false
          throw error
        }
      },
    }
    const state = join(scratch, 'nested.state.h5')
    const nested: Series = {
      name: 'nested',
      saved: state,
      args: (resume) => [...nestedArgs(join(scratch, 'nested.json')), ...resuming(resume)],
      resumable: async () => (await readNestedCheckpoint(state)) !== undefined,
    }
    // The same runs undisturbed, into other files.
    const undisturbed = await Promise.all([
      start(fitArgs(join(scratch, 'fit-reference.json')), 0).finished,
      start(ensembleArgs(join(scratch, 'chain-reference.h5')), 0).finished,
      start(nestedArgs(join(scratch, 'nested-reference.json')), 0).finished,
    ])
    for (const run of undisturbed) expect(run.code, run.stderr).toBe(0)

    // The three series at once (each command runs in one process, -w 1). Each kill comes at most
    // a few steps or batches after the run's first write (the window over the pause), so twenty
    // kills never reach the end of a run: fit 200 steps of 8 evaluations, ensemble 200 steps of 16,
    // nested about 73 batches of 100 calls.
    await Promise.all([
      killAndResume(fit, Random.fromSeed(seed, 1), 60, 1.5),
      killAndResume(ensemble, Random.fromSeed(seed, 2), 80, 1),
      killAndResume(nested, Random.fromSeed(seed, 3), 60, 0.5),
    ])

    const json = (name: string) => JSON.parse(readFileSync(join(scratch, name), 'utf8'))
    const fitResult = json('fit.json')
    const fitReference = json('fit-reference.json')
    for (const key of ['params', 'loss', 'nEvals', 'steps', 'history', 'stopKind', 'bestContext'])
      expect(fitResult[key], `fit ${key} (seed ${seed})`).toEqual(fitReference[key])
    const [resumedChain, referenceChain] = await Promise.all([
      readChainFile(chain, 'mcmc'),
      readChainFile(join(scratch, 'chain-reference.h5'), 'mcmc'),
    ])
    expect(resumedChain.iteration).toBe(200)
    expect(resumedChain.chain, `ensemble chain (seed ${seed})`).toEqual(referenceChain.chain)
    expect(resumedChain.logProb).toEqual(referenceChain.logProb)
    expect(resumedChain.acceptedTotals).toEqual(referenceChain.acceptedTotals)
    const nestedResult = json('nested.json')
    const nestedReference = json('nested-reference.json')
    for (const key of ['logZ', 'logZErr', 'nLike', 'nEff', 'stop', 'points', 'logWeights', 'logLikelihoods'])
      expect(nestedResult[key], `nested ${key} (seed ${seed})`).toEqual(nestedReference[key])
    // Whatever the kills left beside the files, the runs that followed removed.
    expect(readdirSync(scratch).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
