// The two kinds of corner panel. A pair panel draws, back to front as corner.py's hist2d: the
// dots, a white fill over the lowest contour (hiding the dots inside), the density shading (or
// the filled bands), the contour lines, the truths. A diagonal panel draws the 1-D histogram
// as a step line, the dashed quantiles, the truth and the quantile title.

import { scaleLinear } from 'd3-scale'
import { axis, clipPath, type Rect, STYLE, spines } from './axes.ts'
import { densityShade, type Rgb } from './color.ts'
import { type Density2d, density2d, type Polygon } from './density2d.ts'
import { gaussianFilter1d } from './gaussian-filter.ts'
import { binEdges, histogram1d } from './histogram.ts'
import { quantiles, quantileTitle } from './quantiles.ts'
import { el, escapeXml, num } from './svg.ts'
import { mayBeOutside, RegionTest, seededSubset } from './thinning.ts'
import type { Ticks } from './ticks.ts'

/** Everything the panels need, resolved once by cornerSvg. */
export interface CornerContext {
  readonly K: number
  /** Inches per panel. */
  readonly panelSize: number
  readonly columns: Float64Array[]
  readonly weights: Float64Array | undefined
  readonly labels: string[]
  readonly ranges: [number, number][]
  readonly bins: number[]
  readonly ticks: Ticks[]
  readonly truths: (number | undefined)[]
  readonly rgb: Rgb
  readonly color: string
  readonly truthColor: string
  readonly histBinFactor: number
  readonly smooth: number | undefined
  readonly smooth1d: number | undefined
  readonly levels: readonly number[]
  readonly quantiles: readonly number[]
  readonly titleQuantiles: readonly number[] | undefined
  readonly titleFormat: string
  readonly plotDatapoints: boolean
  readonly plotDensity: boolean
  readonly plotContours: boolean
  readonly fillContours: boolean
  readonly maxDatapoints: number
  readonly seed: number
  readonly idPrefix: string
}

const DASH = '5.55,2.4' // matplotlib's "dashed" at 1.5 px

function scales(rect: Rect, xr: [number, number], yr: [number, number]) {
  return {
    sx: scaleLinear()
      .domain(xr)
      .range([rect.x, rect.x + rect.width]),
    sy: scaleLinear()
      .domain(yr)
      .range([rect.y + rect.height, rect.y]),
  }
}

function ringsPath(
  polygons: readonly Polygon[],
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  let d = ''
  for (const polygon of polygons) {
    for (const ring of polygon) {
      ring.forEach(([x, y], k) => {
        d += `${k === 0 ? 'M' : 'L'}${num(sx(x))},${num(sy(y))}`
      })
      d += 'Z'
    }
  }
  return d
}

/** The panel below the diagonal: parameter j across, parameter i up. */
export function pairPanel(ctx: CornerContext, rect: Rect, i: number, j: number): string {
  const x = ctx.columns[j]!
  const y = ctx.columns[i]!
  const [xr, yr] = [ctx.ranges[j]!, ctx.ranges[i]!]
  const { sx, sy } = scales(rect, xr, yr)
  const d = density2d(x, y, {
    bins: [ctx.bins[j]!, ctx.bins[i]!],
    range: [xr, yr],
    weights: ctx.weights,
    smooth: ctx.smooth,
    levels: ctx.levels,
  })
  const lowest = d.contours[0]
  const baseFill = (ctx.plotContours || ctx.plotDensity) && lowest !== undefined
  const layers: string[] = []
  if (ctx.plotDatapoints) layers.push(dots(ctx, d, i, j, baseFill, sx, sy))
  if (baseFill)
    layers.push(el('path', { class: 'base', d: ringsPath(lowest.polygons, sx, sy), fill: '#ffffff' }))
  if (ctx.plotContours && ctx.fillContours) layers.push(bands(ctx, d, sx, sy))
  else if (ctx.plotDensity) layers.push(density(ctx, d, sx, sy))
  if (ctx.plotContours && d.contours.length > 0) {
    const lines = d.contours.map((c) => ringsPath(c.polygons, sx, sy)).join('')
    layers.push(
      el('path', {
        class: 'contours',
        d: lines,
        fill: 'none',
        stroke: ctx.color,
        'stroke-width': STYLE.line,
      }),
    )
  }
  const tx = ctx.truths[j]
  const ty = ctx.truths[i]
  const truth: string[] = []
  if (tx !== undefined) truth.push(`M${num(sx(tx))},${num(rect.y)}V${num(rect.y + rect.height)}`)
  if (ty !== undefined) truth.push(`M${num(rect.x)},${num(sy(ty))}H${num(rect.x + rect.width)}`)
  if (truth.length > 0) {
    layers.push(
      el('path', { class: 'truth', d: truth.join(''), stroke: ctx.truthColor, 'stroke-width': STYLE.line }),
    )
  }
  if (tx !== undefined && ty !== undefined) {
    const s = 3 // matplotlib's 6 pt square marker
    layers.push(
      el('rect', {
        class: 'truth',
        x: sx(tx) - s,
        y: sy(ty) - s,
        width: 2 * s,
        height: 2 * s,
        fill: ctx.truthColor,
      }),
    )
  }
  const id = `${ctx.idPrefix}-clip-${i}-${j}`
  const bottomRow = i === ctx.K - 1
  return el('g', { class: 'panel pair', 'data-row': i, 'data-col': j }, [
    clipPath(id, rect),
    el('g', { 'clip-path': `url(#${id})` }, layers),
    axis(rect, ctx.ticks[j]!, sx, { side: 'bottom', labels: bottomRow, rotate: true }),
    axis(rect, ctx.ticks[i]!, sy, { side: 'left', labels: j === 0, rotate: true }),
    spines(rect),
  ])
}

function dots(
  ctx: CornerContext,
  d: Density2d,
  i: number,
  j: number,
  hidden: boolean,
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  const x = ctx.columns[j]!
  const y = ctx.columns[i]!
  const [xr, yr] = [ctx.ranges[j]!, ctx.ranges[i]!]
  const lowest = d.contours[0]
  // Under the white fill, only the samples outside the lowest contour show: cells wholly inside
  // it are skipped at once, the others tested against the contour's polygons.
  const region =
    hidden && lowest !== undefined
      ? { threshold: lowest.threshold, test: new RegionTest(lowest.polygons, d.padded.y0, d.padded.dy) }
      : undefined
  const shown: number[] = []
  for (let s = 0; s < x.length; s++) {
    if (x[s]! < xr[0] || x[s]! > xr[1] || y[s]! < yr[0] || y[s]! > yr[1]) continue
    if (region === undefined) shown.push(s)
    else if (mayBeOutside(d.padded, region.threshold, x[s]!, y[s]!) && !region.test.contains(x[s]!, y[s]!))
      shown.push(s)
  }
  const kept = seededSubset(shown, ctx.maxDatapoints, ctx.seed, i, j)
  const circles = kept.map((s) => `<circle cx="${num(sx(x[s]!))}" cy="${num(sy(y[s]!))}" r="1"/>`)
  return el('g', { class: 'datapoints', fill: ctx.color, 'fill-opacity': 0.1 }, circles)
}

/** pcolor(H.max() - H): each bin in the colormap from the colour (at the maximum) to transparent. */
function density(
  ctx: CornerContext,
  d: Density2d,
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  const span = d.max - d.min
  if (!(span > 0)) return ''
  const byShade = new Map<string, string>()
  d.H.forEach((row, i) => {
    const x0 = sx(d.xEdges[i]!)
    const x1 = sx(d.xEdges[i + 1]!)
    row.forEach((h, j) => {
      const shade = densityShade(ctx.rgb, (d.max - h) / span)
      if (shade.opacity <= 0) return
      const key = `${shade.fill} ${num(shade.opacity, 3)}`
      const y1 = sy(d.yEdges[j + 1]!)
      const y0 = sy(d.yEdges[j]!)
      byShade.set(key, `${byShade.get(key) ?? ''}M${num(x0)},${num(y1)}H${num(x1)}V${num(y0)}H${num(x0)}Z`)
    })
  })
  const paths = [...byShade].map(([key, path]) => {
    const [fill, opacity] = key.split(' ')
    return el('path', { d: path, fill, 'fill-opacity': opacity })
  })
  return el('g', { class: 'density', 'shape-rendering': 'crispEdges' }, paths)
}

/** fill_contours: band b between the b-th and next level at opacity b/(levels + 1). */
function bands(
  ctx: CornerContext,
  d: Density2d,
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  const n = ctx.levels.length
  const paths = d.contours.map((c, k) => {
    const inner = d.contours[k + 1]
    const path =
      ringsPath(c.polygons, sx, sy) + (inner === undefined ? '' : ringsPath(inner.polygons, sx, sy))
    return el('path', {
      d: path,
      fill: ctx.color,
      'fill-opacity': num((k + 1) / (n + 1), 3),
      'fill-rule': 'evenodd',
    })
  })
  return el('g', { class: 'bands' }, paths)
}

/** The diagonal panel of parameter i. */
export function diagonalPanel(ctx: CornerContext, rect: Rect, i: number): string {
  const column = ctx.columns[i]!
  const range = ctx.ranges[i]!
  const edges = binEdges(range[0], range[1], Math.max(1, Math.round(ctx.histBinFactor * ctx.bins[i]!)))
  let counts = histogram1d(column, edges, ctx.weights)
  if (ctx.smooth1d !== undefined) counts = gaussianFilter1d(counts, ctx.smooth1d)
  const top = Math.max(...counts)
  const { sx, sy } = scales(rect, range, [0, top > 0 ? 1.1 * top : 1])
  let path = ''
  if (ctx.smooth1d === undefined) {
    // matplotlib's histtype="step": up from the axis, along each bin, down at the end.
    path = `M${num(sx(edges[0]!))},${num(sy(0))}`
    counts.forEach((c, k) => {
      path += `V${num(sy(c))}H${num(sx(edges[k + 1]!))}`
    })
    path += `V${num(sy(0))}`
  } else {
    counts.forEach((c, k) => {
      path += `${k === 0 ? 'M' : 'L'}${num(sx(edges[k]!))},${num(sy(c))}L${num(sx(edges[k + 1]!))},${num(sy(c))}`
    })
  }
  const layers = [
    el('path', { class: 'histogram', d: path, fill: 'none', stroke: ctx.color, 'stroke-width': 1 }),
  ]
  // One sort serves the dashed lines and the title.
  const wanted = [...ctx.quantiles, ...(ctx.titleQuantiles ?? [])]
  const found = wanted.length === 0 ? [] : quantiles(column, wanted, ctx.weights)
  if (ctx.quantiles.length > 0) {
    const qs = found.slice(0, ctx.quantiles.length)
    const d = qs.map((q) => `M${num(sx(q))},${num(rect.y)}V${num(rect.y + rect.height)}`).join('')
    layers.push(
      el('path', {
        class: 'quantiles',
        d,
        stroke: ctx.color,
        'stroke-width': STYLE.line,
        'stroke-dasharray': DASH,
      }),
    )
  }
  const truth = ctx.truths[i]
  if (truth !== undefined) {
    const d = `M${num(sx(truth))},${num(rect.y)}V${num(rect.y + rect.height)}`
    layers.push(el('path', { class: 'truth', d, stroke: ctx.truthColor, 'stroke-width': STYLE.line }))
  }
  const id = `${ctx.idPrefix}-clip-${i}-${i}`
  const parts = [
    clipPath(id, rect),
    el('g', { 'clip-path': `url(#${id})` }, layers),
    axis(rect, ctx.ticks[i]!, sx, { side: 'bottom', labels: i === ctx.K - 1, rotate: true }),
    spines(rect),
  ]
  if (ctx.titleQuantiles !== undefined) {
    const t = quantileTitle(ctx.labels[i], found.slice(ctx.quantiles.length), ctx.titleFormat)
    const small = num(STYLE.title * 0.7)
    parts.push(
      `<text class="title" x="${num(rect.x + rect.width / 2)}" y="${num(rect.y - 8)}" text-anchor="middle" ` +
        `font-size="${STYLE.title}">${escapeXml(t.main)}<tspan dy="3" font-size="${small}">${escapeXml(t.minus)}</tspan>` +
        `<tspan dy="-8" font-size="${small}">${escapeXml(t.plus)}</tspan></text>`,
    )
  }
  return el('g', { class: 'panel diagonal', 'data-row': i, 'data-col': i }, parts)
}
