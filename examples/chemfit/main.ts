// ChemFit's conventions: mapWithContext, a nested combined objective, its metadata tree, threads, MPI.
//
// The model: a Morse pair potential for copper (D, alpha, r0), fitted against the energies of
// eight reference structures (rattled fcc clusters, some strained). In ChemFit's terms:
//   1. map_with_context   -> mapWithContext(pool, term, paramsList): values and contexts back
//   2. a combined objective (weighted sum of terms, nested) evaluated term-parallel on a thread
//      pool (ExecutorWrapperCOB -> parallelCombined), with the metadata tree of the evaluation
//   3. the same tree over MPI ranks (MPIWrapperCOB -> mpiCombined): this script starts
//      `mpirun -np 3 node examples/chemfit/main.ts --mpi-part` of itself.
// Run: npm run example -- chemfit        (or: node examples/chemfit/main.ts)
import { availableParallelism } from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import {
  combine,
  detectMpi,
  EvaluateContext,
  isCombined,
  type MetaData,
  type Objective,
  objectiveModule,
  type Term,
} from '@parafit/core'
import { mpiCombined } from '@parafit/mpi'
import { mapWithContext, parallelCombined, serialPool, threadPool } from '@parafit/parallel'
import { mpiMissing, mpirunSelf } from '../mpirun-self.ts'
import { type MorseParams, type StructureData, structure } from './morse.ts'

// ---- The objective: reference structures, grouped and weighted as in a ChemFit input ----

const pairBudget = 300_000 // pair interactions per term and evaluation: about 5 ms of CPU
const data = {
  cu13: structure('Cu13', 2.6, 0, pairBudget),
  cu19: structure('Cu19', 3.7, 0, pairBudget),
  cu43: structure('Cu43', 4.5, 0, pairBudget),
  cu55: structure('Cu55', 5.2, 0, pairBudget),
  cu43c: structure('Cu43 -3%', 4.5, -0.03, pairBudget),
  cu43e: structure('Cu43 +3%', 4.5, 0.03, pairBudget),
  cu55c: structure('Cu55 -3%', 5.2, -0.03, pairBudget),
  cu55e: structure('Cu55 +3%', 5.2, 0.03, pairBudget),
}
const structureModule = new URL('./structure.objective.ts', import.meta.url)
const term = (init: StructureData) => objectiveModule(structureModule, { init })

/** A weighted sum of named terms; the names go into each child context (ChemFit's configurator). */
function group(members: [name: string, weight: number, term: Term<MorseParams>][]) {
  const names = members.map(([name]) => name)
  return combine<MorseParams>(
    members.map(([, , t]) => t),
    {
      weights: members.map(([, weight]) => weight),
      configureChild: (i, child) => {
        child.meta.term = names[i]
      },
    },
  )
}

const tree = group([
  [
    'clusters',
    1,
    group([
      [
        'small',
        1,
        group([
          ['Cu13', 1, term(data.cu13)],
          ['Cu19', 1, term(data.cu19)],
        ]),
      ],
      [
        'large',
        0.5,
        group([
          ['Cu43', 1, term(data.cu43)],
          ['Cu55', 1, term(data.cu55)],
        ]),
      ],
    ]),
  ],
  [
    'equation of state',
    2,
    group([
      ['Cu43 -3%', 1, term(data.cu43c)],
      ['Cu43 +3%', 1, term(data.cu43e)],
      ['Cu55 -3%', 1, term(data.cu55c)],
      ['Cu55 +3%', 1, term(data.cu55e)],
    ]),
  ],
])
// An iterate of a fit started from the literature values (it ends near D 0.359, alpha 1.386, r0 2.839).
const guess: MorseParams = { morse: { D: 0.35, alpha: 1.37, r0: 2.85 } }

// ---- Helpers: timing and printing ----

/** Evaluates once to warm up (modules load, workers start), then returns the best of 5 runs. */
async function bestOf5(objective: Objective<MorseParams>) {
  await objective.evaluate(guess)
  let seconds = Number.POSITIVE_INFINITY
  let value = Number.NaN
  let ctx = new EvaluateContext()
  for (let run = 0; run < 5; run++) {
    ctx = new EvaluateContext()
    const start = performance.now()
    value = await objective.evaluate(guess, ctx)
    seconds = Math.min(seconds, (performance.now() - start) / 1000)
  }
  return { value, seconds, ctx }
}

const yes = (ok: boolean) => (ok ? 'yes' : 'NO')
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`

type Meta = { term?: string; nTerms?: number; ranOn?: string; timing?: { elapsedSeconds: number } }

/** The metadata tree, walked beside the objective tree for the weights. */
function printTree(node: MetaData, objective: Term, weight: number | undefined, indent: string): void {
  const meta = node.meta as Meta & { children?: MetaData[] }
  const q = node.quantities as { rmseMeVPerAtom: number; frames: number; atoms: number } | undefined
  const fields = [
    `${indent}${meta.term ?? 'total'}`.padEnd(26),
    weight === undefined ? '     ' : `w=${weight}`.padEnd(5),
    `loss=${node.loss?.toPrecision(5)}`.padEnd(16),
    meta.nTerms === undefined ? '' : `${meta.nTerms} terms`,
    q === undefined
      ? ''
      : `rmse=${q.rmseMeVPerAtom.toFixed(2)} meV/atom  ${q.atoms} atoms x ${q.frames} frames`,
    meta.ranOn === undefined ? '' : `on ${meta.ranOn}`,
    meta.timing === undefined ? '' : ms(meta.timing.elapsedSeconds),
  ]
  console.log(fields.filter(Boolean).join('  '))
  if (!isCombined(objective)) return
  for (const [i, child] of (meta.children ?? []).entries())
    printTree(child, objective.terms[i]!, objective.weights[i], `${indent}  `)
}

function leaves(node: MetaData): Meta[] {
  const children = (node.meta as { children?: MetaData[] }).children
  return children === undefined ? [node.meta as Meta] : children.flatMap(leaves)
}

/** The metadata tree without what legitimately differs between backends: timings and who ran it. */
function comparable(node: MetaData): unknown {
  const { timing, ranOn, children, ...meta } = node.meta as Meta & { children?: MetaData[] }
  return { ...node, meta: { ...meta, children: children?.map(comparable) } }
}

// ---- 3, under mpirun: rank 0 evaluates, ranks 1 and 2 run the terms ----

async function mpiPart(): Promise<void> {
  const mpi = await mpiCombined(tree) // every rank builds the same tree; checked at start-up
  if (mpi.rank !== 0) return mpi.workerLoop()
  try {
    const serial = await bestOf5(tree)
    const ranks = await bestOf5(mpi)
    const rankOf = (leaf: Meta) => /^rank (\d+)/.exec(leaf.ranOn ?? '')?.[1] ?? 'none'
    const usedRanks = [...new Set(leaves(ranks.ctx.toMetaData()).map(rankOf))].sort(
      (a, b) => Number(a) - Number(b),
    )
    console.log(`   serial on rank 0           ${ms(serial.seconds)} (best of 5)`)
    console.log(`   mpiCombined, ${mpi.size - 1} worker ranks  ${ms(ranks.seconds)} (best of 5)`)
    console.log(`   speedup ${(serial.seconds / ranks.seconds).toFixed(2)}x`)
    console.log('   metadata tree from the MPI evaluation:')
    printTree(ranks.ctx.toMetaData(), tree, undefined, '     ')
    console.log(`MPI value ${ranks.value}`)
    console.log(`check: MPI value equals serial value: ${yes(ranks.value === serial.value)}`)
    console.log(
      `check: MPI metadata tree equals serial tree (timings and ranOn aside): ${yes(
        isDeepStrictEqual(comparable(ranks.ctx.toMetaData()), comparable(serial.ctx.toMetaData())),
      )}`,
    )
    if (mpi.size === 1) {
      // One rank has no workers: mpiCombined evaluates the terms on rank 0 itself.
      console.log(
        `check: one rank, so the terms ran on rank 0 (start 3 ranks to spread them): ${yes(
          usedRanks.every((rank) => rank === '0'),
        )}`,
      )
    } else {
      console.log(
        `check: terms ran on worker ranks only (ranks ${usedRanks.join(', ')}): ${yes(
          usedRanks.every((rank) => rank !== 'none' && rank !== '0'),
        )}`,
      )
    }
  } finally {
    await mpi.close()
  }
}

// ---- 1 and 2, then 3 through mpirun ----

async function main(): Promise<void> {
  const workers = Math.min(8, Math.max(2, availableParallelism()))
  const pool = threadPool({ numWorkers: workers })
  try {
    // 1. map_with_context: one term (Cu55) at many parameter sets; each context comes back.
    const scan = Array.from({ length: 12 }, (_, i) => ({
      morse: { D: 0.359, alpha: 1.386, r0: 2.806 + 0.006 * i },
    }))
    const cu55 = term(data.cu55)
    const results = await mapWithContext(pool, cu55, scan)
    const serialResults = await mapWithContext(serialPool(), cu55, scan)
    console.log(
      `1. mapWithContext: the Cu55 term at ${scan.length} values of r0 (D, alpha fixed), thread pool of ${workers}`,
    )
    console.log('   r0 (Å)   loss (meV/atom)^2   rmse     max error   ran on            took')
    for (const { value, context } of results) {
      const q = context.quantities as { rmseMeVPerAtom: number; maxErrorMeVPerAtom: number }
      const meta = context.meta as Meta
      console.log(
        `   ${(context.parameters as MorseParams).morse.r0.toFixed(3)}    ${value.toPrecision(5).padEnd(18)}  ` +
          `${q.rmseMeVPerAtom.toFixed(2).padStart(6)}   ${q.maxErrorMeVPerAtom.toFixed(2).padStart(9)}   ` +
          `${meta.ranOn!.padEnd(16)}  ${ms(meta.timing!.elapsedSeconds)}`,
      )
    }
    const best = results.reduce((a, b) => (b.value < a.value ? b : a))
    console.log(`   lowest loss at r0 = ${(best.context.parameters as MorseParams).morse.r0.toFixed(3)} Å`)
    const sameValues = results.every((r, i) => r.value === serialResults[i]!.value)
    const onWorkers = results.every((r) => !(r.context.meta as Meta).ranOn!.endsWith(' thread 0'))
    console.log(`check: mapWithContext values equal serial values: ${yes(sameValues)}`)
    console.log(`check: every evaluation ran on a worker thread: ${yes(onWorkers)}`)

    // 2. The combined objective, serial (a direct call) and term-parallel on the pool.
    console.log('\n2. Combined objective (8 terms, 3 levels): serial call vs parallelCombined on the pool')
    const serial = await bestOf5(tree)
    const parallel = await bestOf5(parallelCombined(tree, pool))
    console.log(`   serial (calling thread)    ${ms(serial.seconds)} (best of 5)`)
    console.log(`   thread pool (${workers} workers)    ${ms(parallel.seconds)} (best of 5)`)
    console.log(
      `   speedup ${(serial.seconds / parallel.seconds).toFixed(2)}x on ${availableParallelism()} cores`,
    )
    console.log('   metadata tree (ctx.toMetaData()) from the pool:')
    printTree(parallel.ctx.toMetaData(), tree, undefined, '     ')
    console.log(`check: pool value equals serial value: ${yes(parallel.value === serial.value)}`)
    console.log(
      `check: pool metadata tree equals serial tree (timings and ranOn aside): ${yes(
        isDeepStrictEqual(comparable(parallel.ctx.toMetaData()), comparable(serial.ctx.toMetaData())),
      )}`,
    )
    await pool.close()

    // 3. MPI, through mpirun of this script.
    const missing = mpiMissing()
    if (missing !== undefined) {
      console.log(`\n3. MPI part skipped: ${missing}`)
      return
    }
    console.log('\n3. The same tree on MPI ranks, through mpirun of this script')
    const output = await mpirunSelf(import.meta.url, 3, ['--mpi-part'], 45_000)
    const line = output.split('\n').find((l) => l.startsWith('MPI value '))
    const mpiValue = line === undefined ? undefined : Number(line.slice('MPI value '.length))
    console.log(
      `check: MPI value (from mpirun) equals this process's serial value: ${yes(mpiValue === serial.value)}`,
    )
  } finally {
    await pool.close()
  }
}

if (process.argv.includes('--mpi-part') || detectMpi().launcher !== null) await mpiPart()
else await main()
