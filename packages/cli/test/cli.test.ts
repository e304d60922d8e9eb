import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EvaluationTimeoutError } from '@parafit/core'
import { FitError } from '@parafit/fitter'
import { afterAll, describe, expect, test } from 'vitest'
import { inCliWords, reportError } from '../src/error-report.ts'
import { fixture, parafit } from './run-parafit.ts'

const scratch = mkdtempSync(join(tmpdir(), 'parafit-cli-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('error messages in the command', () => {
  test("name the command's flags where the library names its options", () => {
    const timeout = reportError(new EvaluationTimeoutError(500))
    expect(timeout).toContain('did not finish within --timeout 500 (ms);')
    expect(timeout).toContain('Raise --timeout if')
    expect(timeout).not.toContain('timeoutMs')
    const failed = reportError(
      new FitError(
        "an evaluation failed at step 2: boom. The best result so far is in error.result; pass onError: 'skip' to steer away from such points instead",
        { cause: undefined, result: undefined },
      ),
    )
    expect(inCliWords("name one with { export: 'objectiveA' }, or pass numWorkers: 1")).toBe(
      'name one with --export objectiveA, or pass --workers 1',
    )
    // (Its stack's frames are this test's, so userCodeLines follows; a real FitError has none.)
    expect(failed.split('\n')[0]).toBe(
      'parafit: an evaluation failed at step 2: boom. Pass --skip-errors to steer away from such points instead',
    )
  })
})

describe('parafit fit', () => {
  test('fits a module on worker threads, prints a report with standard errors and writes the result', async () => {
    const out = join(scratch, 'result.json')
    const run = await parafit(['fit', fixture('bowl-fit.ts'), '--workers', '2', '--out', out], {
      BOWL_SHAPE: 'residuals',
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/method +lm \(Levenberg-Marquardt\) on 2 worker threads/)
    expect(run.stdout).toMatch(/stopped +converged/)
    expect(run.stdout).toMatch(/^ {2}x +1\.5000000 /m)
    expect(run.stdout).toMatch(/std\. error/)
    const result = JSON.parse(readFileSync(out, 'utf8'))
    expect(result.params.x).toBeCloseTo(1.5, 6)
    expect(result.params.y.z).toBeCloseTo(-0.5, 6)
    expect(result.success).toBe(true)
    expect(Object.keys(result.stderr)).toEqual(['x', 'y.z'])
    expect(result.bestContext.meta.at.x).toBe(result.params.x)
  }, 30_000)

  test('the report gives the goodness of fit; --absolute-sigma takes σ as known', async () => {
    // The bowl's three residuals vanish at its centre: χ² = 0, so scaled errors are 0, and with
    // σ known they are those of J = diag(1, 3) there: 1 and 1/3.
    const scaled = await parafit(['fit', fixture('bowl-fit.ts'), '-w', '1'], { BOWL_SHAPE: 'residuals' })
    expect(scaled.code).toBe(0)
    expect(scaled.stdout).toMatch(/data points +3, 2 variables, 1 degrees of freedom/)
    expect(scaled.stdout).toMatch(/reduced chi-square/)
    expect(scaled.stdout).toMatch(/AIC .* BIC /)
    expect(scaled.stdout).toMatch(/s² = chi-square \/ degrees of freedom/)
    const absolute = await parafit(['fit', fixture('bowl-fit.ts'), '-w', '1', '--absolute-sigma'], {
      BOWL_SHAPE: 'residuals',
    })
    expect(absolute.code).toBe(0)
    expect(absolute.stdout).toMatch(/^ {2}x +1\.5000000 +1\.0000000 /m)
    expect(absolute.stdout).toMatch(/^ {2}y\.z +-0\.50000000 +0\.33333333 /m)
    expect(absolute.stdout).toMatch(/residuals taken as divided by known σ \(--absolute-sigma\)/)
  }, 30_000)

  test('parafit report prints the same report again from --out; other files fail saying what it reads', async () => {
    const out = join(scratch, 'for-report.json')
    const fit = await parafit(['fit', fixture('bowl-fit.ts'), '-w', '1', '--out', out], {
      BOWL_SHAPE: 'residuals',
    })
    expect(fit.code).toBe(0)
    const again = await parafit(['report', out])
    expect(again.code).toBe(0)
    expect(again.stderr).toBe('')
    expect(fit.stdout).toBe(`${again.stdout}\n  result written to ${out}\n`)
    const notOurs = join(scratch, 'other.json')
    writeFileSync(notOurs, '{"a": 1}\n')
    const refused = await parafit(['report', notOurs])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/is not a parafit fit result .*parafit fit --out/)
    writeFileSync(notOurs, '{"format": "parafit-fit-result", "keys": ["x"]')
    expect((await parafit(['report', notOurs])).stderr).toMatch(/it is not JSON/)
  }, 30_000)

  test('--plots writes the residuals and the loss history of a least-squares fit', async () => {
    const dir = join(scratch, 'fit-figures')
    const run = await parafit(['fit', fixture('bowl-fit.ts'), '-w', '1', '--plots', dir], {
      BOWL_SHAPE: 'residuals',
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/plots written to .*fit-figures: residuals\.svg, loss-history\.svg/)
    expect(readFileSync(join(dir, 'residuals.svg'), 'utf8')).toMatch(/^<svg[^>]*>/)
    expect(readFileSync(join(dir, 'loss-history.svg'), 'utf8')).toMatch(/^<svg[^>]*>/)
  }, 30_000)

  test('--method and --budget are honoured; a scalar loss has no standard errors', async () => {
    const run = await parafit([
      'fit',
      fixture('bowl-fit.ts'),
      '-w',
      '1',
      '-m',
      'de',
      '-b',
      '50',
      '--seed',
      '4',
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/method +de \(differential evolution\) on 1 worker thread/)
    expect(run.stdout).toMatch(/budget of 50 evaluations/)
    expect(run.stdout).not.toMatch(/std\. error/)
    // Not a terminal: the progress is a plain line at each tenth of the budget, as in a batch job's log.
    const lines = run.stderr.trimEnd().split('\n')
    const progress =
      /^ {2}(\d+)\/50 evaluations \[\d\d:\d\d<(\d\d:\d\d|\?), [\d.]+ evaluations\/s\], best [-\d.e+]+$/
    for (const line of lines) expect(line).toMatch(progress)
    const done = lines.map((line) => Number(progress.exec(line)![1]))
    expect(done.length).toBeGreaterThan(1)
    expect(done).toEqual([...done].sort((a, b) => a - b))
    expect(done.at(-1)).toBeLessThanOrEqual(50)
  }, 30_000)

  test('--help describes every option', async () => {
    const run = await parafit(['fit', '--help'])
    expect(run.code).toBe(0)
    for (const option of [
      '--workers',
      '--method',
      '--budget',
      '--seed',
      '--out',
      '--checkpoint',
      '--timeout',
    ]) {
      expect(run.stdout).toContain(option)
    }
  })

  test('bad arguments and bad modules fail with a message that says what to do', async () => {
    const badWorkers = await parafit(['fit', fixture('bowl-fit.ts'), '--workers', 'many'])
    expect(badWorkers.code).not.toBe(0)
    expect(badWorkers.stderr).toMatch(/--workers must be a whole number ≥ 1, got 'many'\./)
    const badBudget = await parafit(['fit', fixture('bowl-fit.ts'), '--budget', '2.5'])
    expect(badBudget.code).not.toBe(0)
    expect(badBudget.stderr).toMatch(/--budget must be a whole number ≥ 1, got 2.5\./)
    const badSeed = await parafit(['fit', fixture('bowl-fit.ts'), '--seed', 'x'])
    expect(badSeed.stderr).toMatch(/--seed must be an integer, got 'x'\./)
    const badMethod = await parafit(['fit', fixture('bowl-fit.ts'), '--method', 'bfgs'])
    expect(badMethod.stderr).toMatch(/Allowed choices are auto, lm, nelder-mead, cmaes, de/)
    const missing = await parafit(['fit', join(scratch, 'nowhere.ts')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/cannot load objective module .*nowhere\.ts: the file does not exist/)
    const noInitial = await parafit(['fit', fixture('no-initial-fit.ts')])
    expect(noInitial.code).toBe(1)
    expect(noInitial.stderr).toMatch(/exports no 'initial' parameters/)
  }, 30_000)

  test('a model with a syntax error: the file, line and column, and the line with a caret', async () => {
    const model = join(scratch, 'syntax-error.ts')
    writeFileSync(model, 'const a: number = 1\n\nconst x = ;\nexport const initial = { a }\n')
    const run = await parafit(['fit', model, '-w', '1'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`${model}:3:11: Expression expected\n  3 | const x = ;\n    |           ^`)
  }, 30_000)

  test("a model that throws while loading: the message and the user's frames, not parafit's", async () => {
    const model = join(scratch, 'throws-on-load.ts')
    writeFileSync(
      model,
      "function readData(): never {\n  throw new Error('cannot open data.csv')\n}\nreadData()\nexport const initial = {}\n",
    )
    const run = await parafit(['fit', model, '-w', '1'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('it threw while loading: Error: cannot open data.csv')
    expect(run.stderr).toContain(`    at readData (${model}:2:9)\n    at ${model}:4:1`)
    expect(run.stderr).not.toMatch(/node:internal|packages\/(core|fitter|cli)\/src/)
  }, 30_000)

  test("an evaluation that throws on a worker: the user's frame, and --skip-errors instead of onError", async () => {
    const run = await parafit(['fit', fixture('throwing-fit.ts'), '-w', '2', '-m', 'nelder-mead'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/RangeError: x=[\d.]+ is past the model's range/)
    expect(run.stderr).toMatch(/^ {4}at model \(packages\/cli\/test\/fixtures\/throwing-fit\.ts:8:20\)$/m)
    expect(run.stderr).toContain('Pass --skip-errors to steer away from such points instead')
    expect(run.stderr).not.toMatch(
      /onError|error\.result|node:internal|packages\/(core|parallel|fitter|cli)\/src/,
    )
  }, 30_000)

  test('Ctrl-C stops the fit, keeps the best result and writes it; the checkpoint resumes the run', async () => {
    const out = join(scratch, 'interrupted.json')
    const checkpoint = join(scratch, 'run.ckpt')
    const args = (workers: string) => [
      'fit',
      fixture('bowl-fit.ts'),
      ...['-w', workers, '-m', 'cmaes', '--out', out, '--checkpoint', checkpoint],
    ]
    const run = await parafit(args('2'), { BOWL_SPIN_MS: '5' }, (child) => {
      const poll = setInterval(() => {
        if (existsSync(checkpoint)) {
          clearInterval(poll)
          child.kill('SIGINT')
        }
      }, 20)
    })
    expect(run.code).toBe(130)
    expect(run.stderr).toMatch(/interrupted/)
    expect(run.stdout).toMatch(/stopped +\[not converged\] aborted/)
    const interrupted = JSON.parse(readFileSync(out, 'utf8'))
    expect(interrupted.stopKind).toBe('aborted')
    expect(interrupted.nEvals).toBeGreaterThan(0)

    // Resumed on another number of workers: the run does not depend on it.
    const resumed = await parafit(args('1'))
    expect(resumed.stderr).toBe('')
    expect(resumed.code).toBe(0)
    const final = JSON.parse(readFileSync(out, 'utf8'))
    expect(final.success).toBe(true)
    expect(final.nEvals).toBeGreaterThan(interrupted.nEvals)
    expect(final.params.x).toBeCloseTo(1.5, 4)
  }, 60_000)

  test('--version prints the version of the package', async () => {
    const run = await parafit(['--version'])
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(pkg.version)
  })

  test('--out: a missing folder is made; a path that cannot be written fails before the fit', async () => {
    const nested = join(scratch, 'new', 'folder', 'result.json')
    const made = await parafit([
      'fit',
      fixture('bowl-fit.ts'),
      '-w',
      '1',
      '-m',
      'nelder-mead',
      '--out',
      nested,
    ])
    expect(made.code, made.stderr).toBe(0)
    expect(JSON.parse(readFileSync(nested, 'utf8')).success).toBe(true)

    const started = performance.now()
    const intoFile = await parafit(['fit', fixture('bowl-fit.ts'), '--out', join(nested, 'x.json')], {
      BOWL_SPIN_MS: '50',
    })
    expect(intoFile.code).toBe(1)
    expect(intoFile.stderr).toMatch(/cannot write --out .*result\.json is not a folder/)
    expect(intoFile.stdout).not.toMatch(/evaluations/)
    expect(performance.now() - started).toBeLessThan(20_000)
    const aFolder = await parafit(['fit', fixture('bowl-fit.ts'), '--checkpoint', scratch])
    expect(aFolder.code).toBe(1)
    expect(aFolder.stderr).toMatch(/cannot write --checkpoint .*: it is a folder/)
  }, 30_000)

  test("--method-option sets the method's settings; a misspelled one names the flag and the closest key", async () => {
    // CMA-ES's population is its batch: 240 evaluations in 10 batches of 24, or 20 of 12.
    const cmaes = (setting: string) =>
      parafit(['fit', fixture('bowl-fit.ts'), '-w', '1', '-m', 'cmaes', '-b', '240', '-O', setting])
    const set = await cmaes('popSize=24')
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toMatch(/evaluations +240 in 10 batches/)
    const named = await cmaes('cmaes.popSize=12')
    expect(named.stdout).toMatch(/evaluations +240 in 20 batches/)
    const typo = await parafit(['fit', fixture('bowl-fit.ts'), '-m', 'lm', '-O', 'xtl=1e-9'], {
      BOWL_SHAPE: 'residuals',
    })
    expect(typo.code).toBe(1)
    expect(typo.stderr).toMatch(/unknown --method-option lm\.xtl; did you mean 'xtol'\?/)
    const noMethod = await parafit(['fit', fixture('bowl-fit.ts'), '-O', 'xtol=1e-9'])
    expect(noMethod.stderr).toMatch(
      /needs a method: give --method, or name it before the key \(e\.g\. lm\.xtol=1e-9\)/,
    )
    const malformed = await parafit(['fit', fixture('bowl-fit.ts'), '-O', 'xtol'])
    expect(malformed.stderr).toMatch(/takes key=value/)
    const notAMethod = await parafit(['fit', fixture('bowl-fit.ts'), '-O', 'cmsae.popSize=12'])
    expect(notAMethod.stderr).toMatch(
      /--method-option cmsae\.popSize=12: the method before the dot must be 'lm', 'nelder-mead', 'cmaes' or 'de', got 'cmsae'; did you mean 'cmaes'\?/,
    )
    const badValue = await cmaes('popSize=1')
    expect(badValue.stderr).toMatch(
      /popSize must be a whole number ≥ 2, got 1 \(--method-option cmaes\.popSize\)/,
    )
  }, 30_000)

  test('a model whose data is random on each worker is refused, naming --no-check-workers, which runs it', async () => {
    const refused = await parafit(['fit', fixture('random-fit.ts'), '-w', '2', '-m', 'lm'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/give different values .*random-fit\.ts.*--no-check-workers/s)
    const forced = await parafit([
      'fit',
      fixture('random-fit.ts'),
      '-w',
      '2',
      '-m',
      'lm',
      '--no-check-workers',
    ])
    expect(forced.code, forced.stderr).toBe(0)
  }, 30_000)

  test('SIGTERM (Slurm at its time limit) stops the fit, reports the best so far and writes --out', async () => {
    const out = join(scratch, 'terminated.json')
    const checkpoint = join(scratch, 'terminated.ckpt')
    const run = await parafit(
      ['fit', fixture('bowl-fit.ts'), '-w', '2', '-m', 'cmaes', '--out', out, '--checkpoint', checkpoint],
      { BOWL_SPIN_MS: '5' },
      (child) => {
        const poll = setInterval(() => {
          if (!existsSync(checkpoint)) return
          clearInterval(poll)
          child.kill('SIGTERM')
        }, 20)
      },
    )
    expect(run.code, run.stderr).toBe(143)
    expect(run.stderr).toMatch(/stopped by SIGTERM/)
    expect(run.stdout).toMatch(/aborted/)
    const saved = JSON.parse(readFileSync(out, 'utf8'))
    expect(saved.stopKind).toBe('aborted')
    expect(saved.nEvals).toBeGreaterThan(0)
  }, 30_000)

  test('Ctrl-C while the model module is still loading (its top level never returns) quits', async () => {
    const started = performance.now()
    const run = await parafit(['fit', fixture('hangs-on-load.ts'), '--no-progress'], {}, (child) => {
      setTimeout(() => child.kill('SIGINT'), 1500)
      // Should Ctrl-C fail to end it, end it anyway (and fail below) rather than leave it running.
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
    })
    // Nothing of the command runs yet, so Node's default ends it: by SIGINT, 130 to the shell.
    expect(run.signal, `${run.code} ${run.stderr}`).toBe('SIGINT')
    expect(performance.now() - started).toBeLessThan(20_000)
  }, 30_000)

  describe('with one worker and an objective that never returns', () => {
    const forever = { BOWL_SPIN_MS: String(1e12) }

    test('--timeout fails the evaluation and the fit ends', async () => {
      const started = performance.now()
      const run = await parafit(['fit', fixture('bowl-fit.ts'), '-w', '1', '--timeout', '500'], forever)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/did not finish within --timeout 500/)
      expect(performance.now() - started).toBeLessThan(20_000)
    }, 30_000)

    test('one Ctrl-C stops it and reports; two quit at once', async () => {
      for (const presses of [1, 2]) {
        const started = performance.now()
        const run = await parafit(
          ['fit', fixture('bowl-fit.ts'), '-w', '1', '--no-progress'],
          forever,
          (child) => {
            setTimeout(() => {
              child.kill('SIGINT')
              if (presses === 2) setTimeout(() => child.kill('SIGINT'), 20)
            }, 1500)
          },
        )
        if (presses === 1) {
          expect(run.code, run.stderr).toBe(130)
          expect(run.stdout).toMatch(/aborted/)
        } else {
          // The first press may finish the run within the 20 ms before the second lands; a press
          // during Node's exit then ends it by SIGINT, which the shell reports as 130 all the same.
          expect(run.code === 130 || run.signal === 'SIGINT', `${run.code} ${run.signal} ${run.stderr}`).toBe(
            true,
          )
        }
        expect(run.stderr).toMatch(/interrupted/)
        expect(performance.now() - started).toBeLessThan(20_000)
      }
    }, 60_000)
  })
})
