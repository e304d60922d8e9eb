// The `parafit` command. Argument parsing and help are commander's; the work is in fit-command.ts.

import { createRequire } from 'node:module'
import { detectMpi } from '@parafit/core'
import type { Method } from '@parafit/fitter'
import { METHODS } from '@parafit/fitter'
import { Command, InvalidArgumentError, Option } from 'commander'
import { reportError } from './error-report.ts'
import { runFitCommand } from './fit-command.ts'
import { type MethodSetting, methodOptionsOf, parseMethodSetting } from './method-option.ts'
import { runReportCommand } from './report-command.ts'

function wholeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1.`)
    return n
  }
}

function workers(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : wholeNumber('--workers')(value)
}

function seed(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('--seed must be an integer.')
  return n
}

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

// `parafit fit ... | head` closes the pipe early: stop quietly, as Unix commands do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

const program = new Command('parafit')
  .description('Fit expensive objective functions in parallel: threads, processes and MPI ranks.')
  .version(version, '-V, --version', 'print the version of parafit')
  .showHelpAfterError('(run parafit fit --help for the options)')

program
  .command('fit')
  .description('fit the objective a module exports, on every worker you give it')
  .argument(
    '<module>',
    'a .ts or .js file exporting `objective` (made with defineObjective) or a default export, `initial` ' +
      '(the start parameters), and optionally `bounds` and `init` (handed to the objective factory once per worker)',
  )
  .addOption(
    new Option('-w, --workers <n|auto>', 'worker threads; under mpirun/srun, the MPI ranks')
      .default('auto')
      .argParser(workers),
  )
  .addOption(
    new Option(
      '-m, --method <method>',
      "optimizer; 'auto' is lm when the objective returns residuals, else cmaes",
    )
      .choices(['auto', ...METHODS])
      .default('auto'),
  )
  .option(
    '-b, --budget <evaluations>',
    'most evaluations (default: per method, generous)',
    wholeNumber('--budget'),
  )
  .option(
    '-s, --seed <n>',
    'seed of the stochastic methods; the same seed gives the same fit on any number of workers',
    seed,
    1,
  )
  .option(
    '-o, --out <file.json>',
    'write the result (parameters, errors, covariance, best context, history) as JSON',
  )
  .option(
    '--checkpoint <file>',
    'save the run every --checkpoint-every batches; rerun the same command to resume',
  )
  .option('--checkpoint-every <batches>', 'batches between checkpoints', wholeNumber('--checkpoint-every'), 1)
  .option(
    '--export <name>',
    "the module's objective export (default: the default export, else 'objective', else its only objective)",
  )
  .option(
    '-O, --method-option <key=value>',
    "a setting of the method, repeatable: xtol=1e-12 for --method's, cmaes.popSize=32 for a named one",
    (text: string, previous: MethodSetting[] | undefined) => {
      try {
        return [...(previous ?? []), parseMethodSetting(text)]
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message)
      }
    },
  )
  .option(
    '--timeout <ms>',
    'an evaluation running longer fails (its worker is replaced)',
    wholeNumber('--timeout'),
  )
  .option('--skip-errors', 'steer away from evaluations that throw instead of stopping the fit')
  .option(
    '--absolute-sigma',
    'least squares: the residuals are (data - model)/σ with σ known, so the standard errors are not ' +
      'rescaled by the reduced χ² (scipy absolute_sigma=True, lmfit scale_covar=False)',
  )
  .option(
    '--no-check-workers',
    'skip the start-point check that every worker computes the same value (for a random objective)',
  )
  .option('--no-progress', 'no progress bar')
  .addHelpText(
    'after',
    `
Examples:
  parafit fit model.ts                          fit on one worker thread per core
  parafit fit model.ts -w 8 -m cmaes -b 5000 -o result.json
  mpirun -n 17 parafit fit model.ts             rank 0 fits, 16 ranks evaluate
  parafit fit model.ts --checkpoint run.ckpt    stop any time (Ctrl-C); the same command resumes
  parafit fit model.ts -m lm -O xtol=1e-12 -O ftol=1e-12

Ctrl-C or SIGTERM (Slurm's time limit) stops the fit at once (busy workers are stopped), prints
the report of the best point so far and writes --out; a second Ctrl-C quits without waiting.

Exit status: 0 when the fit ran (see "stopped" in the report), 1 on an error, 130 when interrupted,
143 when stopped by SIGTERM.`,
  )
  .action(async (module: string, o: Record<string, unknown>) => {
    const controller = new AbortController()
    const checkpoint = o.checkpoint as string | undefined
    // Ctrl-C (SIGINT) and SIGTERM (Slurm at its time limit, mpirun passing on a Ctrl-C) stop the
    // fit, print the best result and write --out. A second Ctrl-C quits at once; a SIGTERM after
    // the first signal changes nothing (the report is being written; mpirun's SIGKILL follows).
    let stoppedBy: NodeJS.Signals | undefined
    // Under mpirun every rank runs this command; only rank 0, the one that fits, speaks.
    const speaks = detectMpi().rank === 0
    const stop = (signal: NodeJS.Signals) => {
      if (stoppedBy === undefined) {
        stoppedBy = signal
        const what = signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`
        if (speaks)
          process.stderr.write(
            `\nparafit: ${what}; stopping the workers and reporting the best so far (Ctrl-C again to quit now)\n`,
          )
        controller.abort()
      } else if (signal === 'SIGINT') {
        const kept = checkpoint === undefined ? '' : `; ${checkpoint} holds the run up to its last checkpoint`
        process.stderr.write(`parafit: quit${kept}\n`)
        process.exit(130)
      }
    }
    const handleSignals = () => {
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    }
    try {
      const method = o.method as Method | 'auto'
      const settings = (o.methodOption as MethodSetting[] | undefined) ?? []
      process.exitCode = await runFitCommand(
        module,
        {
          workers: o.workers as number | 'auto',
          method,
          ...(settings.length === 0 ? {} : { methodOptions: methodOptionsOf(settings, method) }),
          checkWorkers: o.checkWorkers !== false,
          seed: o.seed as number,
          progress: o.progress as boolean,
          ...(o.budget === undefined ? {} : { budget: o.budget as number }),
          ...(o.out === undefined ? {} : { out: o.out as string }),
          ...(o.checkpoint === undefined ? {} : { checkpoint: o.checkpoint as string }),
          checkpointEvery: o.checkpointEvery as number,
          ...(o.export === undefined ? {} : { export: o.export as string }),
          ...(o.timeout === undefined ? {} : { timeoutMs: o.timeout as number }),
          skipErrors: o.skipErrors === true,
          absoluteSigma: o.absoluteSigma === true,
        },
        {
          stdout: process.stdout,
          stderr: process.stderr,
          signal: controller.signal,
          onLoaded: handleSignals,
        },
      )
      if (stoppedBy === 'SIGTERM' && process.exitCode === 130) process.exitCode = 143
    } catch (error) {
      process.stderr.write(`${reportError(error)}\n`)
      process.exitCode = 1
    }
  })

program
  .command('report')
  .description('print again the report of a result saved with parafit fit --out')
  .argument('<file>', 'the JSON file written by parafit fit --out')
  .action(async (file: string) => {
    try {
      process.exitCode = await runReportCommand(file, { stdout: process.stdout })
    } catch (error) {
      process.stderr.write(`${reportError(error)}\n`)
      process.exitCode = 1
    }
  })

await program.parseAsync()
