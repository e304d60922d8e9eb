// Micro-benchmark of the nested sampler's neural-region network: training time and epochs for one
// network on N points in d dimensions, and prediction time for 10^5 points. The data imitate a
// nautilus region: points uniform in the unit ball, a Gaussian log-likelihood, the threshold at the
// 60th percentile, rank scores as targets. Speed is measured here, never asserted in tests.
//
//   bash scripts/with-node.sh node bench/nested-mlp.ts [--n 2000,5000,10000] [--d 3,10] [--seed 0]
//
// With --emulator it trains whole 4-network emulators instead, optionally capped with --cap, and
// reports the false-rejection and false-acceptance rates on 20 000 new points.

import { parseArgs } from 'node:util'
import { Random } from '@parafit/core'
import { trainEmulator } from '../packages/sampler/src/nested/neural/emulator.ts'
import { predict, trainNetwork } from '../packages/sampler/src/nested/neural/mlp.ts'
import { rankScores } from '../packages/sampler/src/nested/neural/rank-score.ts'

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000,5000,10000' },
    d: { type: 'string', default: '3,10' },
    seed: { type: 'string', default: '0' },
    'max-epochs': { type: 'string' },
    emulator: { type: 'boolean', default: false },
    cap: { type: 'string' },
  },
})
const list = (s: string) => s.split(',').map(Number)

/** N points uniform in the d-ball and their rank scores for a Gaussian likelihood. */
function region(n: number, d: number, seed: number): { x: Float64Array; y: Float64Array } {
  const { x, logL } = regionLogL(n, d, seed)
  return { x, y: rankScores(logL, quantile(logL, 0.6)) }
}

function quantile(values: Float64Array, q: number): number {
  return values.slice().sort()[Math.floor(q * values.length)]!
}

/** N points uniform in the d-ball and a Gaussian log-likelihood on them. */
function regionLogL(n: number, d: number, seed: number): { x: Float64Array; logL: Float64Array } {
  const random = Random.fromSeed(seed, n, d)
  const x = new Float64Array(n * d)
  const logL = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let r2 = 0
    for (let k = 0; k < d; k++) {
      x[i * d + k] = random.normal()
      r2 += x[i * d + k]! ** 2
    }
    const scale = random.uniform() ** (1 / d) / Math.sqrt(r2)
    let q = 0
    for (let k = 0; k < d; k++) {
      x[i * d + k]! *= scale
      const c = k === 0 ? 0.2 : 0
      q += ((x[i * d + k]! - c) / 0.4) ** 2
    }
    logL[i] = -q / 2
  }
  return { x, logL }
}

/** A 4-network emulator's training time and its error rates on new points. */
function emulatorRun(n: number, d: number, seed: number, cap: number | undefined): void {
  const { x, logL } = regionLogL(n, d, seed)
  const logLMin = quantile(logL, 0.6)
  const t0 = performance.now()
  const cappedAt = cap === undefined ? {} : { maxTrainingPoints: cap }
  const emulator = trainEmulator(x, d, logL, logLMin, { seed, ...cappedAt })
  const seconds = (performance.now() - t0) / 1000
  const fresh = regionLogL(20_000, d, seed + 1)
  const predicted = emulator.predict(fresh.x)
  let above = 0
  let falseReject = 0
  let falseAccept = 0
  for (let i = 0; i < fresh.logL.length; i++) {
    const inside = predicted[i]! > emulator.threshold - 1e-9
    if (fresh.logL[i]! >= logLMin) {
      above++
      if (!inside) falseReject++
    } else if (inside) falseAccept++
  }
  console.log(
    `emulator d=${d} N=${n} cap=${cap ?? 'none'}: ${seconds.toFixed(2)} s for 4 networks, ` +
      `false rejection ${((100 * falseReject) / above).toFixed(2)} %, ` +
      `false acceptance ${((100 * falseAccept) / (fresh.logL.length - above)).toFixed(2)} %`,
  )
}

const seed = Number(values.seed)
const maxEpochs = values['max-epochs'] === undefined ? undefined : Number(values['max-epochs'])
if (values.emulator) {
  for (const d of list(values.d)) {
    for (const n of list(values.n))
      emulatorRun(n, d, seed, values.cap === undefined ? undefined : Number(values.cap))
  }
  process.exit(0)
}
for (const d of list(values.d)) {
  for (const n of list(values.n)) {
    const { x, y } = region(n, d, seed)
    const t0 = performance.now()
    const w = trainNetwork(x, y, { seed, ...(maxEpochs === undefined ? {} : { maxEpochs }) })
    const seconds = (performance.now() - t0) / 1000
    let ss = 0
    let st = 0
    let mean = 0
    for (const v of y) mean += v / n
    const p = predict(w, x)
    for (let i = 0; i < n; i++) {
      ss += (p[i]! - y[i]!) ** 2
      st += (y[i]! - mean) ** 2
    }
    console.log(
      `train d=${d} N=${n}: ${w.epochs} epochs, ${seconds.toFixed(2)} s (${((1000 * seconds) / w.epochs).toFixed(1)} ms/epoch), R²=${(1 - ss / st).toFixed(4)}`,
    )
  }
  const { x: big } = region(100_000, d, seed + 1)
  const { x, y } = region(2000, d, seed)
  const w = trainNetwork(x, y, { seed, maxEpochs: 5 })
  predict(w, big)
  const t0 = performance.now()
  predict(w, big)
  console.log(`predict d=${d}: 1e5 points in ${((performance.now() - t0) / 1000).toFixed(3)} s`)
}
