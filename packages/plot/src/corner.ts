// cornerSvg: corner.py's corner plot as an SVG string. K parameters give a K×K grid of which the
// K(K+1)/2 panels on and below the diagonal are drawn; the layout is corner.py's in inches
// (2 in panels, 1 in left and bottom margins, 0.4 in top and right, gaps of 0.05 panel), at
// 72 px per inch, with at most five ticks per axis, the lowest pruned, labels rotated 45°.

import { format } from 'd3-format'
import { axisLabel, type Rect } from './axes.ts'
import { hexColor, toRgb } from './color.ts'
import { CORNER_DEFAULTS, type CornerOptions, PPI } from './corner-options.ts'
import { type CornerContext, diagonalPanel, pairPanel } from './corner-panels.ts'
import { checkLevels } from './density2d.ts'
import { check, option, PlotError } from './errors.ts'
import { DEFAULT_LEVELS } from './levels.ts'
import { quantiles } from './quantiles.ts'
import { checkWeights, toColumns } from './samples.ts'
import { svgDocument, text } from './svg.ts'
import { linearTicks } from './ticks.ts'
import type { Samples } from './types.ts'

/** Where corner.py puts the panels: sizes in px from its sizes in inches. */
export interface CornerLayout {
  readonly width: number
  readonly height: number
  /** The panel in row i (parameter i up), column j (parameter j across). */
  panel(i: number, j: number): Rect
}

export function cornerLayout(K: number, panelInches = 2, withTitle = false): CornerLayout {
  const panel = panelInches * PPI
  const gap = 0.05 * panel
  const leftBottom = 0.5 * panel
  const topRight = 0.2 * panel
  const top = topRight + (withTitle ? 0.4 * PPI : 0)
  const plot = K * panel + (K - 1) * gap
  return {
    width: leftBottom + plot + topRight,
    height: top + plot + leftBottom,
    panel: (i, j) => ({
      x: leftBottom + j * (panel + gap),
      y: top + i * (panel + gap),
      width: panel,
      height: panel,
    }),
  }
}

function perParameter<T>(value: T | readonly T[] | undefined, K: number, fallback: T, name: string): T[] {
  if (value === undefined) return Array.from({ length: K }, () => fallback)
  if (!Array.isArray(value)) return Array.from({ length: K }, () => value as T)
  check(value.length === K, `${name} has ${value.length} entries for ${K} parameters`)
  return [...(value as readonly T[])]
}

function resolveRanges(
  columns: Float64Array[],
  names: string[],
  range: CornerOptions['range'],
  weights: Float64Array | undefined,
): [number, number][] {
  if (range !== undefined)
    check(
      range.length === columns.length,
      `range has ${range.length} entries for ${columns.length} parameters`,
    )
  return columns.map((column, k) => {
    const entry = range?.[k]
    let lohi: [number, number]
    if (entry === undefined) {
      let lo = Number.POSITIVE_INFINITY
      let hi = Number.NEGATIVE_INFINITY
      for (const v of column) {
        lo = Math.min(lo, v)
        hi = Math.max(hi, v)
      }
      lohi = [lo, hi]
    } else if (typeof entry === 'number') {
      option.numberIn(entry, `range[${k}]`, { above: 0, max: 1, why: 'a fraction of the samples' })
      lohi = quantiles(column, [0.5 - entry / 2, 0.5 + entry / 2], weights) as [number, number]
    } else {
      lohi = [Math.min(entry[0], entry[1]), Math.max(entry[0], entry[1])]
    }
    if (!(lohi[1] > lohi[0])) {
      throw new PlotError(
        'PARAFIT_PLOT_INPUT',
        `parameter '${names[k]}' has no dynamic range ([${lohi[0]}, ${lohi[1]}]): give it a range, or leave it out`,
      )
    }
    return lohi
  })
}

function resolve(samples: Samples, options: CornerOptions): CornerContext {
  const { names, columns, n } = toColumns(samples)
  const K = columns.length
  const weights = checkWeights(options.weights, n)
  const labels = options.labels === undefined ? names : perParameter(options.labels, K, '', 'labels')
  const bins = perParameter(options.bins, K, CORNER_DEFAULTS.bins, 'bins')
  for (const b of bins) option.wholeNumber(b, 'bins', { min: 2 })
  const levels = options.levels ?? DEFAULT_LEVELS
  checkLevels(levels)
  const qs = options.quantiles ?? CORNER_DEFAULTS.quantiles
  for (const q of qs) option.numberIn(q, 'quantiles', { min: 0, max: 1 })
  const truths = perParameter<number | null | undefined>(options.truths, K, undefined, 'truths').map((t) =>
    t === null || t === undefined || Number.isNaN(t) ? undefined : t,
  )
  for (const t of truths)
    check(t === undefined || Number.isFinite(t), `a truth must be finite (or null), got ${t}`)
  const ranges = resolveRanges(columns, names, options.range, weights)
  if (options.smooth !== undefined) option.finiteNumber(options.smooth, 'smooth', { min: 0 })
  if (options.smooth1d !== undefined) option.finiteNumber(options.smooth1d, 'smooth1d', { min: 0 })
  const histBinFactor = option.finiteNumber(
    options.histBinFactor ?? CORNER_DEFAULTS.histBinFactor,
    'histBinFactor',
    { above: 0 },
  )
  const panelSize = option.finiteNumber(options.panelSize ?? CORNER_DEFAULTS.panelSize, 'panelSize', {
    above: 0,
    unit: 'inches',
  })
  const titleFormat = options.titleFormat ?? CORNER_DEFAULTS.titleFormat
  try {
    format(titleFormat)
  } catch {
    check(false, `titleFormat '${titleFormat}' is not a d3-format specifier (e.g. '.2f', '.3g')`)
  }
  const maxDatapoints = option.wholeNumber(
    options.maxDatapoints ?? CORNER_DEFAULTS.maxDatapoints,
    'maxDatapoints',
  )
  const color = options.color ?? CORNER_DEFAULTS.color
  return {
    K,
    columns,
    weights,
    labels,
    ranges,
    bins,
    ticks: ranges.map(([lo, hi]) => linearTicks(lo, hi, 5, true)),
    truths,
    rgb: toRgb(color),
    color: hexColor(color),
    truthColor: hexColor(options.truthColor ?? CORNER_DEFAULTS.truthColor),
    histBinFactor,
    smooth: options.smooth,
    smooth1d: options.smooth1d,
    levels,
    quantiles: qs,
    titleQuantiles:
      options.showTitles === false ? undefined : qs.length === 3 ? qs : CORNER_DEFAULTS.quantiles,
    titleFormat,
    plotDatapoints: options.plotDatapoints ?? true,
    plotDensity: options.plotDensity ?? true,
    plotContours: options.plotContours ?? true,
    fillContours: options.fillContours ?? false,
    maxDatapoints,
    seed: options.seed ?? 0,
    panelSize,
    idPrefix: options.idPrefix ?? CORNER_DEFAULTS.idPrefix,
  }
}

/**
 * A corner plot of the samples: 1-D histograms on the diagonal (with quantile titles), 2-D
 * histograms with contours below it, as corner.py draws them. Deterministic: the same samples
 * and options give the same string.
 */
export function cornerSvg(samples: Samples, options: CornerOptions = {}): string {
  const ctx = resolve(samples, options)
  const layout = cornerLayout(ctx.K, ctx.panelSize, options.title !== undefined)
  const body: string[] = []
  const labelDistance = 0.3 * layout.panel(0, 0).width
  for (let i = 0; i < ctx.K; i++) {
    for (let j = 0; j <= i; j++) {
      const rect = layout.panel(i, j)
      body.push(i === j ? diagonalPanel(ctx, rect, i) : pairPanel(ctx, rect, i, j))
      if (i === ctx.K - 1 && ctx.labels[j])
        body.push(axisLabel(rect, 'bottom', ctx.labels[j]!, labelDistance))
      if (j === 0 && i > 0 && ctx.labels[i]) body.push(axisLabel(rect, 'left', ctx.labels[i]!, labelDistance))
    }
  }
  if (options.title !== undefined) {
    body.push(
      text(
        {
          class: 'figure-title',
          x: layout.width / 2,
          y: 0.3 * PPI,
          'text-anchor': 'middle',
          'font-size': 12,
        },
        options.title,
      ),
    )
  }
  return svgDocument(layout.width, layout.height, body)
}
