// residualSvg: lmfit's ModelResult.plot. Two panels sharing x, heights 1 : 4: the residuals on
// top (with the data's error bars and a zero line), the data with error bars and the best fit
// below (and the initial guess, dashed, when given). lossHistorySvg is the plot for fits that
// have no residuals: the best loss so far against the number of evaluations, log y.

import { curveStepAfter, line } from 'd3-shape'
import { STYLE } from './axes.ts'
import { chartSvg, dataDomain, legend, pixels, type Scale } from './chart.ts'
import { check } from './errors.ts'
import { el, num } from './svg.ts'

export interface ResidualData {
  readonly x: ArrayLike<number>
  readonly y: ArrayLike<number>
  /** The data's standard deviations: error bars on both panels. */
  readonly sigma?: ArrayLike<number>
  /** The best fit at x. */
  readonly model: ArrayLike<number>
  /** What the fit minimised, in y's units (y - model, or lmfit's model - y). */
  readonly residuals: ArrayLike<number>
  /** The model at the initial parameters, at x. */
  readonly initial?: ArrayLike<number>
  /** The best fit on a finer grid, for a smooth curve. */
  readonly curve?: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> }
}

export interface ResidualOptions {
  readonly xlabel?: string
  readonly ylabel?: string
  /** Over the residual panel (lmfit writes the model's name). */
  readonly title?: string
  readonly width?: number
  readonly height?: number
  readonly idPrefix?: string
}

const COLORS = { data: '#1f77b4', fit: '#ff7f0e', initial: '#2ca02c' }

function sameLength(name: string, values: ArrayLike<number> | undefined, n: number): void {
  if (values !== undefined) check(values.length === n, `${name} has ${values.length} values, x has ${n}`)
}

/** Points with vertical error bars (matplotlib errorbar, no caps) and 'o' markers. */
function errorBars(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  sigma: ArrayLike<number> | undefined,
  sx: Scale,
  sy: Scale,
  color: string,
): string {
  let bars = ''
  const dots: string[] = []
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(y[k]!)) continue
    const px = num(sx(x[k]!))
    if (sigma !== undefined && Number.isFinite(sigma[k]!))
      bars += `M${px},${num(sy(y[k]! - sigma[k]!))}V${num(sy(y[k]! + sigma[k]!))}`
    dots.push(`<circle cx="${px}" cy="${num(sy(y[k]!))}" r="3"/>`)
  }
  return el('g', { class: 'data' }, [
    el('path', { d: bars, stroke: color, 'stroke-width': STYLE.line }),
    el('g', { fill: color }, dots),
  ])
}

function sortedLine(x: ArrayLike<number>, y: ArrayLike<number>, sx: Scale, sy: Scale): string {
  const order = Array.from({ length: x.length }, (_, k) => k).sort((a, b) => x[a]! - x[b]! || a - b)
  return (
    line<number>()
      .defined((k) => Number.isFinite(y[k]!))
      .x((k) => sx(x[k]!))
      .y((k) => sy(y[k]!))
      .digits(2)(order) ?? ''
  )
}

export function residualSvg(data: ResidualData, options: ResidualOptions = {}): string {
  const n = data.x.length
  check(n > 0, 'no data points')
  sameLength('y', data.y, n)
  sameLength('sigma', data.sigma, n)
  sameLength('model', data.model, n)
  sameLength('residuals', data.residuals, n)
  sameLength('initial', data.initial, n)
  for (let k = 0; k < n; k++) check(Number.isFinite(data.x[k]!), `x[${k}] is ${data.x[k]}; x must be finite`)
  if (data.curve !== undefined) {
    check(
      data.curve.x.length === data.curve.y.length,
      `curve.x has ${data.curve.x.length} values, curve.y ${data.curve.y.length}`,
    )
  }
  const withBars = (v: ArrayLike<number>) => {
    if (data.sigma === undefined) return [v]
    const s = data.sigma
    return [Float64Array.from(v, (y, k) => y - s[k]!), Float64Array.from(v, (y, k) => y + s[k]!)]
  }
  const fitX = data.curve?.x ?? data.x
  const fitY = data.curve?.y ?? data.model
  const curves = [fitY, ...(data.initial ? [data.initial] : [])]
  const width = options.width ?? 461 // 6.4 in, matplotlib's default figure
  const plotHeight = options.height ?? 300
  return chartSvg({
    width,
    panelHeight: plotHeight / 5,
    x: { domain: dataDomain([data.x, fitX]), label: options.xlabel ?? 'x' },
    title: options.title,
    idPrefix: options.idPrefix ?? 'residual',
    panels: [
      {
        weight: 1,
        y: { domain: dataDomain([...withBars(data.residuals), [0]]), label: 'residuals' },
        draw: (sx, sy, rect) => [
          el('path', {
            class: 'zero',
            d: `M${num(rect.x)},${num(sy(0))}h${num(rect.width)}`,
            stroke: '#000000',
            'stroke-width': 1,
          }),
          errorBars(data.x, data.residuals, data.sigma, sx, sy, COLORS.data),
        ],
      },
      {
        weight: 4,
        y: { domain: dataDomain([...withBars(data.y), ...curves]), label: options.ylabel ?? 'y' },
        draw: (sx, sy, rect) => {
          const out = [errorBars(data.x, data.y, data.sigma, sx, sy, COLORS.data)]
          if (data.initial !== undefined) {
            const d = sortedLine(data.x, data.initial, sx, sy)
            out.push(
              el('path', {
                class: 'initial',
                d,
                fill: 'none',
                stroke: COLORS.initial,
                'stroke-width': STYLE.line,
                'stroke-dasharray': '5.55,2.4',
              }),
            )
          }
          out.push(
            el('path', {
              class: 'fit',
              d: sortedLine(fitX, fitY, sx, sy),
              fill: 'none',
              stroke: COLORS.fit,
              'stroke-width': STYLE.line,
            }),
          )
          const items = [
            { label: 'data', color: COLORS.data, marker: true },
            ...(data.initial ? [{ label: 'initial fit', color: COLORS.initial, dash: '5.55,2.4' }] : []),
            { label: 'best fit', color: COLORS.fit },
          ]
          const avoid = [...pixels(data.x, data.y, sx, sy), ...pixels(fitX, fitY, sx, sy)]
          if (data.initial) avoid.push(...pixels(data.x, data.initial, sx, sy))
          out.push(legend(rect, items, avoid))
          return out
        },
      },
    ],
  })
}

export interface LossHistoryOptions {
  /** Log y (default: when every loss is positive). */
  readonly logY?: boolean
  readonly width?: number
  readonly height?: number
  readonly title?: string
  readonly idPrefix?: string
}

/** The best loss against evaluations (FitResult.history: { nEvals, loss } per step). */
export function lossHistorySvg(
  history: readonly { readonly nEvals: number; readonly loss: number }[],
  options: LossHistoryOptions = {},
): string {
  const points = history.filter((h) => Number.isFinite(h.loss) && Number.isFinite(h.nEvals))
  check(points.length > 0, 'the history has no finite loss')
  const logY = options.logY ?? points.every((h) => h.loss > 0)
  const evals = points.map((h) => h.nEvals)
  const losses = points.map((h) => h.loss)
  return chartSvg({
    width: options.width ?? 461,
    panelHeight: options.height ?? 260,
    x: { domain: dataDomain([evals]), label: 'evaluations' },
    title: options.title,
    idPrefix: options.idPrefix ?? 'loss',
    panels: [
      {
        y: { domain: dataDomain([losses], logY), log: logY, label: 'best loss' },
        draw: (sx, sy) => {
          // The best loss holds until the next improvement: a step after each point.
          const d = line<number>()
            .defined((k) => !logY || losses[k]! > 0)
            .x((k) => sx(evals[k]!))
            .y((k) => sy(losses[k]!))
            .curve(curveStepAfter)
            .digits(2)(losses.map((_, k) => k))
          return [
            el('path', {
              class: 'loss',
              d: d ?? '',
              fill: 'none',
              stroke: COLORS.data,
              'stroke-width': STYLE.line,
            }),
          ]
        },
      },
    ],
  })
}
