// parafit benchmarks: `npm run bench -- --scenario dispatch,sleep-scaling --json out.json`.
// Each configuration runs `--reps` times; the JSON has one object per configuration with the
// median seconds, the speedup against serial measured in the same run, and microseconds per
// evaluation. Speed is measured here, never asserted in tests.

import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { combine, objectiveModule } from '@parafit/core'
import {
  mapWithContext,
  type Pool,
  parallelCombined,
  processPool,
  serialPool,
  threadPool,
} from '@parafit/parallel'
import type { WorkInit } from './objectives/work.objective.ts'

const workModule = new URL('./objectives/work.objective.ts', import.meta.url)
const work = (init: WorkInit) => objectiveModule(workModule, { init })

export interface Measurement {
  scenario: string
  backend: 'serial' | 'threads' | 'processes' | 'mpi'
  workers: number
  repetitions: number
  medianSeconds: number
  speedup: number
  microsecondsPerEvaluation: number
  efficiency?: number
  note?: string
}

type Backend = Measurement['backend']
const makePool = (backend: Backend, workers: number): Pool =>
  backend === 'serial'
    ? serialPool()
    : backend === 'threads'
      ? threadPool({ numWorkers: workers })
      : processPool({ numWorkers: workers })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const xs = (n: number) => Array.from({ length: n }, (_, i) => ({ x: i % 1000 }))

/** Times `run` on a fresh pool (started and warmed up outside the timing) `reps` times. */
async function timeOn(
  backend: Backend,
  workers: number,
  reps: number,
  warm: (pool: Pool) => Promise<unknown>,
  run: (pool: Pool) => Promise<unknown>,
) {
  const pool = makePool(backend, workers)
  try {
    await warm(pool)
    const seconds: number[] = []
    for (let r = 0; r < reps; r++) {
      const start = performance.now()
      await run(pool)
      seconds.push((performance.now() - start) / 1000)
    }
    return median(seconds)
  } finally {
    await pool.close()
  }
}

type Config = { backend: Backend; workers: number }

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
  for (const { backend, workers } of [{ backend: 'serial' as const, workers: 1 }, ...configs]) {
    const medianSeconds = await timeOn(backend, workers, reps, warm, run)
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

export const scenarios: Record<string, (reps: number) => Promise<Measurement[]>> = {
  /** 10,000 evaluations of a trivial objective: the cost of dispatch itself. */
  async dispatch(reps) {
    const ref = work({})
    return compare(
      'dispatch',
      10_000,
      twoWorkers,
      reps,
      (p) => mapWithContext(p, ref, xs(2000)),
      (p) => mapWithContext(p, ref, xs(10_000)),
    )
  },

  /** 400 evaluations that each block 10 ms: scaling over 1, 2, 4 and 8 workers. */
  async 'sleep-scaling'(reps) {
    const ref = work({ sleepMs: 10 })
    const configs: Config[] = [1, 2, 4, 8].flatMap((w) => [
      { backend: 'threads' as const, workers: w },
      { backend: 'processes' as const, workers: w },
    ])
    return compare(
      'sleep-scaling',
      400,
      configs,
      reps,
      (p) => mapWithContext(p, ref, xs(2 * p.size)),
      (p) => mapWithContext(p, ref, xs(400)),
      (m, serial) => {
        m.efficiency = serial / (m.medianSeconds * m.workers)
      },
    )
  },

  /** CPU-bound evaluations reading an 8 MB array, against the same without the array. */
  async 'large-data'(reps) {
    const data = new Float64Array(1 << 20).map((_, i) => Math.sin(i))
    const shared = new Float64Array(new SharedArrayBuffer(data.byteLength))
    shared.set(data)
    const out: Measurement[] = []
    for (const [label, init] of [
      ['without data', { spinMs: 5 }],
      ['with 8 MB data', { spinMs: 5, data }],
      ['with 8 MB shared data', { spinMs: 5, data: shared }],
    ] as const) {
      const ref = work(init)
      const ms = await compare(
        'large-data',
        64,
        twoWorkers,
        reps,
        (p) => mapWithContext(p, ref, xs(4)),
        (p) => mapWithContext(p, ref, xs(64)),
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: Object.keys(scenarios).join(',') },
      json: { type: 'string' },
      reps: { type: 'string', default: '5' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(
      `usage: npm run bench -- [--scenario ${Object.keys(scenarios).join(',')}] [--reps 5] [--json out.json]`,
    )
    return
  }
  const names = values.scenario.split(',').filter(Boolean)
  const unknown = names.filter((n) => !(n in scenarios))
  if (unknown.length > 0)
    throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`)
  const results: Measurement[] = []
  for (const name of names) results.push(...(await scenarios[name]!(Number(values.reps))))
  if (values.json !== undefined) {
    writeFileSync(
      values.json,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
    )
    console.log(`wrote ${values.json}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
