// The `parafit` command. Argument parsing and help are commander's; the work is in
// fit-command.ts, sample-command.ts and report-command.ts.

import { createRequire } from 'node:module'
import {
  wholeNumber as checkWholeNumber,
  integer,
  messageWithoutKeyPath,
  ValidationError,
} from '@parafit/core'
import type { Method } from '@parafit/fitter'
import { METHODS } from '@parafit/fitter'
import { Command, InvalidArgumentError, Option } from 'commander'
import { runFitCommand } from './fit-command.ts'
import { runInterruptible } from './interruptible.ts'
import { type MethodSetting, methodOptionsOf, parseMethodSetting } from './method-option.ts'
import { runReportCommand } from './report-command.ts'
import { runSampleCommand } from './sample-command.ts'
import type { SampleMethod } from './sample-module.ts'

/**
 * A commander parser for a flag's value, checked by one of core's checks (a number if the text
 * reads as one, else the text, so that a message shows what was typed). A refusal is commander's
 * InvalidArgumentError, which it prints with the usage.
 */
function checked<T>(flag: string, check: (value: unknown, key: string) => T): (text: string) => T {
  return (text) => {
    const n = Number(text)
    try {
      return check(text.trim() === '' || Number.isNaN(n) ? text : n, flag)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      throw new InvalidArgumentError(`${messageWithoutKeyPath(error)}.`)
    }
  }
}

function wholeNumber(flag: string, min = 1): (text: string) => number {
  return checked(flag, (value, key) => checkWholeNumber(value, key, { min }))
}

const workerCount = wholeNumber('--workers')
function workers(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : workerCount(value)
}

const seed = checked('--seed', integer)

/**
 * --seed when the user gave it. A resumed run continues with its saved seed, and one given that
 * differs is refused; the default (1, the libraries' too) must not count as given.
 */
function seedGiven(command: Command, o: Record<string, unknown>): { seed?: number } {
  return command.getOptionValueSource('seed') === 'default' ? {} : { seed: o.seed as number }
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
  .showHelpAfterError('(run parafit --help for the commands)')

program
  .command('fit')
  .description('fit the objective a module exports, on every worker you give it')
  .showHelpAfterError('(run parafit fit --help for the options)')
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
    '--plots <dir>',
    'write the residuals (data and fit, with an exported `data`) and the loss history as SVG',
  )
  .option('--png', 'with --plots, PNG files too (needs the optional @resvg/resvg-js)')
  .option(
    '--absolute-sigma',
    'least squares: the residuals are (data - model)/σ with σ known, so the standard errors are not ' +
      'rescaled by the reduced χ² (scipy absolute_sigma=True, lmfit scale_covar=False)',
  )
  .option(
    '--no-check-workers',
    'skip the start-point check that every worker computes the same value (for a random objective)',
  )
  .option('--no-progress', 'no progress line')
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
  .action(async (module: string, o: Record<string, unknown>, command: Command) => {
    const checkpoint = o.checkpoint as string | undefined
    const interruption = {
      onStop: 'stopping the workers and reporting the best so far',
      ...(checkpoint === undefined
        ? {}
        : { onQuit: `${checkpoint} holds the run up to its last checkpoint` }),
    }
    await runInterruptible(interruption, (io) => {
      const method = o.method as Method | 'auto'
      const settings = (o.methodOption as MethodSetting[] | undefined) ?? []
      return runFitCommand(
        module,
        {
          workers: o.workers as number | 'auto',
          method,
          ...(settings.length === 0 ? {} : { methodOptions: methodOptionsOf(settings, method) }),
          checkWorkers: o.checkWorkers !== false,
          ...seedGiven(command, o),
          progress: o.progress as boolean,
          ...(o.budget === undefined ? {} : { budget: o.budget as number }),
          ...(o.out === undefined ? {} : { out: o.out as string }),
          ...(o.checkpoint === undefined ? {} : { checkpoint: o.checkpoint as string }),
          checkpointEvery: o.checkpointEvery as number,
          ...(o.export === undefined ? {} : { export: o.export as string }),
          ...(o.timeout === undefined ? {} : { timeoutMs: o.timeout as number }),
          skipErrors: o.skipErrors === true,
          absoluteSigma: o.absoluteSigma === true,
          ...(o.plots === undefined ? {} : { plots: o.plots as string }),
          png: o.png === true,
        },
        io,
      )
    })
  })

program
  .command('sample')
  .description(
    "sample the posterior of the module's log-probability (ensemble) or prior and likelihood (nested)",
  )
  .showHelpAfterError('(run parafit sample --help for the options)')
  .argument(
    '<module>',
    'a .ts or .js file exporting a log-probability (defineLogProb) and `initial`, the point the walkers start ' +
      'around, for the ensemble sampler; or a log-likelihood (defineLikelihood) and `prior` for nested sampling',
  )
  .addOption(
    new Option(
      '--method <method>',
      'ensemble or nested (default: nested when the module exports a prior)',
    ).choices(['ensemble', 'nested']),
  )
  .addOption(
    new Option('-w, --workers <n|auto>', 'worker threads; under mpirun/srun, the MPI ranks')
      .default('auto')
      .argParser(workers),
  )
  .option('--walkers <n>', 'ensemble: walkers (default: max(32, 2·dimensions + 2))', wholeNumber('--walkers'))
  .option(
    '--steps <n>',
    "ensemble: the chain's length in steps (with --resume: the length to reach)",
    wholeNumber('--steps'),
    5000,
  )
  .option(
    '--discard <n>',
    'ensemble: steps left out of the summary (default: 2τ, at most half)',
    wholeNumber('--discard'),
  )
  .option('--n-eff <n>', 'nested: the effective sample size to reach', wholeNumber('--n-eff'), 10000)
  .option('--n-live <n>', 'nested: live points (default 2000, as nautilus)', wholeNumber('--n-live'))
  .option(
    '--networks <n>',
    'nested: neural networks per bound region (default 4, as nautilus; 0 for ellipsoids alone)',
    wholeNumber('--networks', 0),
  )
  .option(
    '--state-every <batches>',
    'nested: save the state after every n batches (default: as often as saving takes under 5% of the run)',
    wholeNumber('--state-every', 1),
  )
  .option('-s, --seed <n>', 'seed; the same seed gives the same run on any number of workers', seed, 1)
  .option(
    '-o, --out <file>',
    "keep the run: ensemble, the chain as HDF5 in emcee's layout (.h5); nested, the result as JSON and its state beside it",
  )
  .option('--resume', 'continue the run kept in --out')
  .option(
    '--export <name>',
    "the module's export to sample when it has several (default: the default export, else 'logProb', " +
      "'logLikelihood' or, for a least-squares model, 'objective', else its only one)",
  )
  .option(
    '--fit-sigma',
    'a least-squares model whose σ is known only up to a factor: sample that factor too (sigmaScale, log-uniform on 1e-3..1e3)',
  )
  .option(
    '--plots <dir>',
    'write the figures as SVG: corner, trace and τ against N (ensemble); weighted corner and log Z against calls (nested)',
  )
  .option('--png', 'with --plots, PNG files too (needs the optional @resvg/resvg-js)')
  .option(
    '--timeout <ms>',
    'an evaluation running longer fails (its worker is replaced)',
    wholeNumber('--timeout'),
  )
  .option('--no-progress', 'no progress line')
  .addHelpText(
    'after',
    `
Examples:
  parafit sample model.ts --steps 5000 -o chain.h5     the ensemble sampler, its chain kept for Python's emcee
  parafit sample model.ts -o chain.h5 --resume --steps 10000
  parafit sample model.ts --method nested -o run.json  nested sampling: log Z and the posterior
  mpirun -n 9 parafit sample model.ts                  rank 0 samples, 8 ranks evaluate

Ctrl-C stops the run, prints the summary of what it has, and says how to continue it.`,
  )
  .action(async (module: string, o: Record<string, unknown>, command: Command) => {
    const interruption = {
      onStop: 'finishing the evaluations under way and summarising the run so far',
      ...(o.out === undefined ? {} : { onQuit: `${o.out as string} holds the run as last saved` }),
    }
    await runInterruptible(interruption, (io) =>
      runSampleCommand(
        module,
        {
          ...(o.method === undefined ? {} : { method: o.method as SampleMethod }),
          workers: o.workers as number | 'auto',
          ...seedGiven(command, o),
          steps: o.steps as number,
          nEff: o.nEff as number,
          resume: o.resume === true,
          fitSigma: o.fitSigma === true,
          progress: o.progress as boolean,
          // The command as typed, for the hint that resumes it after a stop.
          commandLine: process.argv.slice(2),
          ...(o.export === undefined ? {} : { export: o.export as string }),
          ...(o.walkers === undefined ? {} : { walkers: o.walkers as number }),
          ...(o.discard === undefined ? {} : { discard: o.discard as number }),
          ...(o.nLive === undefined ? {} : { nLive: o.nLive as number }),
          ...(o.networks === undefined ? {} : { nNetworks: o.networks as number }),
          ...(o.stateEvery === undefined ? {} : { stateEvery: o.stateEvery as number }),
          ...(o.out === undefined ? {} : { out: o.out as string }),
          ...(o.timeout === undefined ? {} : { timeoutMs: o.timeout as number }),
          ...(o.plots === undefined ? {} : { plots: o.plots as string }),
          png: o.png === true,
        },
        io,
      ),
    )
  })

program
  .command('report')
  .description("print again the report of a saved run: a fit's or a sample's --out, or a chain file")
  .showHelpAfterError('(run parafit report --help for the options)')
  .argument('<file>', 'the JSON that parafit fit --out or parafit sample --out wrote, or a chain file (.h5)')
  .action(async (file: string) => {
    await runInterruptible({ onStop: 'stopping' }, (io) => runReportCommand(file, io))
  })

await program.parseAsync()
