// What `parafit sample` prints at the end. Ensemble: τ, N/τ and the acceptance first (the
// walkers are not independent chains), then arviz's summary with the walkers as chains.
// Nested: log Z ± its error, N_eff and the calls, then each parameter's weighted mean, sd and
// 16/50/84% quantiles, weighted as corner.py weights them (@parafit/plot's quantiles).

import { ValidationError } from '@parafit/core'
import { quantiles } from '@parafit/plot'
import {
  AutocorrError,
  formatSummary,
  integratedTime,
  type SummaryRow,
  summary,
  walkerChains,
} from '@parafit/sampler'

function fixed(x: number, digits = 4): string {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x)
}

/** Said under the method when a least-squares model is sampled through its objective. */
const LEAST_SQUARES_NOTE =
  "  model        least squares: ln L = −χ²/2 of the objective's residuals (data − model)/σ"

export interface EnsembleReport {
  /** The command that prints it, `parafit sample` or `parafit report`, and what it was given. */
  readonly command: string
  readonly module: string
  readonly leastSquares: boolean
  readonly pool: string
  readonly nWalkers: number
  readonly steps: number
  readonly discard: number
  readonly names: readonly string[]
  /** τ per parameter, or undefined when the chain is too short to trust it. */
  readonly tau: Float64Array | undefined
  readonly tauQuiet: Float64Array
  readonly acceptance: Float64Array
  readonly rows: readonly SummaryRow[]
  /** The run's time, when this is the run (not a file read back). */
  readonly seconds: number | undefined
}

function formatEnsembleReport(r: EnsembleReport): string {
  const lines: string[] = []
  let low = Number.POSITIVE_INFINITY
  let high = Number.NEGATIVE_INFINITY
  let sum = 0
  for (const a of r.acceptance) {
    low = Math.min(low, a)
    high = Math.max(high, a)
    sum += a
  }
  lines.push(`${r.command} ${r.module}`)
  lines.push(`  method       ensemble (emcee's affine-invariant moves) on ${r.pool}`)
  if (r.leastSquares) lines.push(`${LEAST_SQUARES_NOTE}, −∞ outside the bounds`)
  const time = r.seconds === undefined ? '' : `, ${r.seconds.toFixed(1)} s`
  lines.push(`  chain        ${r.nWalkers} walkers × ${r.steps} steps${time}`)
  lines.push(
    `  acceptance   ${fixed(sum / r.acceptance.length, 3)} (walkers ${fixed(low, 3)}–${fixed(high, 3)})`,
  )
  const width = Math.max(9, ...r.names.map((n) => n.length))
  lines.push('')
  lines.push(`  ${'parameter'.padEnd(width)}  ${'τ (steps)'.padStart(10)}  ${'N/τ'.padStart(8)}`)
  r.names.forEach((name, d) => {
    const tau = r.tauQuiet[d]!
    lines.push(
      `  ${name.padEnd(width)}  ${fixed(tau, 3).padStart(10)}  ${fixed(r.steps / tau, 3).padStart(8)}`,
    )
  })
  lines.push(
    r.tau === undefined
      ? '  τ is not yet reliable: emcee trusts it once the chain is 50 τ long; run longer (--resume continues)'
      : '  τ is reliable (the chain is over 50 τ long); N/τ is the independent draws per walker',
  )
  lines.push(`  the summary leaves out the first ${r.discard} steps (burn-in: --discard)`)
  lines.push('')
  lines.push(
    formatSummary(r.rows, {
      notes: ['walkers treated as chains: they are not independent, so read R̂ and ESS as rough guides'],
    }),
  )
  return lines.join('\n')
}

/**
 * An ensemble chain's report: τ (trusted or not), the burn-in left out of the summary (`discard`,
 * default 2τ and at most half the chain), and arviz's table over the rest.
 */
export function summariseEnsemble(input: {
  readonly command: string
  readonly module: string
  readonly leastSquares: boolean
  readonly pool: string
  /** chain[step][walker] points, every step. */
  readonly chain: readonly (readonly Float64Array[])[]
  readonly names: readonly string[]
  readonly acceptance: Float64Array
  readonly discard: number | undefined
  readonly seconds: number | undefined
}): { report: string; discard: number } {
  const { chain } = input
  const steps = chain.length
  // One estimate: a chain too short to trust it raises AutocorrError, which carries it.
  let tau: Float64Array | undefined
  let tauQuiet: Float64Array
  try {
    tau = integratedTime(chain)
    tauQuiet = tau
  } catch (error) {
    if (!(error instanceof AutocorrError)) throw error
    tauQuiet = error.tau
  }
  let tauMax = 0
  for (const t of tauQuiet) if (Number.isFinite(t)) tauMax = Math.max(tauMax, t)
  const discard = input.discard ?? Math.min(Math.floor(steps / 2), Math.ceil(2 * tauMax))
  if (discard >= steps - 3) {
    throw new ValidationError(`--discard ${discard} leaves fewer than 4 of the chain's ${steps} steps`)
  }
  const rows = summary(walkerChains(chain.slice(discard)), { names: input.names })
  const report = formatEnsembleReport({
    ...input,
    nWalkers: chain[0]!.length,
    steps,
    discard,
    tau,
    tauQuiet,
    rows,
  })
  return { report, discard }
}

export interface NestedReport {
  readonly command: string
  readonly module: string
  readonly leastSquares: boolean
  readonly pool: string
  readonly logZ: number
  readonly logZErr: number
  readonly nEff: number
  readonly nLike: number
  readonly efficiency: number
  /** How the run ended; its words are printed. */
  readonly stop: { readonly reason: string }
  readonly seconds: number
  readonly names: readonly string[]
  /** Per parameter: the points' values, and the normalised weights. */
  readonly columns: readonly Float64Array[]
  readonly weights: Float64Array
}

export function formatNestedReport(r: NestedReport): string {
  const lines: string[] = []
  lines.push(`${r.command} ${r.module}`)
  lines.push(`  method       nested sampling (nautilus's importance nested sampling) on ${r.pool}`)
  if (r.leastSquares) lines.push(`${LEAST_SQUARES_NOTE}; log Z leaves out −Σ ln(σ√(2π))`)
  lines.push(`  stopped      ${r.stop.reason}`)
  lines.push(`  log Z        ${r.logZ.toFixed(4)} ± ${r.logZErr.toFixed(4)}`)
  lines.push(
    `  N_eff        ${Math.floor(r.nEff)} from ${r.nLike} likelihood calls (efficiency ${fixed(r.efficiency, 3)}), ` +
      `${r.seconds.toFixed(1)} s`,
  )
  lines.push('')
  const width = Math.max(9, ...r.names.map((n) => n.length))
  lines.push(
    `  ${'parameter'.padEnd(width)}  ${'mean'.padStart(12)}  ${'sd'.padStart(12)}  ` +
      `${'16%'.padStart(12)}  ${'50%'.padStart(12)}  ${'84%'.padStart(12)}`,
  )
  r.names.forEach((name, d) => {
    const x = r.columns[d]!
    let mean = 0
    for (let i = 0; i < x.length; i++) mean += r.weights[i]! * x[i]!
    let variance = 0
    for (let i = 0; i < x.length; i++) variance += r.weights[i]! * (x[i]! - mean) ** 2
    const q = quantiles(x, [0.16, 0.5, 0.84], r.weights)
    const cells = [mean, Math.sqrt(variance), ...q].map((v) => fixed(v, 6).padStart(12))
    lines.push(`  ${name.padEnd(width)}  ${cells.join('  ')}`)
  })
  lines.push('  (weighted by the importance weights of every point evaluated)')
  return lines.join('\n')
}
