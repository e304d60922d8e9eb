// The frame the line plots share (trace, autocorrelation, residuals, loss history, nested run):
// panels stacked in one column over a shared x axis, each with its own y axis, in matplotlib's
// default look (5 % margins around the data, ticks out, x tick labels only under the last panel).

import { type ScaleContinuousNumeric, scaleLinear, scaleLog } from 'd3-scale'
import { axis, axisLabel, clipPath, type Rect, STYLE, spines } from './axes.ts'
import { check } from './errors.ts'
import { el, num, svgDocument, text } from './svg.ts'
import { linearTicks, logTicks, type Ticks } from './ticks.ts'

export type Scale = (v: number) => number

export interface AxisSpec {
  readonly domain: readonly [number, number]
  readonly log?: boolean
  readonly label?: string
}

export interface PanelSpec {
  /** Height relative to the other panels (lmfit's residuals: 1 against 4). */
  readonly weight?: number
  readonly y: AxisSpec
  readonly title?: string
  readonly draw: (sx: Scale, sy: Scale, rect: Rect) => string[]
}

export interface ChartSpec {
  /** Figure width and the height of a weight-1 panel, in px. */
  readonly width: number
  readonly panelHeight: number
  readonly x: AxisSpec
  readonly panels: readonly PanelSpec[]
  readonly idPrefix: string
  /** undefined: none (the plots pass their caller's optional title on). */
  readonly title?: string | undefined
}

const MARGIN = { left: 72, right: 22, top: 22, bottom: 48, gap: 10, titled: 22 }

/** [lo, hi] of the finite values (positive ones for a log axis), widened by 5 % per side. */
export function dataDomain(
  arrays: readonly ArrayLike<number>[],
  log = false,
  margin = 0.05,
): [number, number] {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (const values of arrays) {
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!
      if (!Number.isFinite(v) || (log && v <= 0)) continue
      const t = log ? Math.log10(v) : v
      lo = Math.min(lo, t)
      hi = Math.max(hi, t)
    }
  }
  check(lo <= hi, log ? 'no positive finite values for a log axis' : 'no finite values to plot')
  // A single value still needs a window: half a decade on a log axis, else ±5 % (at least ±0.5).
  const pad = hi > lo ? (hi - lo) * margin : log ? 0.5 : Math.max(Math.abs(lo) * 0.05, 0.5)
  const out: [number, number] = [lo - pad, hi + pad]
  return log ? [10 ** out[0], 10 ** out[1]] : out
}

function makeScale(spec: AxisSpec, range: [number, number]): ScaleContinuousNumeric<number, number> {
  return (spec.log ? scaleLog() : scaleLinear()).domain([spec.domain[0], spec.domain[1]]).range(range)
}

function ticksFor(spec: AxisSpec, nbins: number): Ticks {
  return spec.log
    ? logTicks(spec.domain[0], spec.domain[1])
    : linearTicks(spec.domain[0], spec.domain[1], nbins)
}

/** The chart as a whole SVG document. */
export function chartSvg(spec: ChartSpec): string {
  check(spec.panels.length > 0, 'a chart needs a panel')
  const weights = spec.panels.map((p) => p.weight ?? 1)
  const top = MARGIN.top + (spec.title === undefined ? 0 : MARGIN.titled)
  const plotHeight =
    weights.reduce((a, b) => a + b, 0) * spec.panelHeight + (spec.panels.length - 1) * MARGIN.gap
  const height = top + plotHeight + MARGIN.bottom
  const plotWidth = spec.width - MARGIN.left - MARGIN.right
  const sx = makeScale(spec.x, [MARGIN.left, MARGIN.left + plotWidth])
  const xTicks = ticksFor(spec.x, 8)
  const body: string[] = []
  let y = top
  spec.panels.forEach((panel, k) => {
    const rect: Rect = { x: MARGIN.left, y, width: plotWidth, height: weights[k]! * spec.panelHeight }
    y += rect.height + MARGIN.gap
    const sy = makeScale(panel.y, [rect.y + rect.height, rect.y])
    const last = k === spec.panels.length - 1
    const id = `${spec.idPrefix}-clip-${k}`
    const parts = [
      clipPath(id, rect),
      el('g', { 'clip-path': `url(#${id})` }, panel.draw(sx, sy, rect)),
      spines(rect),
      axis(rect, xTicks, sx, { side: 'bottom', labels: last }),
      axis(rect, ticksFor(panel.y, rect.height < 100 ? 4 : 6), sy, { side: 'left', labels: true }),
    ]
    if (panel.y.label !== undefined) parts.push(axisLabel(rect, 'left', panel.y.label, 52))
    if (last && spec.x.label !== undefined) parts.push(axisLabel(rect, 'bottom', spec.x.label, 34))
    if (panel.title !== undefined) {
      parts.push(
        text(
          {
            class: 'title',
            x: rect.x + rect.width / 2,
            y: rect.y - 6,
            'text-anchor': 'middle',
            'font-size': STYLE.title,
          },
          panel.title,
        ),
      )
    }
    body.push(el('g', { class: 'panel', 'data-row': k }, parts))
  })
  if (spec.title !== undefined) {
    body.push(
      text(
        {
          class: 'figure-title',
          x: spec.width / 2,
          y: 20,
          'text-anchor': 'middle',
          'font-size': STYLE.title,
        },
        spec.title,
      ),
    )
  }
  return svgDocument(spec.width, height, body)
}

export interface LegendItem {
  readonly label: string
  readonly color: string
  readonly dash?: string
  /** A dot instead of a line sample. */
  readonly marker?: boolean
}

/**
 * A small legend in the corner of the panel that covers the fewest of `avoid` (points in px),
 * upper left on ties, a simple form of matplotlib's loc="best".
 */
export function legend(
  rect: Rect,
  items: readonly LegendItem[],
  avoid: readonly (readonly [number, number])[] = [],
): string {
  const width = 110
  const height = items.length * 16 + 4
  const corners = [
    [rect.x + 8, rect.y + 6],
    [rect.x + rect.width - width - 8, rect.y + 6],
    [rect.x + 8, rect.y + rect.height - height - 6],
    [rect.x + rect.width - width - 8, rect.y + rect.height - height - 6],
  ] as const
  const covered = corners.map(
    ([x, y]) => avoid.filter(([px, py]) => px >= x && px <= x + width && py >= y && py <= y + height).length,
  )
  const [x, y] = corners[covered.indexOf(Math.min(...covered))]!
  const rows = items.map((item, k) => {
    const cy = y + 10 + k * 16
    const sample = item.marker
      ? el('circle', { cx: x + 18, cy, r: 3, fill: item.color })
      : el('path', {
          d: `M${num(x + 6)},${num(cy)}h24`,
          stroke: item.color,
          'stroke-width': STYLE.line,
          'stroke-dasharray': item.dash,
        })
    return sample + text({ x: x + 38, y: cy + 3.6 }, item.label)
  })
  const frame = el('rect', {
    x,
    y,
    width,
    height,
    fill: '#ffffff',
    'fill-opacity': 0.8,
    stroke: '#cccccc',
    'stroke-width': STYLE.spine,
    rx: 2,
  })
  return el('g', { class: 'legend' }, [frame, ...rows])
}

/** Points of a series in px, for legend placement (non-finite ones left out). */
export function pixels(x: ArrayLike<number>, y: ArrayLike<number>, sx: Scale, sy: Scale): [number, number][] {
  const out: [number, number][] = []
  for (let k = 0; k < x.length; k++) {
    const px = sx(x[k]!)
    const py = sy(y[k]!)
    if (Number.isFinite(px) && Number.isFinite(py)) out.push([px, py])
  }
  return out
}
