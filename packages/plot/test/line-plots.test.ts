// The other plots' documents: trace, autocorrelation, residuals, loss history, nested run.
// Well-formed, the panels and marks each should have, decimation of long traces, determinism.

import { Random } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import {
  autocorrSvg,
  decimateMinMax,
  lossHistorySvg,
  nestedRunSvg,
  PlotError,
  residualSvg,
  traceSvg,
} from '../src/index.ts'
import { count, expectWellFormed } from './helpers.ts'

function chain(steps: number, walkers: number, dim: number, seed = 1): Float64Array[][] {
  const rng = Random.fromSeed(seed)
  return Array.from({ length: steps }, () =>
    Array.from({ length: walkers }, () => Float64Array.from({ length: dim }, () => rng.normal())),
  )
}

describe('traceSvg', () => {
  test('one panel per parameter, one line per walker, "step number" under the last', () => {
    const svg = traceSvg(chain(200, 8, 3), { labels: ['m', 'b', 'log f'], truths: [0, null, 1] })
    expectWellFormed(svg)
    expect(count(svg, /<g class="panel"/)).toBe(3)
    expect(count(svg, /<g class="walkers"[^>]*stroke-opacity="0.3"/)).toBe(3)
    expect(count(svg, /<g class="walkers"[\s\S]*?<\/g>/)).toBe(3)
    const paths = svg.match(/<g class="walkers"[^>]*>([\s\S]*?)<\/g>/)![1]!
    expect(count(paths, /<path /)).toBe(8)
    expect(count(svg, /class="label y"/)).toBe(3)
    expect(svg).toContain('>step number</text>')
    expect(svg).toContain('>log f</text>')
    expect(count(svg, /class="truth"/)).toBe(2)
    expect(traceSvg(chain(200, 8, 3), { labels: ['m', 'b', 'log f'], truths: [0, null, 1] })).toBe(svg)
  })

  test('a long chain is drawn with at most two points per pixel column', () => {
    const steps = 20000
    const svg = traceSvg(chain(steps, 2, 1))
    const d = svg.match(/<g class="walkers"[^>]*><path d="([^"]*)"/)![1]!
    const points = count(d, /[ML]/)
    const columns = 720 - 72 - 22 // the axis width in px
    expect(points).toBeLessThanOrEqual(2 * (columns + 1))
    expect(points).toBeGreaterThan(columns)
  })

  test('rejects a ragged chain', () => {
    const c = chain(3, 2, 2)
    c[1] = [c[1]![0]!]
    expect(() => traceSvg(c)).toThrow(PlotError)
    expect(() => traceSvg(c)).toThrow('step 1 has 1 walkers, step 0 has 2')
  })
})

describe('decimateMinMax', () => {
  test('keeps each column’s lowest and highest point, in order', () => {
    const x = [0, 0.1, 0.2, 0.3, 0.4, 1, 1.1, 1.2, 1.3, 1.4]
    const y = [5, 9, 1, 4, 4, 2, 2, 8, 0, 3]
    const out = decimateMinMax(x, y, (v) => v, 0.2)
    // Column width 0.2 px: columns are too many for decimation to pay; the line stays whole.
    expect(out.y).toEqual(y)
    const coarse = decimateMinMax(x, y, (v) => v / 2, 0.5) // px 0..0.2 and 0.5..0.7: 2 columns
    expect(coarse).toEqual({ x: [0.1, 0.2, 1.2, 1.3], y: [9, 1, 8, 0] })
  })
})

describe('autocorrSvg', () => {
  test('τ̂ against N on log-log axes, with the dashed N/50 line', () => {
    const svg = autocorrSvg({ n: [100, 200, 400, 800, 1600], tau: [12, 20, 31, 38, 40] })
    expectWellFormed(svg)
    expect(count(svg, /class="tau"/)).toBe(1)
    expect(svg).toMatch(/class="guide"[^>]*stroke-dasharray/)
    expect(svg).toContain('>N / 50</text>')
    expect(svg).toContain('>number of steps, N</text>')
    // Decades labelled as powers of ten on the x axis.
    expect(svg).toMatch(/>10<tspan dy="-4" font-size="7">3<\/tspan>/)
    expect(autocorrSvg({ n: [100, 200], tau: [5, 6] }, { factor: 100 })).toContain('>N / 100</text>')
  })

  test('the guide is N/50 in the same scale as τ̂: where τ̂ = N/50 the two lines meet', () => {
    // τ̂ = N/50 at every point: both paths are the same line.
    const n = [100, 1000, 10000]
    const svg = autocorrSvg({ n, tau: n.map((v) => v / 50) })
    const d = (cls: string) => svg.match(new RegExp(`class="${cls}" d="([^"]*)"`))![1]
    expect(d('tau')).toBe(d('guide'))
  })
})

describe('residualSvg', () => {
  const x = Array.from({ length: 20 }, (_, k) => k)
  const model = x.map((v) => 2 * v + 1)
  const y = model.map((m, k) => m + (k % 3) - 1)
  const residuals = y.map((v, k) => v - model[k]!)

  test('residuals on top (1 : 4), data with error bars and the fit below, sharing x', () => {
    const svg = residualSvg(
      { x, y, sigma: x.map(() => 0.5), model, residuals, initial: model.map((m) => m + 3) },
      { title: 'line' },
    )
    expectWellFormed(svg)
    expect(count(svg, /<g class="panel"/)).toBe(2)
    const heights = [...svg.matchAll(/<clipPath id="residual-clip-\d"><rect [^>]*height="([0-9.]+)"/g)].map(
      (m) => Number(m[1]),
    )
    expect(heights[1]! / heights[0]!).toBeCloseTo(4, 6)
    expect(count(svg, /<circle cx/)).toBe(2 * 20 + 1) // residuals, data, the legend's marker
    expect(count(svg, /class="fit"/)).toBe(1)
    expect(count(svg, /class="initial"/)).toBe(1)
    expect(svg).toContain('>residuals</text>')
    expect(svg).toContain('>best fit</text>')
    // x tick labels only under the lower panel.
    expect(count(svg, /class="ticklabels x"/)).toBe(1)
  })

  test('lossHistorySvg: the best loss against evaluations, log y for positive losses', () => {
    const history = Array.from({ length: 30 }, (_, k) => ({ step: k, nEvals: 10 * k, loss: 1000 * 0.7 ** k }))
    const svg = lossHistorySvg(history)
    expectWellFormed(svg)
    expect(count(svg, /class="loss"/)).toBe(1)
    expect(svg).toMatch(/>10<tspan dy="-4" font-size="7">/)
    const linear = lossHistorySvg(history.map((h) => ({ ...h, loss: h.loss - 1 })))
    expect(linear).not.toMatch(/>10<tspan dy="-4"/)
  })

  test('rejects mismatched lengths', () => {
    expect(() => residualSvg({ x, y: y.slice(1), model, residuals })).toThrow('y has 19 values, x has 20')
  })
})

describe('nestedRunSvg', () => {
  test('log Z with its band and the live fraction against calls, two panels sharing x', () => {
    const calls = Array.from({ length: 20 }, (_, k) => 100 * (k + 1))
    const svg = nestedRunSvg({
      calls,
      logZ: calls.map((c) => -5 + Math.log(c / 2000)),
      logZErr: calls.map(() => 0.2),
      liveFraction: calls.map((_, k) => 0.8 ** k),
    })
    expectWellFormed(svg)
    expect(count(svg, /<g class="panel"/)).toBe(2)
    expect(count(svg, /class="error-band"/)).toBe(1)
    expect(count(svg, /class="log-z"/)).toBe(1)
    expect(count(svg, /class="live-fraction"/)).toBe(1)
    expect(count(svg, /class="target"/)).toBe(1)
    expect(svg).toContain('>likelihood calls</text>')
    const noTarget = nestedRunSvg(
      { calls, logZ: calls.map(() => -3), liveFraction: calls.map(() => 0.5) },
      { target: null },
    )
    expect(count(noTarget, /class="target"|class="error-band"/)).toBe(0)
  })
})
