// traceSvg: emcee's trace plot (tutorials/line): one row per parameter, every walker a line in
// black at opacity 0.3, against the step number. Lines longer than the axis is wide in pixels
// keep only their lowest and highest value per pixel column, which is what would show.

import { line } from 'd3-shape'
import { STYLE } from './axes.ts'
import { chartSvg, dataDomain, type PanelSpec } from './chart.ts'
import { hexColor } from './color.ts'
import { check } from './errors.ts'
import { defaultName } from './samples.ts'
import { el, num } from './svg.ts'
import { decimateMinMax } from './thinning.ts'
import type { WalkerChain } from './types.ts'

export interface TraceOptions {
  /** One label per parameter (default p0, p1, ...). */
  readonly labels?: readonly string[]
  /** True values as horizontal lines. */
  readonly truths?: readonly (number | null | undefined)[]
  readonly color?: string
  /** Line opacity (default 0.3). */
  readonly alpha?: number
  /** The step number of chain[0] (default 0; after a discard, the number discarded). */
  readonly firstStep?: number
  /** Figure width in px (default 720: 10 in at 72 px per inch) and each row's height (120). */
  readonly width?: number
  readonly rowHeight?: number
  readonly title?: string
  readonly idPrefix?: string
}

export function traceSvg(chain: WalkerChain, options: TraceOptions = {}): string {
  const steps = chain.length
  check(steps > 0, 'the chain has no steps')
  const walkers = chain[0]!.length
  check(walkers > 0, 'the chain has no walkers')
  const dim = chain[0]![0]!.length
  for (const [s, step] of chain.entries()) {
    check(step.length === walkers, `step ${s} has ${step.length} walkers, step 0 has ${walkers}`)
    for (const point of step)
      check(point.length === dim, `step ${s} has a point of ${point.length} values, not ${dim}`)
  }
  const labels = options.labels ?? Array.from({ length: dim }, (_, k) => defaultName(k))
  check(labels.length === dim, `${labels.length} labels for ${dim} parameters`)
  if (options.truths !== undefined)
    check(options.truths.length === dim, `${options.truths.length} truths for ${dim} parameters`)
  const first = options.firstStep ?? 0
  const stepNumbers = Float64Array.from({ length: steps }, (_, s) => first + s)
  const color = hexColor(options.color ?? '#000000')
  const alpha = options.alpha ?? 0.3
  const panels: PanelSpec[] = Array.from({ length: dim }, (_, k) => {
    const series = Array.from({ length: walkers }, (_, w) => Float64Array.from(chain, (step) => step[w]![k]!))
    const truth = options.truths?.[k] ?? undefined // null: no truth for this parameter
    return {
      y: { domain: dataDomain(truth === undefined ? series : [...series, [truth]]), label: labels[k]! },
      draw: (sx, sy, rect) => {
        const path = line<readonly [number, number]>()
          .defined((p) => Number.isFinite(p[1]))
          .x((p) => sx(p[0]))
          .y((p) => sy(p[1]))
          .digits(1)
        const lines = series.map((values) => {
          const r = decimateMinMax(stepNumbers, values, sx)
          return el('path', { d: path(r.x.map((x, i) => [x, r.y[i]!] as const)) ?? '' })
        })
        const out = [
          el(
            'g',
            {
              class: 'walkers',
              fill: 'none',
              stroke: color,
              'stroke-opacity': alpha,
              'stroke-width': STYLE.line,
            },
            lines,
          ),
        ]
        if (truth !== undefined) {
          out.push(
            el('path', {
              class: 'truth',
              d: `M${num(rect.x)},${num(sy(truth))}h${num(rect.width)}`,
              stroke: '#4682b4',
              'stroke-width': STYLE.line,
            }),
          )
        }
        return out
      },
    }
  })
  return chartSvg({
    width: options.width ?? 720,
    panelHeight: options.rowHeight ?? 120,
    x: { domain: [first, first + Math.max(1, steps - 1)], label: 'step number' },
    panels,
    idPrefix: options.idPrefix ?? 'trace',
    title: options.title,
  })
}
