import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, quote } from 'shell-quote'
import { afterAll, describe, expect, test } from 'vitest'
import { resumeHint } from '../src/sample-command.ts'
import { fixture, parafit } from './run-parafit.ts'

const scratch = mkdtempSync(join(tmpdir(), 'parafit-sample-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const model = fixture('gaussian-sample.ts')
/** The ensemble sampler on one worker thread, the start of most commands here. */
const oneWorkerEnsemble = ['sample', model, '--method', 'ensemble', '-w', '1']

/** The summary row of a parameter (the last table that names it): its mean and sd. */
function row(stdout: string, name: string): { mean: number; sd: number } {
  const line = stdout.split('\n').findLast((l) => l.trimStart().startsWith(`${name} `))
  expect(line, stdout).toBeDefined()
  const [mean, sd] = line!.trim().split(/\s+/).slice(1, 3).map(Number)
  return { mean: mean!, sd: sd! }
}

/** E[x] under exp(−χ²/2) of the bowl's residuals on the box [−3, 3]², by the midpoint rule. */
function bowlMeanX(): number {
  let mass = 0
  let first = 0
  const steps = 600
  const h = 6 / steps
  for (let i = 0; i < steps; i++) {
    const x = -3 + (i + 0.5) * h
    for (let j = 0; j < steps; j++) {
      const z = -3 + (j + 0.5) * h
      const u = x - 1.5
      const v = z + 0.5
      const w = Math.exp(-0.5 * (u * u + 9 * v * v + 0.25 * u * u * v * v))
      mass += w
      first += w * x
    }
  }
  return first / mass
}

describe('parafit sample --method ensemble', () => {
  test('samples, leads with τ and acceptance, summarises with arviz columns; --resume lengthens the chain', async () => {
    const out = join(scratch, 'chain.h5')
    const args = ['sample', model, '--method', 'ensemble', '-w', '1', '--walkers', '16', '-o', out]
    const run = await parafit([...args, '--steps', '1500', '--no-progress'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/method +ensemble .* on 1 worker thread/)
    expect(run.stdout).toMatch(/chain +16 walkers × 1500 steps/)
    expect(run.stdout).toMatch(/^ {2}parameter +τ \(steps\) +N\/τ$/m)
    expect(run.stdout).toMatch(/walkers treated as chains/)
    expect(run.stdout).toMatch(/mean +sd +hdi_3% +hdi_97% +mcse_mean +mcse_sd +ess_bulk +ess_tail +r_hat/)
    // The Gaussian's means and sds, within a few Monte Carlo errors of 16 × 1500 correlated draws.
    const a = row(run.stdout, 'a')
    const b = row(run.stdout, 'b')
    expect(Math.abs(a.mean - 1)).toBeLessThan(0.15)
    expect(Math.abs(b.mean + 2)).toBeLessThan(0.08)
    expect(Math.abs(a.sd - 1)).toBeLessThan(0.15)
    expect(Math.abs(b.sd - 0.5)).toBeLessThan(0.08)
    expect(run.stdout).toMatch(/chain written to .*chain\.h5 \(emcee's HDF5 layout\)/)

    const again = await parafit([...args, '--steps', '1500', '--no-progress'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(
      /already holds a chain in group 'mcmc'\. Pass --resume to continue it, or remove the file, or choose another --out/,
    )
    const nothing = await parafit([
      ...args.slice(0, -1),
      join(scratch, 'none.h5'),
      '--resume',
      '--no-progress',
    ])
    expect(nothing.code).toBe(1)
    expect(nothing.stderr).toMatch(
      /--resume: there is no .*none\.h5 to continue; run without --resume to start it/,
    )

    const resumed = await parafit([...args, '--steps', '1800', '--resume', '--no-progress'])
    expect(resumed.stderr).toBe('')
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toMatch(/chain +16 walkers × 1800 steps/)

    // parafit report reads the chain file back: the same τ and summary as the run printed.
    const report = await parafit(['report', out])
    expect(report.code).toBe(0)
    const table = (text: string) =>
      text.slice(text.indexOf('  parameter'), text.indexOf('\n\n  chain written'))
    expect(report.stdout).toMatch(/^parafit report .*chain\.h5$/m)
    expect(`${table(report.stdout)}`).toBe(table(resumed.stdout))
  }, 90_000)

  test('--plots writes the corner plot, the traces and τ against N as SVG', async () => {
    const dir = join(scratch, 'figures')
    const run = await parafit([
      'sample',
      model,
      '--method',
      'ensemble',
      '-w',
      '1',
      '--steps',
      '400',
      '--no-progress',
      '--plots',
      dir,
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/plots written to .*figures: corner\.svg, trace\.svg, autocorr\.svg/)
    const corner = readFileSync(join(dir, 'corner.svg'), 'utf8')
    expect(corner.startsWith('<svg')).toBe(true)
    // Two parameters: three panels, titled with the median and its 16–84% spread.
    expect(corner).toContain('a = ')
    expect(corner).toContain('b = ')
    expect(readFileSync(join(dir, 'autocorr.svg'), 'utf8')).toContain('N / 50')
  }, 60_000)

  test('off a terminal the progress is a plain line per tenth of the run, with rate, ETA and acceptance', async () => {
    const run = await parafit(['sample', model, '--method', 'ensemble', '-w', '1', '--steps', '200'])
    expect(run.code).toBe(0)
    const lines = run.stderr.trim().split('\n')
    expect(lines).toHaveLength(10)
    expect(lines[9]).toMatch(/^ {2}200\/200 steps \[\d\d:\d\d<00:00, [\d.]+ steps\/s\], acceptance 0\.\d{3}$/)
  }, 60_000)

  test('Ctrl-C stops the run, summarises what it has and says how to continue, with every flag of the run', async () => {
    const out = join(scratch, 'stopped run.h5')
    const args = ['sample', model, '--method', 'ensemble', '-w', '2', '--walkers', '8', '-o', out]
    // Off a terminal the first progress line comes after a tenth of the run: about 2 s here.
    const run = await parafit([...args, '--steps', '2000'], { SAMPLE_SPIN_MS: '2' }, (child, output) => {
      const poll = setInterval(() => {
        if (/steps\/s/.test(output())) {
          clearInterval(poll)
          child.kill('SIGINT')
        }
      }, 20)
    })
    expect(run.code).toBe(130)
    expect(run.stderr).toMatch(/interrupted; finishing the evaluations under way/)
    expect(run.stdout).toMatch(
      /stopped by Ctrl-C after \d+ steps; kept in .*stopped run\.h5; continue with: /,
    )
    // The command as run (its --walkers and --steps too), quoted for a shell, with --resume.
    const hint = /continue with: parafit (.*)$/m.exec(run.stdout)![1]!
    expect(hint).toBe(quote([...args, '--steps', '2000', '--resume']))
    expect(existsSync(out)).toBe(true)
    // The hint, as a shell splits it, continues the run to its 2000 steps.
    const resumed = await parafit([...(parse(hint) as string[]), '--no-progress'])
    expect(resumed.stderr).toBe('')
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toMatch(/chain +8 walkers × 2000 steps/)
  }, 60_000)

  test("a resumed run's hint has --resume once", () => {
    const options = { workers: 1, steps: 10, nEff: 10, progress: false, out: 'a b.h5' } as const
    const commandLine = ['sample', 'm.ts', '--resume', '-o', 'a b.h5', '--steps', '10']
    expect(resumeHint('m.ts', { ...options, resume: true, commandLine })).toBe(
      "kept in a b.h5; continue with: parafit sample m.ts -o 'a b.h5' --steps 10 --resume",
    )
  })

  test('--discard that leaves fewer than 4 steps is refused before the run', async () => {
    const run = await parafit([...oneWorkerEnsemble, '--steps', '200', '--discard', '197'])
    expect(run.code).toBe(1)
    // Nothing ran: no progress line, only the refusal.
    expect(run.stderr).toBe(
      "parafit: --discard 197 leaves fewer than 4 of the chain's 200 steps (--steps 200)\n",
    )
    expect(run.stdout).toBe('')
  }, 30_000)

  test('--export names the log-probability to sample when the module has two', async () => {
    const twoLogProbs = fixture('two-log-probs.ts')
    const args = ['sample', twoLogProbs, '-w', '1', '--steps', '300', '--walkers', '8', '--no-progress']
    const unclear = await parafit(args)
    expect(unclear.code).toBe(1)
    expect(unclear.stderr).toMatch(/exports 2 log-probabilit.*name one with --export far/)
    const far = await parafit([...args, '--export', 'far'])
    expect(far.stderr).toBe('')
    expect(far.code).toBe(0)
    expect(Math.abs(row(far.stdout, 'x').mean - 10)).toBeLessThan(1)
    const near = await parafit([...args, '--export', 'near'])
    expect(near.code).toBe(0)
    expect(Math.abs(row(near.stdout, 'x').mean)).toBeLessThan(1)
    const missing = await parafit([...args, '--export', 'nowhere'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/has no export named 'nowhere'/)
  }, 60_000)

  test('a mistyped flag points to the help of the subcommand it was given to', async () => {
    const sample = await parafit(['sample', model, '--bogus'])
    expect(sample.code).toBe(1)
    expect(sample.stderr).toMatch(/unknown option '--bogus'\n\(run parafit sample --help for the options\)/)
    const fit = await parafit(['fit', model, '--bogus'])
    expect(fit.stderr).toMatch(/\(run parafit fit --help for the options\)/)
    const report = await parafit(['report', 'x.json', '--bogus'])
    expect(report.stderr).toMatch(/\(run parafit report --help for the options\)/)
  }, 30_000)

  test('--png without --plots is refused before the run, saying to add --plots', async () => {
    const run = await parafit([...oneWorkerEnsemble, '--steps', '50', '--png'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'parafit: --png writes PNG files beside the SVG figures of --plots: add --plots <dir>\n',
    )
    expect(run.stdout).toBe('')
  }, 30_000)
})

describe('parafit sample --method nested', () => {
  test('log Z ± its error and the weighted posterior; the result as JSON, a rerun without --resume refused', async () => {
    const out = join(scratch, 'run.json')
    const args = [
      'sample',
      model,
      '-w',
      '1',
      '--n-live',
      '300',
      '--networks',
      '0',
      '--n-eff',
      '2000',
      '-o',
      out,
    ]
    const run = await parafit([...args, '--no-progress'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    // Z = 2π·1·0.5 / (prior volume 20 × 10): ln Z = ln(π/200).
    const match = /log Z +(-?[\d.]+) ± ([\d.]+)/.exec(run.stdout)
    expect(match, run.stdout).not.toBeNull()
    const [logZ, error] = [Number(match![1]), Number(match![2])]
    expect(Math.abs(logZ - Math.log(Math.PI / 200))).toBeLessThan(4 * error + 0.01)
    const stopped = /^ {2}stopped +converged: N_eff \d+ \(target 2000\); exploration ended.*$/m.exec(
      run.stdout,
    )
    expect(stopped, run.stdout).not.toBeNull()
    expect(run.stdout).toMatch(/^ {2}parameter +mean +sd +16% +50% +84%$/m)
    const a = /^ {2}a +(\S+) +(\S+)/m.exec(run.stdout)!
    expect(Math.abs(Number(a[1]) - 1)).toBeLessThan(0.1)
    const saved = JSON.parse(readFileSync(out, 'utf8'))
    expect(saved.format).toBe('parafit-nested-result')
    expect(saved.stop.kind).toBe('converged')
    expect(saved.names).toEqual(['a', 'b'])
    expect(saved.points.length).toBe(saved.logWeights.length)
    expect(existsSync(join(scratch, 'run.state.h5'))).toBe(true)
    const again = await parafit([...args, '--no-progress'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/holds a run already: pass --resume/)
    const report = await parafit(['report', out])
    expect(report.code).toBe(0)
    const body = (text: string) => text.slice(text.indexOf('  log Z'), text.indexOf('(weighted'))
    expect(body(report.stdout)).toBe(body(run.stdout))
    expect(report.stdout).toContain(stopped![0])
    // A result written before the summary carried `stop` (it had `stopReason`) is still reported.
    const { stop: _, ...older } = saved
    writeFileSync(out, JSON.stringify({ ...older, stopReason: 'converged' }))
    const old = await parafit(['report', out])
    expect(old.stderr).toBe('')
    expect(old.stdout).toMatch(/^ {2}stopped +converged$/m)
  }, 90_000)

  test('a least-squares model (a parafit fit module) is sampled as −χ²/2 under a uniform prior on its bounds', async () => {
    // The bowl's residuals x − 1.5, 3(z + 0.5), ½(x − 1.5)(z + 0.5): near Gaussian, sds 1 and 1/3.
    const nested = await parafit(
      [
        'sample',
        fixture('bowl-fit.ts'),
        '--method',
        'nested',
        '-w',
        '1',
        '--n-live',
        '300',
        '--networks',
        '0',
        '--no-progress',
      ],
      { BOWL_SHAPE: 'residuals' },
    )
    expect(nested.stderr).toBe('')
    expect(nested.code).toBe(0)
    expect(nested.stdout).toMatch(/model +least squares: ln L = −χ²\/2/)
    // The bound x ≤ 3 cuts the x marginal 1.5 sd above its centre: its mean, by quadrature.
    const x = /^ {2}x +(\S+) +(\S+)/m.exec(nested.stdout)!
    expect(Math.abs(Number(x[1]) - bowlMeanX())).toBeLessThan(0.05)
    const ensemble = await parafit(
      [
        'sample',
        fixture('bowl-fit.ts'),
        '--method',
        'ensemble',
        '-w',
        '1',
        '--steps',
        '600',
        '--no-progress',
      ],
      { BOWL_SHAPE: 'residuals' },
    )
    expect(ensemble.code).toBe(0)
    expect(ensemble.stdout).toMatch(/model +least squares: .*−∞ outside the bounds/)
    expect(Math.abs(row(ensemble.stdout, 'y.z').mean + 0.5)).toBeLessThan(0.1)
  }, 90_000)

  test('--fit-sigma samples the σ scale of a least-squares model, and is refused for a model with its own likelihood', async () => {
    const run = await parafit(
      [
        'sample',
        fixture('bowl-fit.ts'),
        '--method',
        'nested',
        '--fit-sigma',
        '-w',
        '1',
        '--n-live',
        '200',
      ].concat(['--networks', '0', '--n-eff', '500', '--no-progress']),
      { BOWL_SHAPE: 'residuals' },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^ {2}sigmaScale +\S+/m)
    const refused = await parafit(['sample', model, '--method', 'nested', '--fit-sigma'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(
      /--fit-sigma samples the σ scale of a least-squares model; .* has its own log-likelihood/,
    )
  }, 60_000)

  test("bad sizes fail at once in the command's words, and leave no worker behind", async () => {
    const tooFew = await parafit(['sample', model, '--n-live', '1', '-w', '2', '--no-progress'])
    expect(tooFew.code).toBe(1)
    expect(tooFew.stderr).toMatch(/^parafit: --n-live must exceed nPointsMin .*got 1$/m)
    const walkers = await parafit(['sample', model, '--method', 'ensemble', '--walkers', '3', '-w', '2'])
    expect(walkers.code).toBe(1)
    expect(walkers.stderr).toMatch(/--walkers/)
  }, 60_000)

  test('a module without a prior or bounds for nested sampling says what to export', async () => {
    const run = await parafit(['sample', fixture('no-initial-fit.ts'), '--method', 'nested'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/exports no 'prior' for nested sampling/)
    const unbounded = await parafit(['sample', fixture('random-fit.ts'), '--method', 'nested'])
    expect(unbounded.code).toBe(1)
    expect(unbounded.stderr).toMatch(/a uniform prior needs finite bounds on every parameter; a, b have none/)
  }, 30_000)
})
