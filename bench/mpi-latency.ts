// How fast a rank reacts to a message, and what waiting costs: `npm run bench:latency`.
//
// Run plainly, it starts itself under `mpirun -np 2` (or PARAFIT_BENCH_MPIEXEC: bench/launcher.ts)
// once per way of receiving (the progress thread woken by node-local doorbells, with and without
// a spin window, the thread polling alone as for ranks on other nodes, and the event loop
// polling) and prints one table. Under mpirun, rank 1 sends rank 0 a
// timestamped message after each idle gap, and rank 0 records, in JavaScript, the time from the
// send to the message's arrival (CLOCK_MONOTONIC, which both processes on one host share);
// rank 0 acknowledges every message, so the gap is the time both ranks sat idle. Rank 0 also
// reports the CPU its progress thread used while the job sat idle for two seconds.

import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { detectMpi } from '@parafit/core'
import { loadBinding } from '../packages/mpi/src/addon.ts'
import { PollingReceiver } from '../packages/mpi/src/polling-receiver.ts'
import { ProgressThreadReceiver } from '../packages/mpi/src/progress-receiver.ts'
import { launcher } from './launcher.ts'

interface Case {
  readonly gapMs: number
  readonly bytes: number
  readonly reps: number
}
const CASES: Case[] = [
  { gapMs: 0, bytes: 8, reps: 300 },
  { gapMs: 0.05, bytes: 8, reps: 300 },
  { gapMs: 1, bytes: 8, reps: 200 },
  { gapMs: 10, bytes: 8, reps: 100 },
  { gapMs: 100, bytes: 8, reps: 15 },
  { gapMs: 1000, bytes: 8, reps: 3 },
  { gapMs: 1, bytes: 4096, reps: 100 },
  { gapMs: 1, bytes: 65536, reps: 100 },
  { gapMs: 1, bytes: 1 << 20, reps: 30 },
]
const IDLE_MS = 2000

const MODES = {
  // The default: a peer wakes the event loop itself where it waits, else the progress thread.
  doorbells: { PARAFIT_MPI_DOORBELLS: 'on', PARAFIT_MPI_PROGRESS: 'thread' },
  // Peers wake only the progress thread, which wakes the event loop (before the event-loop doorbell).
  'thread doorbells': { PARAFIT_MPI_DOORBELLS: 'thread', PARAFIT_MPI_PROGRESS: 'thread' },
  // What a node with a spare core per rank gets by default (this one has none).
  'doorbells + 50 µs spin': {
    PARAFIT_MPI_DOORBELLS: 'on',
    PARAFIT_MPI_PROGRESS: 'thread',
    BENCH_SPIN_US: '50',
  },
  'no doorbells': { PARAFIT_MPI_DOORBELLS: 'off', PARAFIT_MPI_PROGRESS: 'thread' },
  'event-loop polling': { PARAFIT_MPI_DOORBELLS: 'off', PARAFIT_MPI_PROGRESS: 'poll' },
} as const

interface CaseResult extends Case {
  /** Of that, the mean hop from the progress thread to JavaScript (the native counters). */
  readonly threadToJsMeanUs: number | undefined
  readonly p50Us: number
  readonly p99Us: number
  readonly maxUs: number
}
interface RankZeroReport {
  readonly cases: CaseResult[]
  readonly idleThreadCpuPercent: number | undefined
  readonly idleProcessCpuPercent: number
}

const now = () => Number(process.hrtime.bigint()) / 1000 // µs, CLOCK_MONOTONIC
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!

/** One rank's side of the measurement, under mpirun. */
async function rank(): Promise<void> {
  const mpi = loadBinding()
  const info = mpi.init(process.env.PARAFIT_MPI_DOORBELLS !== 'off')
  const wakeEventLoop = process.env.PARAFIT_MPI_DOORBELLS === 'on'
  const inbox: Uint8Array[] = []
  let waiting: (() => void) | undefined
  const arrive = (_source: number, bytes: Uint8Array) => {
    inbox.push(bytes)
    waiting?.()
  }
  const receiver =
    (process.env.PARAFIT_MPI_PROGRESS === 'poll'
      ? undefined
      : ProgressThreadReceiver.start(mpi, arrive, wakeEventLoop)) ??
    new PollingReceiver(mpi, arrive, () => true)
  receiver.hold(true)
  if (process.env.BENCH_SPIN_US !== undefined)
    mpi.setBackoff(5, 50_000, 32, Number(process.env.BENCH_SPIN_US))
  const next = async (): Promise<Uint8Array> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (waiting = resolve))
    return inbox.shift()!
  }
  const send = (to: number, bytes: Uint8Array) => {
    mpi.isend(to, 1, bytes)
    receiver.wake()
  }

  const cases: CaseResult[] = []
  for (const c of CASES) {
    const latencies: number[] = []
    const start = mpi.progressStats()
    const payload = new Float64Array(c.bytes / 8)
    for (let r = 0; r < c.reps; r++) {
      if (info.rank === 1) {
        if (c.gapMs >= 1) await sleep(c.gapMs)
        else for (const until = now() + c.gapMs * 1000; now() < until; );
        payload[0] = now()
        send(0, new Uint8Array(payload.buffer))
        await next() // the acknowledgement
      } else {
        const bytes = await next()
        latencies.push(now() - new Float64Array(bytes.buffer, bytes.byteOffset, 1)[0]!)
        send(1, new Uint8Array(8))
      }
    }
    const end = mpi.progressStats()
    const hops = end.batches - start.batches
    const hopSum = end.deliveryLatencyMeanUs * end.batches - start.deliveryLatencyMeanUs * start.batches
    if (info.rank === 0)
      cases.push({
        ...c,
        threadToJsMeanUs: end.running && hops > 0 ? hopSum / hops : undefined,
        p50Us: quantile(latencies, 0.5),
        p99Us: quantile(latencies, 0.99),
        maxUs: Math.max(...latencies),
      })
  }

  // Both ranks sit idle, the receivers held (as a worker rank waiting for work would be).
  const before = mpi.progressStats()
  const cpu = process.cpuUsage()
  await sleep(IDLE_MS)
  const used = process.cpuUsage(cpu)
  const after = mpi.progressStats()
  if (info.rank === 0) {
    const report: RankZeroReport = {
      cases,
      idleThreadCpuPercent: after.running
        ? ((after.threadCpuMs - before.threadCpuMs) / IDLE_MS) * 100
        : undefined,
      idleProcessCpuPercent: ((used.user + used.system) / 1000 / IDLE_MS) * 100,
    }
    console.log(`LATENCY_REPORT ${JSON.stringify(report)}`)
  }
  // Both ranks finish together: a last exchange, then finalize.
  if (info.rank === 1) send(0, new Uint8Array(8))
  else await next()
  while (mpi.pendingSends() > 0) await sleep(1)
  receiver.hold(false)
  mpi.finalize()
}

/** Starts the measurement under mpirun once per way of receiving; prints and saves the table. */
function launch(json: string | undefined, extraMca: string[]): void {
  const reports: Record<string, RankZeroReport> = {}
  for (const [mode, env] of Object.entries(MODES)) {
    const mpi = launcher()
    const args = mpi.args(2, [process.execPath, new URL(import.meta.url).pathname], extraMca)
    const result = spawnSync(mpi.command, args, {
      env: { ...process.env, ...env, ...mpi.env },
      encoding: 'utf8',
      timeout: 300_000,
    })
    const line = result.stdout?.split('\n').find((l) => l.startsWith('LATENCY_REPORT '))
    if (result.status !== 0 || line === undefined)
      throw new Error(
        `${launcher().command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`,
      )
    reports[mode] = JSON.parse(line.slice('LATENCY_REPORT '.length)) as RankZeroReport
  }
  const modes = Object.keys(reports)
  console.log(
    `send → JavaScript on the receiving rank, µs: p50 / p99 / max (mean thread → JavaScript hop)${extraMca.length ? `, ${extraMca.join(' ')}` : ''}`,
  )
  console.log(['gap', 'bytes', ...modes].map((h) => h.padEnd(30)).join(''))
  CASES.forEach((c, i) => {
    const cells = modes.map((m) => {
      const r = reports[m]!.cases[i]!
      const hop = r.threadToJsMeanUs === undefined ? '' : ` (${r.threadToJsMeanUs.toFixed(0)})`
      return `${r.p50Us.toFixed(0)} / ${r.p99Us.toFixed(0)} / ${r.maxUs.toFixed(0)}${hop}`
    })
    console.log([`${c.gapMs} ms`, String(c.bytes), ...cells].map((h) => h.padEnd(30)).join(''))
  })
  const idle = modes.map((m) => {
    const r = reports[m]!
    const thread =
      r.idleThreadCpuPercent === undefined ? '' : `thread ${r.idleThreadCpuPercent.toFixed(2)}%, `
    return `${thread}process ${r.idleProcessCpuPercent.toFixed(2)}%`
  })
  console.log(['idle CPU', '', ...idle].map((h) => h.padEnd(30)).join(''))
  if (json !== undefined) {
    writeFileSync(
      json,
      `${JSON.stringify({ date: new Date().toISOString(), mca: extraMca, reports }, null, 2)}\n`,
    )
    console.log(`wrote ${json}`)
  }
}

if (detectMpi().size > 1) {
  await rank()
} else {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, tcp: { type: 'boolean', default: false } },
  })
  launch(values.json, values.tcp ? ['--mca', 'pml', 'ob1', '--mca', 'btl', 'self,tcp'] : [])
}
