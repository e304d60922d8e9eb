// `parafit sample <module>`: the ensemble sampler (emcee's) or nested sampling (nautilus's) on
// the module's log-probability or log-likelihood, on worker threads or MPI ranks, with a progress
// line, a summary a scientist reads, and files that keep the run: the ensemble's chain in
// emcee's HDF5 layout (`--out run.h5`, which Python's emcee opens), nested sampling's
// state (HDF5, which h5py opens) beside its JSON result. Ctrl-C stops, prints what there is and says how to go on.

import { existsSync } from 'node:fs'
import { detectMpi, Random, ValidationError } from '@parafit/core'
import {
  ChainFileError,
  EnsembleSampler,
  type EnsembleSamplerOptions,
  NestedCheckpointError,
  NestedSampler,
} from '@parafit/sampler'
import { quote } from 'shell-quote'
import { reportError } from './error-report.ts'
import type { CommandIO } from './fit-command.ts'
import { prepareOutputPath, toJson, writeOutput } from './output-path.ts'
import { ensembleFigures, nestedFigures, plotsIfAsked, preparePlots } from './plots.ts'
import { commandPool, describePool } from './pool-choice.ts'
import { progressLine } from './progress.ts'
import { NESTED_RESULT_FORMAT } from './report-command.ts'
import {
  type EnsembleModule,
  loadSampleModule,
  type NestedModule,
  type SampleMethod,
} from './sample-module.ts'
import { formatNestedReport, summariseEnsemble } from './sample-report.ts'

export interface SampleCommandOptions {
  readonly method?: SampleMethod
  readonly workers: number | 'auto'
  /** Given by the user; none means 1 for a new run, and the saved seed for a resumed one. */
  readonly seed?: number
  /** Ensemble: walkers (default max(32, 2·dimensions + 2)) and the chain's length in steps. */
  readonly walkers?: number
  readonly steps: number
  /** Ensemble: steps left out of the summary; default 2τ (at most half the chain). */
  readonly discard?: number
  /** Nested: the effective sample size to reach, the live points, the networks per region. */
  readonly nEff: number
  readonly nLive?: number
  readonly nNetworks?: number
  /** Nested: save the state after every this many batches (default: while saving costs under 5%). */
  readonly stateEvery?: number
  readonly out?: string
  /** Write the run's figures (SVG, and PNG with `png`) into this folder. */
  readonly plots?: string
  readonly png?: boolean
  readonly resume: boolean
  readonly timeoutMs?: number
  readonly progress: boolean
  /** A least-squares model: sample the factor its residuals' σ is known up to. */
  readonly fitSigma?: boolean
  /** The module's export to sample (--export), when it has several. */
  readonly export?: string
  /** The arguments the command was run with (after `parafit`), for the hint that resumes it. */
  readonly commandLine?: readonly string[]
}

/** Runs the command; resolves to the exit code (130 after Ctrl-C). */
export async function runSampleCommand(
  path: string,
  options: SampleCommandOptions,
  io: CommandIO,
): Promise<number> {
  const loaded = await loadSampleModule(path, options.method, {
    fitSigma: options.fitSigma === true,
    ...(options.export === undefined ? {} : { export: options.export }),
  })
  io.onLoaded?.()
  if (options.resume && options.out === undefined) {
    throw new ValidationError('--resume continues the run saved with --out: give the same --out')
  }
  if (detectMpi().rank === 0) {
    if (options.out !== undefined) await prepareOutputPath(options.out, '--out')
    await preparePlots(options.plots, options.png)
  }
  return loaded.method === 'ensemble'
    ? sampleEnsemble(path, loaded, options, io)
    : sampleNested(path, loaded, options, io)
}

/**
 * How to go on after a stop: the command as it was run, with --resume. Every flag is kept (the
 * sizes, the method, --fit-sigma, …): a resume with others would be another problem, refused.
 * Quoted for a POSIX shell, so that it can be pasted.
 */
export function resumeHint(path: string, options: SampleCommandOptions): string {
  if (options.out === undefined) return 'nothing was saved: pass --out to keep a run and continue it'
  const args = options.commandLine ?? ['sample', path, '--out', options.out]
  const again = [...args.filter((arg) => arg !== '--resume'), '--resume']
  return `kept in ${options.out}; continue with: parafit ${quote(again)}`
}

async function sampleEnsemble(
  path: string,
  loaded: EnsembleModule,
  options: SampleCommandOptions,
  io: CommandIO,
): Promise<number> {
  const nDim = loaded.initial.length
  const nWalkers = options.walkers ?? Math.max(32, 2 * nDim + 2)
  if (options.out !== undefined && !/\.(h5|hdf5)$/i.test(options.out)) {
    throw new ValidationError(
      `--out ${options.out}: the ensemble's chain is an HDF5 file in emcee's layout; name it .h5`,
    )
  }
  if (options.resume && options.out !== undefined && !existsSync(options.out)) {
    throw new ValidationError(
      `--resume: there is no ${options.out} to continue; run without --resume to start it`,
    )
  }
  const pool = commandPool(options.workers, options.timeoutMs)
  const samplerOptions: EnsembleSamplerOptions = {
    logProb: loaded.logProb,
    nWalkers,
    nDim,
    // A resumed chain goes on with its own seed; one given must match it (checked on resume).
    ...(options.seed === undefined && options.resume ? {} : { seed: options.seed ?? 1 }),
    ...(pool === undefined ? { numWorkers: options.workers } : { pool }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.out === undefined
      ? {}
      : { chainFile: { path: options.out, parameterNames: [...loaded.names] } }),
  }
  const resuming = options.resume
  let sampler: EnsembleSampler
  try {
    sampler = resuming ? await EnsembleSampler.resume(samplerOptions) : new EnsembleSampler(samplerOptions)
  } catch (error) {
    await pool?.close()
    throw error
  }
  const started = performance.now()
  try {
    // The walkers start in a small ball around `initial`, as in emcee's tutorials.
    const random = Random.fromSeed(options.seed ?? 1, 1)
    const start = Array.from({ length: nWalkers }, () =>
      Float64Array.from(loaded.initial, (x) => x + 1e-4 * (Math.abs(x) || 1) * random.normal()),
    )
    const toRun = Math.max(0, options.steps - sampler.iteration)
    // A --discard the chain cannot leave room for is refused now, not after the run.
    const length = Math.max(options.steps, sampler.iteration)
    if (options.discard !== undefined && options.discard >= length - 3) {
      throw new ValidationError(
        `--discard ${options.discard} leaves fewer than 4 of the chain's ${length} steps (--steps ${options.steps})`,
      )
    }
    const bar = progressLine(io.stderr, { total: options.steps, unit: 'steps', enabled: options.progress })
    // A chain file that could not be written stops the run; the steps run are still summarised
    // (they are in memory), and the error follows the report.
    let unwritten: ChainFileError | undefined
    const run = await sampler
      .run(resuming ? null : start, toRun, {
        signal: io.signal,
        onProgress: (p) => bar.update(p.iteration, `acceptance ${p.acceptanceFraction.toFixed(3)}`),
      })
      .catch((error: unknown) => {
        if (!(error instanceof ChainFileError && error.reason === 'write')) throw error
        unwritten = error
        return undefined
      })
    bar.stop()
    const fail = (code: number) => {
      if (unwritten === undefined) return code
      io.stdout.write('\n')
      throw unwritten
    }
    if (detectMpi().rank !== 0) return 0
    const steps = sampler.iteration
    if (steps < 4) {
      io.stdout.write(`parafit sample ${path}: stopped after ${steps} steps, too few to summarise\n`)
      if (unwritten === undefined) io.stdout.write(`  ${resumeHint(path, options)}\n`)
      return fail(run?.stop.kind === 'aborted' ? 130 : 0)
    }
    const all = sampler.getChain() as Float64Array[][]
    const { report, discard } = summariseEnsemble({
      command: 'parafit sample',
      module: path,
      leastSquares: loaded.leastSquares,
      pool: describePool(options.workers),
      chain: all,
      names: loaded.names,
      acceptance: sampler.acceptanceFraction,
      discard: options.discard,
      seconds: (performance.now() - started) / 1000,
    })
    io.stdout.write(`${report}\n`)
    if (options.out !== undefined && unwritten === undefined)
      io.stdout.write(`\n  chain written to ${options.out} (emcee's HDF5 layout)\n`)
    await plotsIfAsked(options, () => ensembleFigures(all, discard, loaded.names), io)
    if (unwritten !== undefined) return fail(1)
    if (run?.stop.kind === 'aborted') {
      io.stdout.write(`\n  stopped by Ctrl-C after ${steps} steps; ${resumeHint(path, options)}\n`)
      return 130
    }
    return 0
  } finally {
    await sampler.close()
    await pool?.close()
  }
}

async function sampleNested(
  path: string,
  loaded: NestedModule,
  options: SampleCommandOptions,
  io: CommandIO,
): Promise<number> {
  if (options.out !== undefined && !/\.json$/i.test(options.out)) {
    throw new ValidationError(
      `--out ${options.out}: nested sampling writes its result as JSON (and its state as HDF5 beside it); name it .json`,
    )
  }
  // The run's state beside the result: run.json → run.state.h5.
  const checkpoint = options.out === undefined ? undefined : options.out.replace(/\.json$/i, '.state.h5')
  if (checkpoint !== undefined && existsSync(checkpoint) !== options.resume) {
    throw new ValidationError(
      options.resume
        ? `--resume: there is no ${checkpoint} to continue; run without --resume to start it`
        : `${checkpoint} holds a run already: pass --resume to continue it, or choose another --out`,
    )
  }
  const pool = commandPool(options.workers, options.timeoutMs)
  let sampler: NestedSampler
  try {
    sampler = new NestedSampler({
      prior: loaded.prior,
      logLikelihood: loaded.logLikelihood,
      // A resumed run goes on with its own seed; one given must match it (checked on resume).
      ...(options.seed === undefined && options.resume ? {} : { seed: options.seed ?? 1 }),
      ...(pool === undefined ? { numWorkers: options.workers } : { pool }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.nLive === undefined ? {} : { nLive: options.nLive }),
      ...(options.nNetworks === undefined ? {} : { nNetworks: options.nNetworks }),
      ...(checkpoint === undefined
        ? {}
        : {
            checkpoint: {
              path: checkpoint,
              ...(options.stateEvery === undefined ? {} : { every: options.stateEvery }),
            },
          }),
    })
  } catch (error) {
    // Bad options (--n-live too small, say): the worker threads must not keep the command alive.
    await pool?.close()
    throw error
  }
  try {
    const bar = progressLine(io.stderr, { total: options.nEff, unit: 'N_eff', enabled: options.progress })
    // The run's course, for the log Z figure: one record per batch.
    const course = { calls: [] as number[], logZ: [] as number[], liveFraction: [] as number[] }
    // A checkpoint that could not be written stops the run; what it computed is still reported
    // and written to --out, and the error follows.
    let unwritten: NestedCheckpointError | undefined
    const result = await sampler
      .run({
        nEff: options.nEff,
        signal: io.signal,
        onProgress: (p) => {
          course.calls.push(p.nLike)
          course.logZ.push(p.logZ)
          course.liveFraction.push(p.fLive)
          bar.update(
            Math.min(options.nEff, Math.floor(p.nEff)),
            `log Z ${p.logZ.toFixed(3)}, ${p.nLike} calls, ${p.phase}`,
          )
        },
      })
      .catch((error: unknown) => {
        if (!(error instanceof NestedCheckpointError && error.summary !== undefined)) throw error
        unwritten = error
        return error.summary
      })
    bar.stop()
    if (detectMpi().rank !== 0) return 0
    const posterior = sampler.posterior()
    const names = loaded.names
    const columns = names.map(() => new Float64Array(posterior.unitPoints.length))
    const x = new Float64Array(names.length)
    posterior.unitPoints.forEach((u, i) => {
      loaded.prior.transformInto(u, x)
      for (let d = 0; d < names.length; d++) columns[d]![i] = x[d]!
    })
    const weights = Float64Array.from(posterior.logWeights, (w) => Math.exp(w))
    io.stdout.write(
      `${formatNestedReport({
        command: 'parafit sample',
        module: path,
        leastSquares: loaded.leastSquares,
        pool: describePool(options.workers),
        ...result,
        names,
        columns,
        weights,
      })}\n`,
    )
    if (options.out !== undefined) {
      const document = {
        format: NESTED_RESULT_FORMAT,
        module: path,
        ...result,
        names,
        points: posterior.points,
        logWeights: posterior.logWeights,
        logLikelihoods: posterior.logLikelihoods,
      }
      // When the state could not be written, --out (in the same folder, maybe) may fail too: that
      // is said, and the state's error stays the one the command ends with.
      const written = await writeOutput(options.out, '--out', `${toJson(document)}\n`).then(
        () => true,
        (error: unknown) => {
          if (unwritten === undefined) throw error
          io.stderr.write(`${reportError(error)}\n`)
          return false
        },
      )
      if (written) {
        const state = unwritten === undefined ? `; the run's state to ${checkpoint}` : ''
        io.stdout.write(`\n  result written to ${options.out}${state}\n`)
      }
    }
    await plotsIfAsked(options, () => nestedFigures(columns, weights, names, course), io)
    if (unwritten !== undefined) {
      io.stdout.write('\n')
      throw unwritten
    }
    if (result.stop.kind === 'aborted') {
      io.stdout.write(`\n  stopped by Ctrl-C after ${result.nLike} calls; ${resumeHint(path, options)}\n`)
      return 130
    }
    return 0
  } finally {
    await sampler.close()
    await pool?.close()
  }
}
