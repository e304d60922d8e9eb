// parafit demo: one combined objective (a weighted sum of terms, nested) evaluated serially and
// then on a thread pool, with the speedup and the context tree the terms wrote, from whichever
// worker ran them.   Run: npm run demo:context
import { availableParallelism } from 'node:os'
import { combine, EvaluateContext, type MetaData, objectiveModule } from '@parafit/core'
import { parallelCombined, serialPool, threadPool } from '@parafit/parallel'
import type { DecayData, DecayParams } from './objectives/decay.objective.ts'

// Six synthetic datasets, each decaying at its own rate, sharing one amplitude.
const rates: Record<string, number> = { a: 0.3, b: 0.5, c: 0.8, d: 1.1, e: 1.6, f: 2.2 }
const t = Float64Array.from({ length: 30 }, (_, i) => 0.1 + i * 0.1)
const decay = new URL('./objectives/decay.objective.ts', import.meta.url)
const term = (label: string) => {
  const y = t.map((x) => 2 * Math.exp(-rates[label]! * x) * (1 + 0.01 * Math.sin(9 * x)))
  return objectiveModule(decay, { init: { label, t, y, steps: 250_000 } satisfies DecayData })
}

// Nested: two groups of three datasets; the second group counts half.
const objective = combine<DecayParams>(
  [combine([term('a'), term('b'), term('c')]), combine([term('d'), term('e'), term('f')])],
  { weights: [1, 0.5] },
)
const params: DecayParams = { amplitude: 1.95, rate: { a: 0.31, b: 0.48, c: 0.8, d: 1.05, e: 1.7, f: 2.2 } }

async function timed(label: string, pool: ReturnType<typeof serialPool>) {
  const ctx = new EvaluateContext()
  const parallel = parallelCombined(objective, pool)
  await parallel.evaluate(params) // warm up: load the module in every worker
  let value = Number.NaN
  let seconds = Number.POSITIVE_INFINITY
  for (let run = 0; run < 3; run++) {
    const start = performance.now()
    value = await parallel.evaluate(params, ctx)
    seconds = Math.min(seconds, (performance.now() - start) / 1000)
  }
  await pool.close()
  console.log(`${label.padEnd(34)} value ${value.toPrecision(8)}   ${seconds.toFixed(3)} s (best of 3)`)
  return { seconds, ctx }
}

const workers = Math.max(2, availableParallelism())
const serial = await timed('serial (calling thread)', serialPool())
const threads = await timed(`thread pool (${workers} workers)`, threadPool({ numWorkers: workers }))
console.log(`speedup ${(serial.seconds / threads.seconds).toFixed(2)}x on ${availableParallelism()} cores\n`)

function show(node: MetaData, label: string, indent: string): void {
  const { children, ...meta } = node.meta as { children?: MetaData[] } & Record<string, unknown>
  const timing = meta.timing as { elapsedSeconds: number } | undefined
  const fields = [
    `loss=${node.loss?.toPrecision(5)}`,
    meta.dataset === undefined ? '' : `dataset=${meta.dataset}`,
    node.quantities ? `maxAbsResidual=${(node.quantities.maxAbsResidual as number).toPrecision(3)}` : '',
    timing === undefined ? '' : `took=${(timing.elapsedSeconds * 1000).toFixed(1)}ms`,
    meta.nTerms === undefined ? '' : `terms=${meta.nTerms}`,
  ]
  console.log(`${indent}${label}  ${fields.filter(Boolean).join('  ')}`)
  for (const [i, child] of (children ?? []).entries()) show(child, `term ${i}`, `${indent}  `)
}
console.log('context tree from the thread pool (ctx.toMetaData()):')
show(threads.ctx.toMetaData(), 'root', '  ')
