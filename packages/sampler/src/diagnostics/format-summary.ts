// The summary as a plain-text table, rounded as arviz 1.x's round_to="auto" rounds it: digits
// that the Monte Carlo error makes meaningless are not printed.

import { checkOptionKeys, optionKeys, ValidationError } from '@parafit/core'
import type { SummaryRow } from './summary.ts'

export interface FormatSummaryOptions {
  /** Lines printed under the header, e.g. "walkers treated as chains" for an ensemble run. */
  readonly notes?: readonly string[]
}

export const FORMAT_SUMMARY_OPTION_KEYS = optionKeys<FormatSummaryOptions>()(['notes'])

/** NaN and infinities as pandas prints them, so a table reads the same as arviz's. */
function nonFinite(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Number.POSITIVE_INFINITY) return 'inf'
  if (x === Number.NEGATIVE_INFINITY) return '-inf'
  return undefined
}

/** The decimal exponent of x ≠ 0 (⌊log10 |x|⌋ without log10's rounding at powers of ten). */
function exponent(x: number): number {
  return Number(x.toExponential().split('e')[1])
}

/** x rounded to a multiple of 10^e and printed with exactly the digits down to 10^e. */
function toPlace(x: number, e: number): string {
  if (e >= 0) {
    const unit = 10 ** e
    return (Math.round(x / unit) * unit).toFixed(0)
  }
  return x.toFixed(Math.min(-e, 100))
}

/** Two significant figures (an MCSE: its own error is ~1/√(2·ESS) relative, so 2 are enough). */
export function twoSignificant(x: number): string {
  const bad = nonFinite(x)
  if (bad !== undefined) return bad
  if (x === 0) return '0'
  const rounded = Number(x.toExponential(1)) // rounds first, so 0.0996 becomes 0.10, not 0.100
  return toPlace(rounded, exponent(rounded) - 1)
}

/**
 * A statistic shown to the decimal place of the leading digit of 2·mcse: the last printed digit
 * is the first uncertain one. Without a usable MCSE (NaN, 0), 4 significant figures.
 */
export function toMcsePrecision(x: number, mcse: number): string {
  const bad = nonFinite(x)
  if (bad !== undefined) return bad
  if (!(Number.isFinite(mcse) && mcse > 0)) return String(Number(x.toPrecision(4)))
  return toPlace(x, exponent(2 * mcse))
}

/** `{:g}` of Python, enough for the HDI labels: 3, 97, 2.5, 5.5. */
function percentLabel(p: number): string {
  return String(Number(p.toPrecision(6)))
}

/**
 * The table arviz ≤0.23 prints: mean sd hdi_3% hdi_97% mcse_mean mcse_sd ess_bulk ess_tail
 * r_hat, one row per parameter. ESS is floored to an integer, R̂ has 2 decimals, the MCSEs 2
 * significant figures; mean and the HDI bounds are shown to the precision of 2·mcse_mean, sd to
 * that of 2·mcse_sd. The first line names the conventions.
 */
export function formatSummary(rows: readonly SummaryRow[], options: FormatSummaryOptions = {}): string {
  checkOptionKeys(options, FORMAT_SUMMARY_OPTION_KEYS, 'formatSummary() options')
  if (rows.length === 0) throw new ValidationError('formatSummary(): no rows')
  const hdiProb = rows[0]!.hdiProb
  const other = rows.find((row) => row.hdiProb !== hdiProb)
  if (other !== undefined)
    throw new ValidationError(
      `formatSummary(): rows with different HDI masses (${hdiProb} and ${other.hdiProb}) cannot share columns`,
    )
  const header = [
    '',
    'mean',
    'sd',
    `hdi_${percentLabel((100 * (1 - hdiProb)) / 2)}%`,
    `hdi_${percentLabel((100 * (1 + hdiProb)) / 2)}%`,
    'mcse_mean',
    'mcse_sd',
    'ess_bulk',
    'ess_tail',
    'r_hat',
  ]
  const integer = (x: number) => nonFinite(x) ?? Math.floor(x).toFixed(0)
  const cells = rows.map((row) => [
    row.name,
    toMcsePrecision(row.mean, row.mcseMean),
    toMcsePrecision(row.sd, row.mcseSd),
    toMcsePrecision(row.hdiLow, row.mcseMean),
    toMcsePrecision(row.hdiHigh, row.mcseMean),
    twoSignificant(row.mcseMean),
    twoSignificant(row.mcseSd),
    integer(row.essBulk),
    integer(row.essTail),
    nonFinite(row.rHat) ?? row.rHat.toFixed(2),
  ])
  const table = [header, ...cells]
  const widths = header.map((_, j) => Math.max(...table.map((line) => line[j]!.length)))
  // Names left-aligned, numbers right-aligned, as pandas prints a frame.
  const lines = table.map((line) =>
    line.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  '),
  )
  const title = 'Posterior summary (arviz ≤0.23 conventions: sd ddof=1, HDI, rank-normalised R̂ and ESS)'
  return [title, ...(options.notes ?? []), ...lines].join('\n')
}
