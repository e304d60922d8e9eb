// Axes in matplotlib's default style at 72 px per inch (1 pt = 1 px): black spines 0.8 px,
// outward ticks 3.5 px long, tick labels 10 px at 3.5 px from the tick, axis labels 10 px.
// Text is placed at fixed offsets, never measured, so the output needs no fonts.

import { el, escapeXml, num, text } from './svg.ts'
import type { TickLabel, Ticks } from './ticks.ts'

export interface Rect {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export const STYLE = {
  spine: 0.8,
  tick: 3.5,
  minorTick: 2,
  pad: 3.5,
  font: 10,
  title: 12,
  line: 1.5,
} as const

/** Half the height of a digit, to centre text on a point from its baseline. */
const HALF_CAP = 0.36 * STYLE.font

export type Side = 'bottom' | 'left'

export interface AxisOptions {
  readonly side: Side
  /** Write the tick labels (a shared axis shows them only once). */
  readonly labels: boolean
  /** corner.py's ticks: labels rotated 45°. */
  readonly rotate?: boolean
}

/** A tick label; a power of ten gets its exponent raised. */
function tickText(x: number, y: number, anchor: string, label: TickLabel, transform?: string): string {
  const content =
    typeof label === 'string'
      ? escapeXml(label)
      : `${escapeXml(label.base)}<tspan dy="-4" font-size="7">${escapeXml(label.exponent)}</tspan>`
  return el('text', { x, y, 'text-anchor': anchor, transform }, content)
}

/** Tick marks and labels along one side of `rect`; `at` maps a value to px along the axis. */
export function axis(rect: Rect, ticks: Ticks, at: (v: number) => number, options: AxisOptions): string {
  const bottom = rect.y + rect.height
  const left = rect.x
  const marks: string[] = []
  const labels: string[] = []
  const inside = (p: number, lo: number, hi: number) => p >= lo - 0.01 && p <= hi + 0.01
  for (const [k, value] of ticks.values.entries()) {
    const p = at(value)
    if (options.side === 'bottom') {
      if (!inside(p, rect.x, rect.x + rect.width)) continue
      marks.push(`M${num(p)},${num(bottom)}v${STYLE.tick}`)
      if (!options.labels) continue
      const y = bottom + STYLE.tick + STYLE.pad
      if (options.rotate) {
        // The text ends at the tick and runs down to the left; the shift centres its glyphs.
        const ax = p + HALF_CAP * Math.SQRT1_2
        const ay = y + HALF_CAP * Math.SQRT1_2
        labels.push(tickText(ax, ay, 'end', ticks.labels[k]!, `rotate(-45 ${num(ax)} ${num(ay)})`))
      } else labels.push(tickText(p, y + 2 * HALF_CAP + 0.5, 'middle', ticks.labels[k]!))
    } else {
      if (!inside(p, rect.y, bottom)) continue
      marks.push(`M${num(left)},${num(p)}h${-STYLE.tick}`)
      if (!options.labels) continue
      const x = left - STYLE.tick - STYLE.pad
      if (options.rotate) {
        const ax = x + HALF_CAP * Math.SQRT1_2
        const ay = p + HALF_CAP * Math.SQRT1_2
        labels.push(tickText(ax, ay, 'end', ticks.labels[k]!, `rotate(-45 ${num(ax)} ${num(ay)})`))
      } else labels.push(tickText(x, p + HALF_CAP, 'end', ticks.labels[k]!))
    }
  }
  for (const value of ticks.minor ?? []) {
    const p = at(value)
    if (options.side === 'bottom' && inside(p, rect.x, rect.x + rect.width))
      marks.push(`M${num(p)},${num(bottom)}v${STYLE.minorTick}`)
    if (options.side === 'left' && inside(p, rect.y, bottom))
      marks.push(`M${num(left)},${num(p)}h${-STYLE.minorTick}`)
  }
  const out = [
    el('path', { d: marks.join(''), stroke: '#000000', 'stroke-width': STYLE.spine, fill: 'none' }),
  ]
  if (labels.length > 0)
    out.push(el('g', { class: `ticklabels ${options.side === 'bottom' ? 'x' : 'y'}` }, labels))
  if (options.labels && ticks.corner !== undefined) {
    out.push(
      options.side === 'bottom'
        ? text({ x: rect.x + rect.width, y: bottom + 32, 'text-anchor': 'end' }, ticks.corner)
        : text({ x: rect.x, y: rect.y - 4, 'text-anchor': 'start' }, ticks.corner),
    )
  }
  return out.join('')
}

/** The four spines. */
export function spines(rect: Rect): string {
  return el('rect', {
    x: rect.x,
    y: rect.y,
    width: rect.width,
    height: rect.height,
    fill: 'none',
    stroke: '#000000',
    'stroke-width': STYLE.spine,
  })
}

export function clipPath(id: string, rect: Rect): string {
  return el('clipPath', { id }, el('rect', { x: rect.x, y: rect.y, width: rect.width, height: rect.height }))
}

/** An axis label at a distance from the axis, as corner.py's set_label_coords(0.5, -0.3). */
export function axisLabel(rect: Rect, side: Side, label: string, distance: number): string {
  if (side === 'bottom') {
    return text(
      {
        class: 'label x',
        x: rect.x + rect.width / 2,
        y: rect.y + rect.height + distance,
        'text-anchor': 'middle',
      },
      label,
    )
  }
  const x = rect.x - distance
  const y = rect.y + rect.height / 2
  return text(
    { class: 'label y', x, y, 'text-anchor': 'middle', transform: `rotate(-90 ${num(x)} ${num(y)})` },
    label,
  )
}
