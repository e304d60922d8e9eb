// The fit report the command prints: what was fitted, how it ended, and the parameters with
// their standard errors where the method gives them. Plain text a scientist can paste into notes.

import type { FitResult } from '@parafit/fitter'

const METHOD_NAMES: Record<string, string> = {
  lm: 'Levenberg-Marquardt',
  'nelder-mead': 'Nelder-Mead',
  cmaes: 'CMA-ES',
  de: 'differential evolution',
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

export function formatReport(
  result: FitResult,
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
  lines.push('')
  const width = Math.max(9, ...result.keys.map((k) => k.length))
  const header = `  ${'parameter'.padEnd(width)}  ${'value'.padStart(16)}`
  lines.push(
    result.stderr === undefined ? header : `${header}  ${'std. error'.padStart(14)}  ${'rel.'.padStart(8)}`,
  )
  for (const key of result.keys) {
    const value = about.flat[key]!
    let line = `  ${key.padEnd(width)}  ${formatNumber(value).padStart(16)}`
    const stderr = result.stderr?.[key]
    if (stderr !== undefined) {
      const relative = value === 0 ? '' : `${((100 * stderr) / Math.abs(value)).toPrecision(2)}%`
      line += `  ${formatNumber(stderr).padStart(14)}  ${relative.padStart(8)}`
    }
    lines.push(line)
  }
  if (result.stderr !== undefined) {
    lines.push('')
    lines.push('  std. errors: √diag(s²(JᵀJ)⁻¹), s² = loss / (residuals - parameters), J at the solution')
  }
  return lines.join('\n')
}
