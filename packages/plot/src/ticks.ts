// Tick positions and labels in matplotlib's manner, written from its documented behaviour:
// MaxNLocator (at most n intervals, "nice" steps 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 × 10^k, the
// lowest tick pruned), ScalarFormatter-like labels (just enough decimals for the step, an offset
// when the ticks share many leading digits, a power of ten beyond 1e-5..1e6) and decade ticks on
// log axes. d3-scale's own ticks only step by 1, 2 and 5, and corner.py's plots use these.

import { format } from 'd3-format'

const NICE_STEPS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]
const MINUS = '\u2212'

/** A label: plain text, or a base with a superscript (10⁵). */
export type TickLabel = string | { readonly base: string; readonly exponent: string }

export interface Ticks {
  readonly values: number[]
  readonly labels: TickLabel[]
  /** Text for the axis end: "+1.2e3" (an offset) or "1e6" (a factor), as matplotlib shows them. */
  readonly corner?: string
  readonly minor?: number[]
}

/** Multiples of `step` covering [lo, hi]: one at or below lo, one at or above hi. */
function covering(lo: number, hi: number, step: number): number[] {
  const tol = 1e-10
  let first = Math.floor(lo / step + tol)
  const last = Math.ceil(hi / step - tol)
  const out: number[] = []
  for (; first <= last; first++) out.push(first * step)
  return out
}

/**
 * Tick values for [lo, hi] with at most `nbins` intervals. The step is the smallest nice step
 * that needs no more than nbins intervals, made smaller while fewer than two ticks would show.
 * With `pruneLower` the lowest of the covering ticks is dropped (it is usually below lo, so the
 * visible ticks change only when lo is itself a tick), as MaxNLocator(prune="lower").
 */
export function niceTicks(
  lo: number,
  hi: number,
  nbins: number,
  pruneLower = false,
): { values: number[]; step: number } {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return { values: [lo], step: 1 }
  const raw = (hi - lo) / nbins
  const scale = 10 ** Math.floor(Math.log10(raw))
  const candidates = [...NICE_STEPS.slice(0, -1).map((s) => s * 0.1), ...NICE_STEPS, 15].map((s) => s * scale)
  // A relative slack: hi - lo loses digits when both are large (1e6 + 0.1 - 1e6).
  let index = candidates.findIndex((s) => s >= raw * (1 - 1e-9))
  if (index < 0) index = candidates.length - 1
  const tol = (hi - lo) * 1e-9 + (Math.abs(lo) + Math.abs(hi)) * 1e-15
  const visible = (v: number) => v >= lo - tol && v <= hi + tol
  let step = candidates[index]!
  let all = covering(lo, hi, step)
  for (let k = index; k >= 0; k--) {
    step = candidates[k]!
    all = covering(lo, hi, step)
    if (all.filter(visible).length >= 2) break
  }
  if (pruneLower) all = all.slice(1)
  return { values: all.filter(visible), step }
}

/** Decimals that write every multiple of `step` exactly. */
function decimalsFor(step: number): number {
  for (let d = 0; d < 15; d++) {
    const scaled = step * 10 ** d
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d
  }
  return 15
}

function superscript(exponent: number): string {
  return exponent < 0 ? `${MINUS}${-exponent}` : `${exponent}`
}

/** A positive number in at most 6 digits, as 1.5e6 beyond 1e-5..1e5 (matplotlib's offset text). */
function compact(v: number): string {
  const power = Math.floor(Math.log10(v) + 1e-9)
  if (power > -5 && power < 5) return format('.6~g')(v)
  return `${format('.6~g')(v / 10 ** power)}e${superscript(power)}`
}

/** Labels for linear ticks with spacing `step`. */
export function linearLabels(values: readonly number[], step: number): Pick<Ticks, 'labels' | 'corner'> {
  if (values.length === 0) return { labels: [] }
  const largest = Math.max(...values.map(Math.abs))
  const stepPower = Math.floor(Math.log10(step) + 1e-9)
  const magnitude = largest === 0 ? 0 : Math.floor(Math.log10(largest) + 1e-9)
  // Ticks that share five or more leading digits: show them relative to an offset.
  if (magnitude - stepPower >= 5) {
    const unit = 10 ** (stepPower + 2)
    const offset = Math.floor(values[0]! / unit) * unit
    const fmt = format(`.${decimalsFor(step)}f`)
    return {
      labels: values.map((v) => fmt(v - offset)),
      corner: `${offset < 0 ? MINUS : '+'}${compact(Math.abs(offset))}`,
    }
  }
  if (magnitude <= -5 || magnitude >= 6) {
    const factor = 10 ** magnitude
    const fmt = format(`.${Math.max(0, decimalsFor(step / factor))}f`)
    return { labels: values.map((v) => fmt(v / factor)), corner: `1e${superscript(magnitude)}` }
  }
  const fmt = format(`.${decimalsFor(step)}f`)
  return { labels: values.map((v) => fmt(v)) }
}

/** MaxNLocator-like ticks with their labels. */
export function linearTicks(lo: number, hi: number, nbins: number, pruneLower = false): Ticks {
  const { values, step } = niceTicks(lo, hi, nbins, pruneLower)
  return { values, ...linearLabels(values, step) }
}

/**
 * Log-axis ticks: decades as labelled major ticks (every k-th decade when there are many), 2..9
 * times them as minor ticks. Where fewer than two decades show, some minor ticks are labelled
 * too, plainly: 2 and 5 times a decade, or all of them on an axis shorter than 0.4 decades.
 */
export function logTicks(lo: number, hi: number): Ticks {
  const first = Math.floor(Math.log10(lo) - 1e-9)
  const last = Math.ceil(Math.log10(hi) + 1e-9)
  const within = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)
  const stride = Math.max(1, Math.ceil((last - first) / 8))
  const decades: number[] = []
  const minor: number[] = []
  for (let e = first; e <= last; e++) {
    const decade = 10 ** e
    if (within(decade)) (e % stride === 0 ? decades : minor).push(decade)
    for (let m = 2; m <= 9; m++) if (within(m * decade) && stride === 1) minor.push(m * decade)
  }
  if (decades.length >= 2) {
    const labels = decades.map((v) => ({ base: '10', exponent: superscript(Math.round(Math.log10(v))) }))
    return { values: decades, labels, minor }
  }
  const short = Math.log10(hi / lo) < 0.4
  const mantissa = (v: number) => Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9))
  const labelled = minor.filter((v) => short || [2, 5].includes(mantissa(v)))
  const values = [...decades, ...labelled].sort((a, b) => a - b)
  if (values.length < 2) return linearTicks(lo, hi, 5)
  const fmt = format('~g')
  return { values, labels: values.map((v) => fmt(v)), minor: minor.filter((v) => !labelled.includes(v)) }
}
