// Nested sampling benchmarks (bench/run.ts runs them by name):
//   nested-calls     likelihood calls and |log Z error| to N_eff = 10,000, with and without networks,
//                    beside nautilus's figures on the same problems;
//   nested-overhead  sampler CPU seconds per call (everything but the likelihood);
//   nested-seed      nautilus's documented example (3-D, a likelihood sleeping 10 ms), serial and
//                    4 workers, and a CPU-bound 5-8 ms likelihood on 2 workers; speedups measured
//                    in the same run;
//   nested-scatter   the reported log Z error against the scatter over seeds.
// With PARAFIT_BENCH_NAUTILUS=<nautilus source folder>, nested-calls and nested-overhead run
// nautilus on the same problem and seed in the same run (otherwise its figures from the peers'
// README are printed beside ours).
// Run alone as `node bench/nested.ts --mpi-child <json>` it is one MPI rank of nested-seed.

import { spawnSync } from 'node:child_process'
import { cpuUsage } from 'node:process'
import { fileURLToPath } from 'node:url'
import { objectiveModule } from '@parafit/core'
import { type Pool, processPool, serialPool, threadPool } from '@parafit/parallel'
import { NestedSampler, Prior, uniform } from '@parafit/sampler'
import {
  eggbox,
  gaussian,
  logGammaMixture,
  type Problem,
  shells,
} from '../packages/sampler/test/nested/problems.ts'
import { launcher } from './launcher.ts'
import type { Measurement } from './measurement.ts'
import type { NestedWorkInit } from './objectives/nested.likelihood.ts'

/**
 * nautilus 1.0.6 on this project's machine (../shared/peers/README.md, measured 2026-11-29 with
 * nested/run_nautilus.py: n_live 2000, N_eff 10,000; the machine was loaded, so CPU is rough).
 * Means over the runs listed there. Eggbox did not finish within 30 minutes of CPU.
 */
export const NAUTILUS: Record<string, { calls: number; absError: number; samplerCpu: number } | undefined> = {
  'gauss3 networks': { calls: 27_150, absError: 0.0095, samplerCpu: 41.5 },
  'gauss3 ellipsoids': { calls: 34_900, absError: 0.005, samplerCpu: 5 },
  'shells2 networks': { calls: 39_050, absError: 0.0125, samplerCpu: 259 },
  'loggamma5 networks': { calls: 46_800, absError: 0.017, samplerCpu: 209 },
  'shells5 networks': { calls: 51_500, absError: 0.038, samplerCpu: 389 },
}

const PROBLEMS: Record<string, () => Problem> = {
  gauss3: () => gaussian(3),
  shells2: () => shells(2, -1.7456),
  loggamma5: () => logGammaMixture(5),
  shells5: () => shells(5, -5.6736),
  eggbox: () => eggbox(),
}

interface NestedRecord {
  problem: string
  networks: number
  seed: number
  calls: number
  logZ: number
  logZErr: number
  error: number
  nEff: number
  seconds: number
  samplerCpuSeconds: number
  converged: boolean
  nautilusCalls?: number
  nautilusAbsError?: number
  nautilusSamplerCpuSeconds?: number
}

/**
 * nautilus itself on the same problem and seed, in the same run, when PARAFIT_BENCH_NAUTILUS names
 * a snapshot of its source (github.com/johannesulf/nautilus; needs Debian's python3-sklearn):
 * ../shared/peers/nested/run_nautilus.py, one JSON line per run.
 */
function runNautilus(
  name: string,
  networks: number,
  seed: number,
): { calls: number; absError: number; samplerCpu: number } | undefined {
  const src = process.env.PARAFIT_BENCH_NAUTILUS
  if (src === undefined || src === '') return undefined
  const script = fileURLToPath(new URL('../../shared/peers/nested/run_nautilus.py', import.meta.url))
  const args = [
    script,
    '--src',
    src,
    '--problems',
    name,
    '--seeds',
    String(seed),
    '--networks',
    String(networks),
  ]
  const result = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', timeout: 3_600_000 })
  const line = result.stdout?.split('\n').find((l) => l.startsWith('{'))
  if (result.status !== 0 || line === undefined) {
    console.log(`nautilus on ${name} failed (${result.status}): ${result.stderr?.slice(-500)}`)
    return undefined
  }
  const r = JSON.parse(line) as { n_like: number; error: number; sampler_cpu_s: number }
  return { calls: r.n_like, absError: Math.abs(r.error), samplerCpu: r.sampler_cpu_s }
}

/** One run to N_eff 10,000 in this thread; the likelihood's own time is taken out of the CPU. */
async function runProblem(
  name: string,
  networks: number,
  seed: number,
  nLikeMax: number,
): Promise<NestedRecord> {
  const problem = PROBLEMS[name]!()
  let likelihoodMs = 0
  const sampler = new NestedSampler({
    prior: problem.prior,
    logLikelihood: (params) => {
      const t = performance.now()
      const v = problem.logLikelihood(params as Record<string, number>)
      likelihoodMs += performance.now() - t
      return v
    },
    nNetworks: networks,
    seed,
  })
  const cpu = cpuUsage()
  const summary = await sampler.run({ nEff: 10_000, nLikeMax })
  const used = cpuUsage(cpu)
  const record: NestedRecord = {
    problem: name,
    networks,
    seed,
    calls: summary.nLike,
    logZ: summary.logZ,
    logZErr: summary.logZErr,
    error: summary.logZ - problem.logZ,
    nEff: summary.nEff,
    seconds: summary.seconds,
    samplerCpuSeconds: (used.user + used.system) / 1e6 - likelihoodMs / 1000,
    converged: summary.stop.kind === 'converged',
  }
  const measured = runNautilus(name, networks, seed)
  const ref = measured ?? NAUTILUS[`${name} ${networks > 0 ? 'networks' : 'ellipsoids'}`]
  if (measured !== undefined) {
    record.nautilusCalls = measured.calls
    record.nautilusAbsError = measured.absError
    record.nautilusSamplerCpuSeconds = measured.samplerCpu
  }
  console.log(
    `nested ${name.padEnd(10)} networks=${networks} seed=${seed} calls=${record.calls} ` +
      `logZ error=${record.error.toFixed(4)} ± ${record.logZErr.toFixed(4)} sampler CPU=${record.samplerCpuSeconds.toFixed(1)}s` +
      (record.converged ? '' : ' (stopped at nLikeMax)') +
      (ref === undefined
        ? ''
        : `  nautilus: calls=${ref.calls} |error|=${ref.absError} CPU=${ref.samplerCpu}s`),
  )
  return record
}

function asMeasurement(scenario: string, r: NestedRecord, note: string): Measurement {
  return {
    scenario,
    backend: 'serial',
    workers: 1,
    repetitions: 1,
    medianSeconds: r.seconds,
    speedup: 1,
    microsecondsPerEvaluation: (r.samplerCpuSeconds / r.calls) * 1e6,
    note,
    detail: { ...r },
  }
}

const SEEDS = (reps: number) => Array.from({ length: Math.max(1, reps) }, (_, i) => i + 1)

async function nestedCalls(reps: number): Promise<Measurement[]> {
  const out: Measurement[] = []
  // PARAFIT_BENCH_NESTED_PROBLEMS=shells5,eggbox runs some of them.
  const only = process.env.PARAFIT_BENCH_NESTED_PROBLEMS?.split(',')
  // PARAFIT_BENCH_NESTED_NETWORKS=4 runs only that network count.
  const networkCounts = process.env.PARAFIT_BENCH_NESTED_NETWORKS?.split(',').map(Number) ?? [4, 0]
  for (const name of Object.keys(PROBLEMS).filter((p) => only === undefined || only.includes(p))) {
    for (const networks of networkCounts) {
      // Rings and the egg box need the networks (nautilus without them does not finish either):
      // capped so the bench ends, and reported as stopped.
      const cap = networks === 0 && (name.startsWith('shells') || name === 'eggbox') ? 300_000 : 2_000_000
      for (const seed of SEEDS(reps)) {
        const r = await runProblem(name, networks, seed, cap)
        out.push(asMeasurement('nested-calls', r, `${name}, ${networks} networks`))
      }
    }
  }
  return out
}

async function nestedOverhead(reps: number): Promise<Measurement[]> {
  const out: Measurement[] = []
  for (const networks of [0, 4]) {
    for (const seed of SEEDS(reps)) {
      const r = await runProblem('gauss3', networks, seed, 2_000_000)
      const ref = NAUTILUS[`gauss3 ${networks > 0 ? 'networks' : 'ellipsoids'}`]!
      const ours = r.samplerCpuSeconds / r.calls
      const theirs =
        r.nautilusCalls === undefined
          ? ref.samplerCpu / ref.calls
          : r.nautilusSamplerCpuSeconds! / r.nautilusCalls
      console.log(
        `nested-overhead gauss3 networks=${networks}: ${(ours * 1e3).toFixed(3)} ms of sampler CPU per call, ` +
          `nautilus ${(theirs * 1e3).toFixed(3)} ms (ratio ${(ours / theirs).toFixed(2)}, bar ≤ 1)`,
      )
      out.push(asMeasurement('nested-overhead', r, `gauss3, ${networks} networks`))
    }
  }
  return out
}

async function nestedScatter(reps: number): Promise<Measurement[]> {
  const seeds = Array.from({ length: Math.max(reps, 20) }, (_, i) => 100 + i)
  const out: Measurement[] = []
  for (const [name, networks] of [
    ['gauss3', 0],
    ['loggamma5', 0],
    ['gauss3', 4],
  ] as const) {
    const runs: NestedRecord[] = []
    for (const seed of seeds) runs.push(await runProblem(name, networks, seed, 2_000_000))
    const mean = runs.reduce((s, r) => s + r.logZ, 0) / runs.length
    const scatter = Math.sqrt(runs.reduce((s, r) => s + (r.logZ - mean) ** 2, 0) / (runs.length - 1))
    const reported = Math.sqrt(runs.reduce((s, r) => s + r.logZErr ** 2, 0) / runs.length)
    console.log(
      `nested-scatter ${name} networks=${networks} over ${runs.length} seeds: scatter ${scatter.toFixed(4)}, ` +
        `reported error (rms) ${reported.toFixed(4)}, ratio ${(reported / scatter).toFixed(2)} (bar: within 1.5x)`,
    )
    for (const r of runs) out.push(asMeasurement('nested-scatter', r, `${name}, ${networks} networks`))
  }
  return out
}

// ---------------------------------------------------------------- nested-seed

const workModule = new URL('./objectives/nested.likelihood.ts', import.meta.url)
const seedPrior = () => new Prior({ x0: uniform(0, 1), x1: uniform(0, 1), x2: uniform(0, 1) })

interface SeedRun {
  readonly init: NestedWorkInit
  readonly nLikeMax: number
}

async function timeSeedRun(
  run: SeedRun,
  where: { pool: Pool } | { numWorkers: number | 'auto' },
): Promise<{ seconds: number; calls: number; logZ: number }> {
  const sampler = new NestedSampler({
    prior: seedPrior(),
    logLikelihood: objectiveModule(workModule, { init: run.init }),
    seed: 42,
    ...where,
  })
  const start = performance.now()
  const summary = await sampler.run({ nLikeMax: run.nLikeMax })
  const seconds = (performance.now() - start) / 1000
  await sampler.close()
  return { seconds, calls: summary.nLike, logZ: summary.logZ }
}

function timeSeedUnderMpirun(
  run: SeedRun,
  workers: number,
): { seconds: number; calls: number; logZ: number } {
  const mpi = launcher()
  const script = new URL(import.meta.url).pathname
  const args = mpi.args(workers + 1, [process.execPath, script, '--mpi-child', JSON.stringify(run)])
  const result = spawnSync(mpi.command, args, {
    env: { ...process.env, ...mpi.env },
    encoding: 'utf8',
    timeout: 900_000,
  })
  const line = result.stdout?.split('\n').find((l) => l.startsWith('NESTED_SEED '))
  if (result.status !== 0 || line === undefined)
    throw new Error(
      `${mpi.command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`,
    )
  return JSON.parse(line.slice('NESTED_SEED '.length))
}

async function nestedSeed(_reps: number, withMpi: boolean): Promise<Measurement[]> {
  const out: Measurement[] = []
  const cases: [string, SeedRun, number][] = [
    ['sleep 10 ms', { init: { sleepMs: 10 }, nLikeMax: 3000 }, 4],
    ['spin 5-8 ms', { init: { spinMs: 5, jitterMs: 3 }, nLikeMax: 2000 }, 2],
  ]
  for (const [label, run, workers] of cases) {
    const serial = await timeSeedRun(run, { pool: serialPool() })
    const record = (
      backend: Measurement['backend'],
      n: number,
      r: { seconds: number; calls: number; logZ: number },
    ) => {
      const m: Measurement = {
        scenario: 'nested-seed',
        backend,
        workers: n,
        repetitions: 1,
        medianSeconds: r.seconds,
        speedup: serial.seconds / r.seconds,
        microsecondsPerEvaluation: (r.seconds / r.calls) * 1e6,
        note: label,
        detail: { calls: r.calls, logZ: r.logZ, sameRunAsSerial: r.logZ === serial.logZ ? 'yes' : 'no' },
      }
      console.log(
        `nested-seed ${label.padEnd(12)} ${backend.padEnd(9)} workers=${n} ${r.seconds.toFixed(2)}s speedup=${m.speedup.toFixed(2)} calls=${r.calls} same run as serial: ${m.detail!.sameRunAsSerial}`,
      )
      out.push(m)
    }
    record('serial', 1, serial)
    for (const [backend, make] of [
      ['threads', () => threadPool({ numWorkers: workers })],
      ['processes', () => processPool({ numWorkers: workers })],
    ] as const) {
      const pool = make()
      try {
        record(backend, workers, await timeSeedRun(run, { pool }))
      } finally {
        await pool.close()
      }
    }
    if (withMpi) record('mpi', workers, timeSeedUnderMpirun(run, workers))
  }
  return out
}

export const nestedScenarios = (
  withMpi: () => boolean,
): Record<string, (reps: number) => Promise<Measurement[]>> => ({
  'nested-calls': nestedCalls,
  'nested-overhead': nestedOverhead,
  'nested-seed': (reps) => nestedSeed(reps, withMpi()),
  'nested-scatter': nestedScatter,
})

// One rank of nested-seed under mpirun: every rank runs the sampler (numWorkers 'auto' gives the
// MPI pool), rank 0 prints the timing.
if (process.argv[2] === '--mpi-child') {
  const run = JSON.parse(process.argv[3]!) as SeedRun
  const { isRankZero } = await import('@parafit/mpi')
  const r = await timeSeedRun(run, { numWorkers: 'auto' })
  if (isRankZero()) console.log(`NESTED_SEED ${JSON.stringify(r)}`)
}
