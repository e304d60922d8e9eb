// The fit report the command prints: what was fitted, how it ended, the goodness of fit, and the
// parameters with their standard errors and correlations where the method gives them (what
// lmfit's fit_report shows). Plain text a scientist can paste into notes.

import { type FitResult, strongCorrelations } from '@parafit/fitter'

const METHOD_NAMES: Record<string, string> = {
  lm: 'Levenberg-Marquardt',
  'nelder-mead': 'Nelder-Mead',
  cmaes: 'CMA-ES',
  de: 'differential evolution',
  auto: 'none chosen: the fit ended before its start point told which',
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  return magnitude >= 1e-3 && magnitude < 1e6 ? value.toPrecision(8) : value.toExponential(6)
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(2)} s`
  const minutes = Math.floor(seconds / 60)
  return `${minutes} min ${(seconds - 60 * minutes).toFixed(0)} s`
}

/** What the report reads of a fit: a `FitResult`, or the same fields read back from `--out`. */
export type ReportedFit = Pick<
  FitResult,
  | 'method'
  | 'success'
  | 'stopReason'
  | 'loss'
  | 'nEvals'
  | 'steps'
  | 'nFailed'
  | 'seconds'
  | 'keys'
  | 'stderr'
  | 'correlation'
  | 'statistics'
  | 'absoluteSigma'
  | 'atBound'
>

export function formatReport(
  result: ReportedFit,
  about: { module: string; pool: string; flat: Record<string, number> },
): string {
  const lines: string[] = []
  const method = `${result.method} (${METHOD_NAMES[result.method] ?? result.method})`
  const lossKind = result.stderr === undefined ? '' : ' (sum of squared residuals)'
  lines.push(`parafit fit ${about.module}`)
  lines.push(`  method       ${method} on ${about.pool}`)
  lines.push(`  stopped      ${result.success ? '' : '[not converged] '}${result.stopReason}`)
  lines.push(`  loss         ${formatNumber(result.loss)}${lossKind}`)
  lines.push(
    `  evaluations  ${result.nEvals} in ${result.steps} batches` +
      `${result.nFailed > 0 ? `, ${result.nFailed} failed` : ''}, ${formatSeconds(result.seconds)}`,
  )
  const stats = result.statistics
  if (stats !== undefined) {
    lines.push(`  data points  ${stats.nData}, ${stats.nVarys} variables, ${stats.nFree} degrees of freedom`)
    lines.push(
      `  chi-square   ${formatNumber(stats.chiSquare)}   reduced chi-square ${formatNumber(stats.reducedChiSquare)}`,
    )
    lines.push(`  AIC          ${formatNumber(stats.aic)}   BIC ${formatNumber(stats.bic)}`)
  }
  lines.push('')
  const width = Math.max(9, ...result.keys.map((k) => k.length))
  const header = `  ${'parameter'.padEnd(width)}  ${'value'.padStart(16)}`
  lines.push(
    result.stderr === undefined ? header : `${header}  ${'std. error'.padStart(14)}  ${'rel.'.padStart(8)}`,
  )
  const atBound = new Set(result.atBound)
  for (const key of result.keys) {
    const value = about.flat[key]!
    let line = `  ${key.padEnd(width)}  ${formatNumber(value).padStart(16)}`
    const stderr = result.stderr?.[key]
    if (stderr !== undefined) {
      const relative = value === 0 ? '' : `${((100 * stderr) / Math.abs(value)).toPrecision(2)}%`
      line += `  ${formatNumber(stderr).padStart(14)}  ${relative.padStart(8)}`
    }
    if (atBound.has(key)) line += '  (at a bound)'
    lines.push(line)
  }
  if (result.correlation !== undefined) {
    const pairs = strongCorrelations(result.keys, result.correlation, 0.1)
    if (pairs.length > 0) {
      lines.push('')
      lines.push(
        '  correlations (|r| >= 0.1, strongest first; > 0.9 is strong: the data barely tell them apart)',
      )
      const pairWidth = Math.max(...pairs.map((p) => p.a.length + p.b.length + 2))
      for (const { a, b, r } of pairs) {
        const strong = Math.abs(r) > 0.9 ? '  strong' : ''
        lines.push(`    ${`${a}, ${b}`.padEnd(pairWidth)}  ${r >= 0 ? ' ' : ''}${r.toFixed(4)}${strong}`)
      }
    }
  }
  if (result.stderr !== undefined) {
    lines.push('')
    lines.push(
      result.absoluteSigma === true
        ? '  std. errors: √diag((JᵀJ)⁻¹), J at the solution; residuals taken as divided by known σ (--absolute-sigma)'
        : '  std. errors: √diag(s²(JᵀJ)⁻¹), s² = chi-square / degrees of freedom (σ known up to a factor;' +
            ' --absolute-sigma when it is known)',
    )
  }
  if (atBound.size > 0) {
    lines.push(
      `  ${[...atBound].join(', ')} ended on a bound: the fit was held there, and its error says little; ` +
        'widen the bound or fix the parameter',
    )
  }
  return lines.join('\n')
}
