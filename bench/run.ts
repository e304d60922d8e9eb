// parafit benchmarks: `npm run bench -- --scenario dispatch,sleep-scaling --json out.json`.
// Each configuration runs `--reps` times; the JSON has one object per configuration with the
// median seconds, the speedup against serial measured in the same run, and microseconds per
// evaluation. Speed is measured here, never asserted in tests.

import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { combine, objectiveModule, Random } from '@parafit/core'
import {
  mapWithContext,
  type Pool,
  parallelCombined,
  processPool,
  serialPool,
  threadPool,
} from '@parafit/parallel'
import { EnsembleSampler } from '@parafit/sampler'
import type { EmceeInit } from '../examples/emcee-parallel/spinning-gaussian.logprob.ts'
import { launcher } from './launcher.ts'
import type { Measurement } from './measurement.ts'
import { nestedScenarios } from './nested.ts'
import type { WorkInit } from './objectives/work.objective.ts'
import { peersFolder, printRatios, ratios, runPeers } from './peers.ts'

export type { Measurement } from './measurement.ts'

const workModule = new URL('./objectives/work.objective.ts', import.meta.url)
const work = (init: WorkInit) => objectiveModule(workModule, { init })

/** emcee's parallel tutorial: 32 walkers in 5 dimensions, 5-8 ms per log-probability. */
const EMCEE = { nWalkers: 32, nDim: 5, nSteps: 20 }
const emceeModule = new URL('../examples/emcee-parallel/spinning-gaussian.logprob.ts', import.meta.url)
const emceeStart = (() => {
  const random = Random.fromSeed(42)
  return Array.from({ length: EMCEE.nWalkers }, () =>
    Array.from({ length: EMCEE.nDim }, () => random.normal()),
  )
})()
/** The initial batch, then nSteps steps (two batches of 16 each) on `pool`. */
async function sampleEmcee(pool: Pool, init: EmceeInit, nSteps: number): Promise<void> {
  const logProb = objectiveModule(emceeModule, { init })
  const sampler = new EnsembleSampler({ logProb, nWalkers: EMCEE.nWalkers, nDim: EMCEE.nDim, pool, seed: 1 })
  await sampler.run(emceeStart, nSteps)
}
const emceeEvaluations = EMCEE.nWalkers * (EMCEE.nSteps + 1)

type Backend = Measurement['backend']
const makePool = (backend: Backend, workers: number): Pool =>
  backend === 'serial'
    ? serialPool()
    : backend === 'threads'
      ? threadPool({ numWorkers: workers })
      : processPool({ numWorkers: workers })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const xs = (n: number) => Array.from({ length: n }, (_, i) => ({ x: i % 1000 }))

/** Warms `pool` up, then times `run` on it `reps` times; the median in seconds. */
export async function timeRuns(
  pool: Pool,
  reps: number,
  warm: (pool: Pool) => Promise<unknown>,
  run: (pool: Pool) => Promise<unknown>,
): Promise<number> {
  await warm(pool)
  const seconds: number[] = []
  for (let r = 0; r < reps; r++) {
    const start = performance.now()
    await run(pool)
    seconds.push((performance.now() - start) / 1000)
  }
  return median(seconds)
}

/**
 * Times a workload of bench/mpi-run.ts under `mpirun` with `workers` worker ranks (plus rank 0,
 * which coordinates), so MPI numbers sit beside threads and processes measured in the same run.
 */
function timeUnderMpirun(scenario: string, workers: number, reps: number): number {
  const script = new URL('./mpi-run.ts', import.meta.url).pathname
  const mpi = launcher()
  const args = mpi.args(workers + 1, [process.execPath, script, scenario, String(reps)])
  const env = { ...process.env, ...mpi.env }
  const result = spawnSync(mpi.command, args, { env, encoding: 'utf8', timeout: 600_000 })
  const line = result.stdout?.split('\n').find((l) => l.startsWith('MEDIAN_SECONDS '))
  if (result.status !== 0 || line === undefined)
    throw new Error(
      `${mpi.command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`,
    )
  return Number(line.slice('MEDIAN_SECONDS '.length))
}

/** Times `run` on a fresh pool (started and warmed up outside the timing) `reps` times. */
async function timeOn(
  scenario: string,
  backend: Backend,
  workers: number,
  reps: number,
  warm: (pool: Pool) => Promise<unknown>,
  run: (pool: Pool) => Promise<unknown>,
) {
  if (backend === 'mpi') return timeUnderMpirun(scenario, workers, reps)
  const pool = makePool(backend, workers)
  try {
    return await timeRuns(pool, reps, warm, run)
  } finally {
    await pool.close()
  }
}

type Config = { backend: Backend; workers: number }

/** MPI configurations, when mpirun and the @parafit/mpi binding are there (--mpi off skips them). */
let withMpi = false
/** The backends --backends asks for (the serial baseline always runs). */
let backends = new Set<Backend>(['threads', 'processes', 'mpi'])
const mpiConfigs = (workers: number[]): Config[] =>
  withMpi ? workers.map((w) => ({ backend: 'mpi' as const, workers: w })) : []

async function compare(
  scenario: string,
  evaluations: number,
  configs: Config[],
  reps: number,
  warm: (pool: Pool) => Promise<unknown>,
  run: (pool: Pool) => Promise<unknown>,
  extra?: (m: Measurement, serialSeconds: number) => void,
): Promise<Measurement[]> {
  const out: Measurement[] = []
  let serialSeconds = Number.NaN
  const chosen = configs.filter((c) => backends.has(c.backend))
  for (const { backend, workers } of [{ backend: 'serial' as const, workers: 1 }, ...chosen]) {
    const medianSeconds = await timeOn(scenario, backend, workers, reps, warm, run)
    if (backend === 'serial') serialSeconds = medianSeconds
    const m: Measurement = {
      scenario,
      backend,
      workers,
      repetitions: reps,
      medianSeconds,
      speedup: serialSeconds / medianSeconds,
      microsecondsPerEvaluation: (medianSeconds / evaluations) * 1e6,
    }
    extra?.(m, serialSeconds)
    out.push(m)
    console.log(
      `${scenario.padEnd(15)} ${backend.padEnd(9)} workers=${String(workers).padEnd(2)} median=${medianSeconds.toFixed(4)}s speedup=${m.speedup.toFixed(3)} us/eval=${m.microsecondsPerEvaluation.toFixed(2)}${m.efficiency === undefined ? '' : ` efficiency=${m.efficiency.toFixed(3)}`}`,
    )
  }
  return out
}

const twoWorkers: Config[] = [
  { backend: 'threads', workers: 2 },
  { backend: 'processes', workers: 2 },
]

interface Workload {
  readonly evaluations: number
  warm(pool: Pool): Promise<unknown>
  run(pool: Pool): Promise<unknown>
}

/**
 * Evaluations in the dispatch scenario (`--dispatch-n`; 10,000 as in the issue's table). A run
 * of 10,000 lasts 10-20 ms and moves by tens of percent between runs on a noisy machine; 100,000
 * averages that out. Read from the environment so that the MPI run (bench/mpi-run.ts) and the
 * Python peers (N_C) use the same number.
 */
const dispatchN = () => Number(process.env.PARAFIT_BENCH_DISPATCH_N ?? 10_000)

/** The workloads that also run under mpirun (bench/mpi-run.ts), by scenario. */
export const workloads: Record<'dispatch' | 'sleep-scaling' | 'emcee-seed', Workload> = {
  dispatch: {
    get evaluations() {
      return dispatchN()
    },
    warm: (p) => mapWithContext(p, work({}), xs(2000)),
    run: (p) => mapWithContext(p, work({}), xs(dispatchN())),
  },
  'sleep-scaling': {
    evaluations: 400,
    warm: (p) => mapWithContext(p, work({ sleepMs: 10 }), xs(2 * p.size)),
    run: (p) => mapWithContext(p, work({ sleepMs: 10 }), xs(400)),
  },
  'emcee-seed': {
    evaluations: emceeEvaluations,
    warm: (p) => sampleEmcee(p, {}, 1),
    run: (p) => sampleEmcee(p, {}, EMCEE.nSteps),
  },
}

export const scenarios: Record<string, (reps: number) => Promise<Measurement[]>> = {
  /** 10,000 (--dispatch-n) evaluations of a trivial objective: the cost of dispatch itself. */
  async dispatch(reps) {
    const { evaluations, warm, run } = workloads.dispatch
    return compare('dispatch', evaluations, [...twoWorkers, ...mpiConfigs([2])], reps, warm, run)
  },

  /** 400 evaluations that each block 10 ms: scaling over 1, 2, 4 and 8 workers. */
  async 'sleep-scaling'(reps) {
    const { evaluations, warm, run } = workloads['sleep-scaling']
    const configs: Config[] = [1, 2, 4, 8].flatMap((w) => [
      { backend: 'threads' as const, workers: w },
      { backend: 'processes' as const, workers: w },
      ...mpiConfigs([w]),
    ])
    return compare('sleep-scaling', evaluations, configs, reps, warm, run, (m, serial) => {
      m.efficiency = serial / (m.medianSeconds * m.workers)
    })
  },

  /** emcee's parallel tutorial: EnsembleSampler, 32 walkers, 5 dimensions, 5-8 ms per call. */
  async 'emcee-seed'(reps) {
    const { evaluations, warm, run } = workloads['emcee-seed']
    return compare('emcee-seed', evaluations, twoWorkers, reps, warm, run)
  },

  /** The same under mpirun: rank 0 samples, 2 worker ranks evaluate. */
  async 'mpi-emcee-seed'(reps) {
    const { evaluations, warm, run } = workloads['emcee-seed']
    const configs = mpiConfigs([2])
    if (configs.length === 0) return []
    const out = await compare('emcee-seed', evaluations, configs, reps, warm, run)
    return out.map((m) => ({ ...m, scenario: 'mpi-emcee-seed' }))
  },

  /** emcee-seed with an 8 MB array every call reads, against the same without it. */
  async 'large-data'(reps) {
    const data = new Float64Array(1 << 20).map((_, i) => Math.sin(i))
    const shared = new Float64Array(new SharedArrayBuffer(data.byteLength))
    shared.set(data)
    const out: Measurement[] = []
    for (const [label, init] of [
      ['without data', {}],
      ['with 8 MB data', { data }],
      ['with 8 MB shared data', { data: shared }],
    ] as const) {
      const ms = await compare(
        'large-data',
        emceeEvaluations,
        twoWorkers,
        reps,
        (p) => sampleEmcee(p, init, 1),
        (p) => sampleEmcee(p, init, EMCEE.nSteps),
      )
      for (const m of ms) out.push({ ...m, note: label })
    }
    return out
  },

  /** 16 terms of 2 ms each, the terms of each evaluation spread over the pool. */
  async 'combined-terms'(reps) {
    const terms = Array.from({ length: 16 }, () => work({ spinMs: 2 }))
    const cob = combine(terms)
    const evaluations = 10
    const runOn = async (pool: Pool) => {
      const objective = parallelCombined(cob, pool)
      for (let i = 0; i < evaluations; i++) await objective.evaluate({ x: i })
    }
    return compare('combined-terms', evaluations, twoWorkers, reps, runOn, runOn)
  },
}

/** The nested sampler's scenarios take minutes each: they run when named, not by default. */
const nested = nestedScenarios(() => withMpi)
const everyScenario = { ...scenarios, ...nested }

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: Object.keys(scenarios).join(',') },
      json: { type: 'string' },
      reps: { type: 'string', default: '5' },
      mpi: { type: 'string', default: 'auto' },
      backends: { type: 'string', default: 'threads,processes,mpi' },
      peers: { type: 'string', default: 'off' },
      'dispatch-n': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(
      `usage: npm run bench -- [--scenario ${Object.keys(everyScenario).join(',')}] [--reps 5] [--json out.json] [--mpi auto|on|off] [--backends threads,processes,mpi] [--peers off|auto|<folder>] [--dispatch-n 10000]\n` +
        '  --peers auto runs the Python peers (../shared/peers) for the same scenarios in the same run and prints each bar as a ratio\n' +
        '  --dispatch-n sets the evaluations of the dispatch scenario, here, under mpirun and in the peers (100000 gives steadier ratios)\n' +
        `  the nested sampler's scenarios (${Object.keys(nested).join(', ')}) run only when named; --reps is their number of seeds`,
    )
    return
  }
  if (values['dispatch-n'] !== undefined) {
    const n = Number(values['dispatch-n'])
    if (!Number.isInteger(n) || n < 2000)
      throw new Error(`--dispatch-n must be a whole number ≥ 2000, got ${values['dispatch-n']}`)
    // Read by the dispatch workload when it runs, and inherited by the MPI runs and the peers.
    process.env.PARAFIT_BENCH_DISPATCH_N = String(n)
  }
  const names = values.scenario.split(',').filter(Boolean)
  const unknown = names.filter((n) => !(n in everyScenario))
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(everyScenario).join(', ')}`,
    )
  const asked = values.backends.split(',').filter(Boolean)
  const wrong = asked.filter((b) => !['threads', 'processes', 'mpi'].includes(b))
  if (wrong.length > 0)
    throw new Error(`unknown backend(s): ${wrong.join(', ')}; known: threads, processes, mpi`)
  backends = new Set(asked as Backend[])
  withMpi = values.mpi === 'on' || (values.mpi === 'auto' && (await mpiAvailable()))
  if (!withMpi)
    console.log('MPI configurations skipped (no mpirun or no @parafit/mpi binding; --mpi on forces them)')
  const peers = peersFolder(values.peers)
  if (peers.skipped !== undefined && values.peers !== 'off')
    console.log(`Python peers skipped: ${peers.skipped}`)
  const results: Measurement[] = []
  for (const name of names) results.push(...(await everyScenario[name]!(Number(values.reps))))
  const python = peers.folder === undefined ? {} : runPeers(peers.folder, names, Number(values.reps))
  const compared = ratios(results, python)
  printRatios(compared)
  if (values.json !== undefined) {
    const document = {
      date: new Date().toISOString(),
      node: process.version,
      results,
      python,
      ratios: compared,
    }
    writeFileSync(values.json, `${JSON.stringify(document, null, 2)}\n`)
    console.log(`wrote ${values.json}`)
  }
}

async function mpiAvailable(): Promise<boolean> {
  const { mpiBindingBuilt } = await import('@parafit/mpi')
  return mpiBindingBuilt() && spawnSync(launcher().command, ['--version']).status === 0
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
