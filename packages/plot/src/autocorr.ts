// autocorrSvg: emcee's convergence plot (tutorials/monitor): the mean integrated autocorrelation
// time τ̂ estimated every so many steps, against the number of steps N, with the line N/50. emcee
// trusts τ̂ once N > 50 τ̂ (its `tol`), i.e. where the estimate falls below the dashed line.
// Log-log axes, so both the early growth and the plateau show.

import { line } from 'd3-shape'
import { STYLE } from './axes.ts'
import { chartSvg, dataDomain, legend, pixels } from './chart.ts'
import { hexColor } from './color.ts'
import { check, option } from './errors.ts'
import { el } from './svg.ts'

export interface AutocorrSeries {
  /** Steps at each estimate. */
  readonly n: readonly number[]
  /** The mean τ̂ over the parameters at each estimate. */
  readonly tau: readonly number[]
}

export interface AutocorrOptions {
  /** The dashed line is N / factor (default 50, emcee's tol). */
  readonly factor?: number
  readonly color?: string
  readonly width?: number
  readonly height?: number
  readonly title?: string
  readonly idPrefix?: string
}

const C0 = '#1f77b4' // matplotlib's first colour

export function autocorrSvg(series: AutocorrSeries, options: AutocorrOptions = {}): string {
  const { n, tau } = series
  check(
    n.length > 0 && n.length === tau.length,
    `n and tau must be non-empty and of one length (${n.length}, ${tau.length})`,
  )
  for (const v of n) check(Number.isFinite(v) && v > 0, `the step counts must be positive, got ${v}`)
  const factor = option.numberIn(options.factor ?? 50, 'factor', { above: 0 })
  const guide = n.map((v) => v / factor)
  const color = hexColor(options.color ?? C0)
  const width = options.width ?? 432 // 6 in
  const height = options.height ?? 216
  return chartSvg({
    width,
    panelHeight: height,
    x: { domain: dataDomain([n], true), log: true, label: 'number of steps, N' },
    panels: [
      {
        y: { domain: dataDomain([tau, guide], true), log: true, label: 'mean τ̂' },
        draw: (sx, sy, rect) => {
          const path = line<number>()
            .defined((v) => Number.isFinite(v) && v > 0)
            .x((_, k) => sx(n[k]!))
            .y((v) => sy(v))
            .digits(2)
          return [
            el('path', {
              class: 'guide',
              d: path(guide) ?? '',
              fill: 'none',
              stroke: '#000000',
              'stroke-width': STYLE.line,
              'stroke-dasharray': '5.55,2.4',
            }),
            el('path', {
              class: 'tau',
              d: path(tau) ?? '',
              fill: 'none',
              stroke: color,
              'stroke-width': STYLE.line,
            }),
            legend(
              rect,
              [
                { label: 'mean τ̂', color },
                { label: `N / ${factor}`, color: '#000000', dash: '5.55,2.4' },
              ],
              [...pixels(n, tau, sx, sy), ...pixels(n, guide, sx, sy)],
            ),
          ]
        },
      },
    ],
    idPrefix: options.idPrefix ?? 'autocorr',
    title: options.title,
  })
}
