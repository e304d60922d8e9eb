// nestedRunSvg: how a nested-sampling run went, against likelihood calls. Top: log Z with its
// ± error band. Bottom: the share of the evidence still in the live set (nautilus's f_live, the
// stopping criterion), on a log axis, with the target as a dashed line.

import { area, line } from 'd3-shape'
import { STYLE } from './axes.ts'
import { chartSvg, dataDomain } from './chart.ts'
import { check } from './errors.ts'
import { el, num } from './svg.ts'

export interface NestedRunData {
  /** Likelihood calls at each record. */
  readonly calls: readonly number[]
  readonly logZ: readonly number[]
  readonly logZErr?: readonly number[]
  /** The live set's share of the evidence at each record. */
  readonly liveFraction: readonly number[]
}

export interface NestedRunOptions {
  /** The f_live target, drawn dashed (nautilus's default 0.01; null for none). */
  readonly target?: number | null
  readonly width?: number
  readonly height?: number
  readonly title?: string
  readonly idPrefix?: string
}

const C0 = '#1f77b4'

export function nestedRunSvg(data: NestedRunData, options: NestedRunOptions = {}): string {
  const { calls, logZ, liveFraction } = data
  const n = calls.length
  check(n > 0, 'no records')
  for (const [name, values] of [
    ['logZ', logZ],
    ['liveFraction', liveFraction],
    ['logZErr', data.logZErr],
  ] as const) {
    if (values !== undefined)
      check(values.length === n, `${name} has ${values.length} values, calls has ${n}`)
  }
  const target = options.target === undefined ? 0.01 : options.target
  const err = data.logZErr
  const finite = (k: number) => Number.isFinite(logZ[k]!)
  const low = err === undefined ? [] : logZ.map((z, k) => z - err[k]!)
  const high = err === undefined ? [] : logZ.map((z, k) => z + err[k]!)
  const index = calls.map((_, k) => k)
  const width = options.width ?? 461
  const height = options.height ?? 300
  return chartSvg({
    width,
    panelHeight: height / 2,
    x: { domain: dataDomain([calls]), label: 'likelihood calls' },
    title: options.title,
    idPrefix: options.idPrefix ?? 'nested',
    panels: [
      {
        y: { domain: dataDomain([logZ, low, high]), label: 'log Z' },
        draw: (sx, sy) => {
          const out: string[] = []
          if (err !== undefined) {
            const band = area<number>()
              .defined((k) => finite(k) && Number.isFinite(err[k]!))
              .x((k) => sx(calls[k]!))
              .y0((k) => sy(low[k]!))
              .y1((k) => sy(high[k]!))
              .digits(2)(index)
            out.push(el('path', { class: 'error-band', d: band ?? '', fill: C0, 'fill-opacity': 0.3 }))
          }
          const d = line<number>()
            .defined(finite)
            .x((k) => sx(calls[k]!))
            .y((k) => sy(logZ[k]!))
            .digits(2)(index)
          out.push(
            el('path', { class: 'log-z', d: d ?? '', fill: 'none', stroke: C0, 'stroke-width': STYLE.line }),
          )
          return out
        },
      },
      {
        y: {
          domain: dataDomain([liveFraction, target === null ? [] : [target]], true),
          log: true,
          label: 'live evidence fraction',
        },
        draw: (sx, sy, rect) => {
          const d = line<number>()
            .defined((k) => liveFraction[k]! > 0 && Number.isFinite(liveFraction[k]!))
            .x((k) => sx(calls[k]!))
            .y((k) => sy(liveFraction[k]!))
            .digits(2)(index)
          const out = [
            el('path', {
              class: 'live-fraction',
              d: d ?? '',
              fill: 'none',
              stroke: C0,
              'stroke-width': STYLE.line,
            }),
          ]
          if (target !== null) {
            const y = num(sy(target))
            out.push(
              el('path', {
                class: 'target',
                d: `M${num(rect.x)},${y}h${num(rect.width)}`,
                stroke: '#000000',
                'stroke-width': 1,
                'stroke-dasharray': '3.7,1.6',
              }),
            )
          }
          return out
        },
      },
    ],
  })
}
