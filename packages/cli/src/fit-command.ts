// `parafit fit <module>`: load an objective module's exports (objective, initial, bounds, init),
// fit it on the pool --workers asks for, show progress, print the report, write --out. The
// objective itself is loaded by the workers from the same file (objectiveModule), so the module
// runs its defineObjective factory once per worker with `init`.

import { detectMpi, flattenParams, objectiveModule } from '@parafit/core'
import type { Method, MethodOptions } from '@parafit/fitter'
import { FitError, type FitProgress, type FitResult, Fitter } from '@parafit/fitter'
import { reportError } from './error-report.ts'
import { loadFitModule } from './model-module.ts'
import { prepareOutputPath, toJson, writeOutput } from './output-path.ts'
import { fitFigures, plotsIfAsked, preparePlots } from './plots.ts'
import { commandPool, describePool } from './pool-choice.ts'
import { type ProgressDisplay, progressLine } from './progress.ts'
import { formatReport } from './report.ts'
import { FIT_RESULT_FORMAT } from './report-command.ts'

export interface FitCommandOptions {
  readonly workers: number | 'auto'
  readonly method: Method | 'auto'
  readonly budget?: number
  /** Given by the user; none means the Fitter's default (1), or a resumed run's own. */
  readonly seed?: number
  readonly out?: string
  readonly checkpoint?: string
  readonly checkpointEvery?: number
  readonly export?: string
  readonly timeoutMs?: number
  readonly skipErrors?: boolean
  /** Least squares: the residuals are divided by known σ, so the covariance is not rescaled. */
  readonly absoluteSigma?: boolean
  /** Write the fit's figures (SVG, and PNG with `png`) into this folder. */
  readonly plots?: string
  readonly png?: boolean
  /** --method-option settings, by method. */
  readonly methodOptions?: MethodOptions
  /** false: skip the check that every worker gives the same value at the start point. */
  readonly checkWorkers?: boolean
  readonly progress: boolean
}

export interface CommandIO {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WriteStream
  readonly signal: AbortSignal
  /**
   * Called once the model module has loaded. The command's own Ctrl-C and SIGTERM handling
   * starts there: while a model's top level runs, nothing could answer a handler, and Node's
   * default (quit) is what a user pressing Ctrl-C wants.
   */
  readonly onLoaded?: () => void
}

/** The --out document; `parafit report` reads it back (report-command.ts). */
function resultDocument(result: FitResult, module: string, pool: string): unknown {
  return {
    format: FIT_RESULT_FORMAT,
    module,
    pool,
    method: result.method,
    success: result.success,
    stopKind: result.stopKind,
    stopReason: result.stopReason,
    loss: result.loss,
    params: result.params,
    stderr: result.stderr,
    covariance: result.covariance,
    correlation: result.correlation,
    statistics: result.statistics,
    absoluteSigma: result.absoluteSigma,
    atBound: result.atBound,
    keys: result.keys,
    nEvals: result.nEvals,
    nFailed: result.nFailed,
    steps: result.steps,
    seconds: result.seconds,
    bestContext: result.bestContext.toMetaData(),
    history: result.history,
  }
}

/** Runs the command; resolves to the process exit code. */
export async function runFitCommand(
  path: string,
  options: FitCommandOptions,
  io: CommandIO,
): Promise<number> {
  const loaded = await loadFitModule(path, options.export)
  io.onLoaded?.()
  // Under mpirun every rank runs the command, and only rank 0 writes: the other ranks (maybe on
  // nodes that cannot write there) make no folders.
  if (detectMpi().rank === 0) {
    if (options.out !== undefined) await prepareOutputPath(options.out, '--out')
    if (options.checkpoint !== undefined) await prepareOutputPath(options.checkpoint, '--checkpoint')
    await preparePlots(options.plots, options.png)
  }
  const objective = objectiveModule(loaded.url, { export: loaded.exportName, init: loaded.init })
  const pool = commandPool(options.workers, options.timeoutMs)
  let fitter: Fitter
  try {
    fitter = new Fitter(objective, {
      initial: loaded.initial,
      ...(loaded.bounds === undefined ? {} : { bounds: loaded.bounds as never }),
      ...(pool === undefined ? { numWorkers: options.workers } : { pool }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.checkWorkers === false ? { checkWorkers: false } : {}),
    })
  } catch (error) {
    await pool?.close()
    throw error
  }
  // The budget comes with the first progress report (each method has its own default).
  let bar: ProgressDisplay | undefined
  const startedAt = performance.now()
  const showProgress = (p: FitProgress) => {
    bar ??= progressLine(io.stderr, {
      total: p.budget,
      unit: 'evaluations',
      enabled: options.progress,
      startedAt,
    })
    bar.update(p.nEvals, `best ${Number.isFinite(p.best) ? p.best.toPrecision(6) : '-'}`)
  }
  const about = { module: path, pool: describePool(options.workers) }
  const finish = async (result: FitResult) => {
    io.stdout.write(`${formatReport(result, { ...about, flat: flattenParams(result.params) })}\n`)
    if (options.out !== undefined) {
      await writeOutput(options.out, '--out', `${toJson(resultDocument(result, path, about.pool))}\n`)
      io.stdout.write(`\n  result written to ${options.out}\n`)
    }
    await plotsIfAsked(options, () => fitFigures(result, loaded.data), io)
  }
  // The report and --out come before the pools close: under mpirun a stop by signal leaves
  // about a second before the launcher's SIGKILL, and closing waits on other ranks.
  try {
    let result: FitResult
    try {
      result = await fitter.fit({
        method: options.method,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        signal: io.signal,
        onProgress: showProgress,
        ...(options.budget === undefined ? {} : { budget: options.budget }),
        ...(options.skipErrors ? { onError: 'skip' as const } : {}),
        ...(options.absoluteSigma ? { absoluteSigma: true } : {}),
        ...(options.methodOptions === undefined ? {} : { methodOptions: options.methodOptions }),
        ...(options.checkpoint === undefined
          ? {}
          : { checkpoint: { path: options.checkpoint, every: options.checkpointEvery ?? 1 } }),
      })
    } catch (error) {
      bar?.stop()
      // Nothing computed is lost: the best result before the failure is still reported and written
      // (a disk that failed the checkpoint may fail --out too: that is said, and the fit's error
      // stays the one the command ends with).
      if (error instanceof FitError && error.result !== undefined && error.result.nEvals > 0) {
        await finish(error.result).catch((writeError: unknown) => {
          io.stderr.write(`${reportError(writeError)}\n`)
        })
        io.stdout.write('\n')
      }
      throw error
    }
    bar?.stop()
    await finish(result)
    return result.stopKind === 'aborted' ? 130 : 0
  } finally {
    await fitter.close()
    await pool?.close()
  }
}
