// The commands' saved runs under faults. A disk that fails a command mid-run (its checkpoint's
// folder removed, its chain file removed, its state file blocked): the command still prints the
// report of everything computed, writes --out where it can, and exits 1 with a message that says
// what could not be written and why. A resume without --seed continues the saved run with its
// seed; with another --seed it is refused, naming both.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { fixture, parafit } from './run-parafit.ts'

const scratch = mkdtempSync(join(tmpdir(), 'parafit-checkpoint-faults-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const model = fixture('sabotaging.ts')

describe('a file the command cannot write mid-run', { timeout: 60_000 }, () => {
  test('parafit fit: the checkpoint folder removed; the report and --out are written, the error says why', async () => {
    const folder = join(scratch, 'fit-checkpoints')
    mkdirSync(folder)
    const out = join(scratch, 'fit.json')
    const run = await parafit(
      [
        'fit',
        model,
        ...'-w 1 -m cmaes --out'.split(' '),
        out,
        '--checkpoint',
        join(folder, 'run.ckpt'),
        '--no-progress',
      ],
      { SABOTAGE_AT: '60', SABOTAGE_REMOVE: folder },
    )
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toMatch(/loss/)
    expect(run.stdout).toMatch(/result written to/)
    const document = JSON.parse(readFileSync(out, 'utf8'))
    expect(document.stopKind).toBe('failed')
    expect(document.nEvals).toBeGreaterThanOrEqual(60)
    expect(run.stderr).toMatch(
      /parafit: the checkpoint could not be written at step \d+, so the fit stopped there/,
    )
    expect(run.stderr).toMatch(/cannot write the checkpoint .*run\.ckpt: ENOENT/)
    expect(run.stderr).toMatch(
      /The best result so far is reported above; the file still holds the run up to step \d+/,
    )
    expect(run.stderr).not.toMatch(/error\.result/)
  })

  test('parafit sample ensemble: the chain file removed; the steps run are summarised, the error says why', async () => {
    const out = join(scratch, 'chain.h5')
    const run = await parafit(
      [
        'sample',
        model,
        ...'--method ensemble -w 1 --walkers 8 --steps 400 -o'.split(' '),
        out,
        '--no-progress',
      ],
      { SABOTAGE_AT: String(8 * 150), SABOTAGE_REMOVE: out },
    )
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toMatch(/chain +8 walkers × 1\d\d steps/)
    expect(run.stdout).not.toMatch(/chain written to/)
    expect(run.stderr).toMatch(
      /parafit: cannot write steps \d+-\d+ to the chain file .*chain\.h5: it was removed while the sampler was writing it/,
    )
    expect(run.stderr).toMatch(/The report above covers every step run; they are in no file/)
    expect(existsSync(out)).toBe(false)
  })

  test('parafit sample nested: the state file blocked; the report and --out are written, the error says why', async () => {
    const out = join(scratch, 'nested.json')
    const state = join(scratch, 'nested.state.h5')
    const run = await parafit(
      [
        'sample',
        model,
        ...'--method nested -w 1 --n-live 100 --networks 0 --n-eff 400 --state-every 1 -o'.split(' '),
        out,
        '--no-progress',
      ],
      { SABOTAGE_AT: '500', SABOTAGE_BLOCK: state },
    )
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toMatch(/log Z/)
    expect(run.stdout).toMatch(/result written to .*nested\.json\n/)
    const document = JSON.parse(readFileSync(out, 'utf8'))
    expect(document.stop.kind).toBe('failed')
    expect(document.stop.reason).toMatch(/^failed: cannot write the checkpoint .*nested\.state\.h5/)
    expect(run.stdout).toMatch(/^ {2}stopped +failed: cannot write the checkpoint/m)
    // The calls merged into the run (the batches in flight at the failure are not in a summary).
    expect(document.nLike).toBeGreaterThanOrEqual(300)
    expect(document.points.length).toBe(document.nLike)
    expect(run.stderr).toMatch(
      /parafit: cannot write the checkpoint .*nested\.state\.h5: .*The run stopped after \d+ likelihood calls/,
    )
    expect(run.stderr).toMatch(/the report above covers every call/)
  })
})

describe('resuming and --seed', { timeout: 60_000 }, () => {
  const bowl = fixture('bowl-fit.ts')
  test('parafit fit: no --seed continues the saved run; another --seed is refused, naming both', async () => {
    const checkpoint = join(scratch, 'seeded.ckpt')
    const args = ['fit', bowl, '-w', '1', '-m', 'cmaes', '--no-progress']
    const whole = await parafit([
      ...args,
      ...'--seed 7 --budget 300 --out'.split(' '),
      join(scratch, 'whole.json'),
    ])
    expect(whole.code, whole.stderr).toBe(0)
    const first = await parafit([...args, '--seed', '7', '--budget', '100', '--checkpoint', checkpoint])
    expect(first.code, first.stderr).toBe(0)
    const other = await parafit([...args, '--seed', '8', '--budget', '300', '--checkpoint', checkpoint])
    expect(other.code).toBe(1)
    expect(other.stderr).toMatch(/written by a run with seed 7, but this fit asks for seed 8/)
    expect(other.stderr).toMatch(
      /pass --seed 7 \(or none\) to continue it, or delete the file to start over with --seed 8/,
    )
    const out = join(scratch, 'continued.json')
    const continued = await parafit([...args, '--budget', '300', '--checkpoint', checkpoint, '--out', out])
    expect(continued.code, continued.stderr).toBe(0)
    const [a, b] = [out, join(scratch, 'whole.json')].map((f) => JSON.parse(readFileSync(f, 'utf8')))
    expect(a.params).toEqual(b.params)
    expect(a.history).toEqual(b.history)
  })

  test.each(['ensemble', 'nested'] as const)(
    'parafit sample %s: --resume without --seed continues; with another --seed it is refused',
    async (method) => {
      const out = join(scratch, method === 'ensemble' ? 'seeded.h5' : 'seeded.json')
      const sizes =
        method === 'ensemble'
          ? ['--walkers', '8', '--steps', '40']
          : ['--n-live', '100', '--networks', '0', '--n-eff', '300']
      const args = [
        'sample',
        fixture('gaussian-sample.ts'),
        '--method',
        method,
        '-w',
        '1',
        '-o',
        out,
        '--no-progress',
      ]
      const first = await parafit([...args, ...sizes, '--seed', '5'])
      expect(first.code, first.stderr).toBe(0)
      const more = method === 'ensemble' ? ['--walkers', '8', '--steps', '60'] : sizes.with(-1, '400')
      const other = await parafit([...args, ...more, '--resume', '--seed', '6'])
      expect(other.code).toBe(1)
      expect(other.stderr).toMatch(/seed/)
      expect(other.stderr).toMatch(/5/)
      expect(other.stderr).toMatch(/6/)
      const resumed = await parafit([...args, ...more, '--resume'])
      expect(resumed.code, resumed.stderr).toBe(0)
    },
  )
})
