// The Python peers in the same run: `npm run bench -- --peers auto` runs the peer scripts
// (../shared/peers/run_all.sh: multiprocessing, mpi4py.futures, a schwimmbad-style MPI pool)
// for the scenarios just measured, and reports each speed bar as a ratio measured on one
// machine in one hour, which is the only way the figures of two machines compare.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Measurement } from './measurement.ts'

/** parafit's scenario → the peers' scenario letter. */
const PEER_SCENARIO: Record<string, string> = {
  'emcee-seed': 'a',
  'large-data': 'b',
  dispatch: 'c',
  'sleep-scaling': 'd',
}

type PeerConfig = {
  median_s?: number
  median_us_per_task?: number
  speedup_vs_serial?: number
  efficiency_vs_ideal?: number
}
export type PeerResults = Record<string, Record<string, PeerConfig>>

export interface Ratio {
  readonly scenario: string
  readonly what: string
  readonly parafit: number
  readonly python: number
  readonly pythonConfig: string
  /** parafit / python. */
  readonly ratio: number
  /** The bar, in words, and whether this run met it. */
  readonly bar: string
  readonly met: boolean
}

const defaultFolder = fileURLToPath(new URL('../../shared/peers/', import.meta.url))

/** The peers' folder for `--peers auto|off|<dir>`, or why they cannot run. */
export function peersFolder(option: string): { folder?: string; skipped?: string } {
  if (option === 'off') return { skipped: '--peers off' }
  const folder = option === 'auto' ? defaultFolder : option
  if (!existsSync(join(folder, 'run_all.sh'))) return { skipped: `no run_all.sh in ${folder}` }
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import emcee, mpi4py, numpy'])
  if (probe.status !== 0) {
    return {
      skipped: '/usr/bin/python3 lacks emcee, mpi4py or numpy (apt-get install python3-emcee python3-mpi4py)',
    }
  }
  return { folder }
}

/** Runs the peers of `scenarios` (those that have one); their results by scenario letter. */
export function runPeers(folder: string, scenarios: readonly string[], reps: number): PeerResults {
  const letters = [...new Set(scenarios.map((s) => PEER_SCENARIO[s]).filter((l) => l !== undefined))]
  if (letters.length === 0) return {}
  const out = mkdtempSync(join(tmpdir(), 'parafit-peers-'))
  console.log(`running the Python peers (scenarios ${letters.join(' ')}) into ${out}`)
  const run = spawnSync('bash', [join(folder, 'run_all.sh')], {
    env: {
      ...process.env,
      PEERS_OUT: out,
      ONLY: letters.join(' '),
      REPS: String(Math.min(reps, 5)),
      N_C: process.env.PARAFIT_BENCH_DISPATCH_N ?? '10000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  if (run.status !== 0) throw new Error(`the Python peers failed (exit ${run.status}); see ${out}/logs`)
  const parsed = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    scenarios: { scenario: string; results: Record<string, PeerConfig> }[]
  }
  return Object.fromEntries(parsed.scenarios.map((s) => [s.scenario, s.results]))
}

function find(ms: readonly Measurement[], scenario: string, backend: string, workers?: number) {
  return ms.find(
    (m) =>
      m.scenario === scenario && m.backend === backend && (workers === undefined || m.workers === workers),
  )
}

/** The bars, each as parafit's figure over Python's best comparable one. */
export function ratios(ms: readonly Measurement[], peers: PeerResults): Ratio[] {
  const out: Ratio[] = []
  const add = (
    scenario: string,
    what: string,
    mine: number | undefined,
    peer: PeerConfig | undefined,
    pythonConfig: string,
    field: keyof PeerConfig,
    bar: string,
    met: (ratio: number, mine: number) => boolean,
  ) => {
    const python = peer?.[field]
    if (mine === undefined || python === undefined) return
    const ratio = mine / python
    out.push({ scenario, what, parafit: mine, python, pythonConfig, ratio, bar, met: met(ratio, mine) })
  }
  const c = peers.c
  if (c !== undefined) {
    const us = (backend: string) => find(ms, 'dispatch', backend)?.microsecondsPerEvaluation
    add(
      'dispatch',
      'µs per evaluation, serial',
      us('serial'),
      c.serial_builtin_map,
      'built-in map',
      'median_us_per_task',
      '≤ 1.5x',
      (r) => r <= 1.5,
    )
    add(
      'dispatch',
      'µs per evaluation, 2 threads',
      us('threads'),
      c.mp_pool_2_map_default_chunksize,
      'Pool(2).map',
      'median_us_per_task',
      '≤ 0.35x',
      (r) => r <= 0.35,
    )
    add(
      'dispatch',
      'µs per evaluation, 2 processes',
      us('processes'),
      c.mp_pool_2_map_default_chunksize,
      'Pool(2).map',
      'median_us_per_task',
      '≤ 0.5x',
      (r) => r <= 0.5,
    )
    add(
      'dispatch',
      'µs per evaluation, MPI (2 worker ranks)',
      us('mpi'),
      c.mpi4py_futures_n3_chunksize_100,
      'mpi4py.futures, chunks of 100',
      'median_us_per_task',
      '≤ 0.5x',
      (r) => r <= 0.5,
    )
  }
  const a = peers.a
  if (a !== undefined) {
    const speedup = (backend: string) => find(ms, 'emcee-seed', backend, 2)?.speedup
    add(
      'emcee-seed',
      'speedup, 2 threads',
      speedup('threads'),
      a.mp_pool_2,
      'Pool(2)',
      'speedup_vs_serial',
      'parafit ≥ 1.95x',
      (_r, m) => m >= 1.95,
    )
    add(
      'emcee-seed',
      'speedup, 2 processes',
      speedup('processes'),
      a.mp_pool_2,
      'Pool(2)',
      'speedup_vs_serial',
      'parafit ≥ 1.93x',
      (_r, m) => m >= 1.93,
    )
    add(
      'emcee-seed',
      'speedup, MPI (2 worker ranks)',
      speedup('mpi'),
      a.mpi4py_futures_n3,
      'mpi4py.futures',
      'speedup_vs_serial',
      'parafit ≥ 1.90x',
      (_r, m) => m >= 1.9,
    )
  }
  const d = peers.d
  if (d !== undefined) {
    const best = Object.entries(d)
      .filter(([, v]) => v.efficiency_vs_ideal !== undefined)
      .sort(([, x], [, y]) => y.efficiency_vs_ideal! - x.efficiency_vs_ideal!)[0]
    for (const backend of ['threads', 'processes', 'mpi']) {
      const effs = ms.filter(
        (m) => m.scenario === 'sleep-scaling' && m.backend === backend && m.efficiency !== undefined,
      )
      if (effs.length === 0 || best === undefined) continue
      const worst = Math.min(...effs.map((m) => m.efficiency!))
      add(
        'sleep-scaling',
        `lowest efficiency, ${backend}`,
        worst,
        best[1],
        `best Python (${best[0]})`,
        'efficiency_vs_ideal',
        'parafit ≥ 0.99',
        (_r, m) => m >= 0.99,
      )
    }
  }
  return out
}

export function printRatios(rows: readonly Ratio[]): void {
  if (rows.length === 0) return
  console.log('\nparafit beside Python, same run:')
  for (const r of rows) {
    console.log(
      `  ${r.scenario.padEnd(14)} ${r.what.padEnd(40)} parafit ${r.parafit.toFixed(3).padStart(8)}  ` +
        `${r.pythonConfig} ${r.python.toFixed(3)}  ratio ${r.ratio.toFixed(3)}  bar ${r.bar}: ${r.met ? 'met' : 'MISSED'}`,
    )
  }
}
