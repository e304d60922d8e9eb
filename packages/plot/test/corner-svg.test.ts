// cornerSvg's document: well-formed, K(K+1)/2 panels, titles, labels and truths where asked,
// the dots thinned without losing a visible one, and the same string for the same input.

import { describe, expect, test } from 'vitest'
import { cornerSvg, DEFAULT_LEVELS, density2d, PlotError } from '../src/index.ts'
import { correlatedGaussian, count, expectWellFormed, inside, pathsOfClass } from './helpers.ts'

function gaussian3(seed: number, n: number) {
  const a = correlatedGaussian(seed, n)
  const b = correlatedGaussian(seed + 100, n)
  return {
    names: ['alpha', 'beta', 'gamma'],
    columns: [a.x, a.y, Float64Array.from(b.x, (v) => 5 + 0.1 * v)],
  }
}

describe('cornerSvg', () => {
  const samples = gaussian3(1, 5000)
  const svg = cornerSvg(samples, { truths: [1, null, 5], title: 'posterior' })

  test('is well-formed XML with K(K+1)/2 panels, each clipped', () => {
    expectWellFormed(svg)
    expect(count(svg, /class="panel diagonal"/)).toBe(3)
    expect(count(svg, /class="panel pair"/)).toBe(3)
    expect(count(svg, /<clipPath /)).toBe(6)
    for (const K of [1, 2, 5]) {
      const columns = Array.from({ length: K }, (_, k) => gaussian3(k, 500).columns[0]!)
      const s = cornerSvg({ names: columns.map((_, k) => `p${k}`), columns })
      expectWellFormed(s)
      expect(count(s, /class="panel /)).toBe((K * (K + 1)) / 2)
    }
  })

  test('has corner.py’s size: 2 in panels, 1 in and 0.4 in margins, 0.05 gaps, at 72 px per inch', () => {
    // 3 panels: 1 + 3·2 + 2·0.1 + 0.4 = 7.6 in, plus 0.4 in for the figure title: 547.2 × 576.
    expect(svg).toContain('width="547.2" height="576"')
  })

  test('titles the diagonal with the quantiles, labels the outer axes, uses DejaVu Sans', () => {
    expect(count(svg, /<text class="title"/)).toBe(3)
    expect(svg).toMatch(
      /<text class="title"[^>]*>alpha = [\u22120-9.]+<tspan[^>]*>\u2212[0-9.]+<\/tspan><tspan[^>]*>\+[0-9.]+<\/tspan>/,
    )
    // x labels under the bottom row, y labels left of the first column (not the top-left panel).
    expect(count(svg, /class="label x"/)).toBe(3)
    expect(count(svg, /class="label y"/)).toBe(2)
    expect(svg).toContain('>gamma</text>')
    expect(svg).toContain('class="figure-title"')
    expect(svg).toContain('font-family="DejaVu Sans, sans-serif"')
    expect(svg).not.toMatch(/\sfont="/) // resvg ignores the CSS shorthand
  })

  test('draws truths where given: lines on both panels they cross, a marker where two meet', () => {
    // alpha and gamma have truths: the diagonal lines of both, alpha's line on (beta, alpha) and
    // (gamma, alpha), gamma's on (gamma, alpha) and (gamma, beta), one marker at (alpha, gamma).
    expect(count(svg, /<path class="truth"/)).toBe(2 + 3)
    expect(count(svg, /<rect class="truth"/)).toBe(1)
    expect(svg).toContain('stroke="#4682b4"')
    const none = cornerSvg(samples)
    expect(count(none, /class="truth"/)).toBe(0)
  })

  test('draws the dashed quantiles and four contours per pair panel', () => {
    expect(count(svg, /class="quantiles"[^>]*stroke-dasharray/)).toBe(3)
    for (const d of pathsOfClass(svg, 'contours'))
      expect(count(d, /M/)).toBeGreaterThanOrEqual(DEFAULT_LEVELS.length)
    const filled = cornerSvg(samples, { fillContours: true })
    expect(count(filled, /class="bands"/)).toBe(3)
    expect(count(filled, /class="density"/)).toBe(0)
  })

  test('is deterministic: the same input gives the same string, the seed picks the dots', () => {
    expect(cornerSvg(gaussian3(1, 5000), { truths: [1, null, 5], title: 'posterior' })).toBe(svg)
    const a = cornerSvg(samples, { maxDatapoints: 50 })
    expect(cornerSvg(samples, { maxDatapoints: 50 })).toBe(a)
    expect(cornerSvg(samples, { maxDatapoints: 50, seed: 1 })).not.toBe(a)
  })

  test('row samples give the same plot as columns', () => {
    const rows = Array.from({ length: 5000 }, (_, s) => samples.columns.map((c) => c[s]!))
    expect(cornerSvg({ names: samples.names, rows }, { truths: [1, null, 5], title: 'posterior' })).toBe(svg)
  })

  test('rejects what it cannot plot, with a PlotError naming the problem', () => {
    const bad = (f: () => unknown, text: string) => {
      expect(f).toThrow(PlotError)
      expect(f).toThrow(text)
    }
    bad(() => cornerSvg({ names: ['a'], columns: [[1, 1, 1]] }), "'a' has no dynamic range")
    bad(
      () => cornerSvg({ names: ['a'], columns: [[1, Number.NaN]] }),
      "'a' has a non-finite value at sample 1",
    )
    bad(() => cornerSvg({ names: ['a', 'b'], columns: [[1, 2], [1]] }), "'b' has 1 samples")
    bad(() => cornerSvg(samples, { weights: [1, 2] }), '2 weights for 5000 samples')
    bad(() => cornerSvg(samples, { levels: [0.5, 1.2] }), 'in (0, 1)')
    bad(() => cornerSvg(samples, { truths: [1] }), 'truths has 1 entries for 3 parameters')
  })
})

describe('the dots', () => {
  const { x, y } = correlatedGaussian(7, 20000)
  const names = ['x', 'y']

  test('exactly the samples outside the lowest contour are drawn (the rest would be hidden)', () => {
    const svg = cornerSvg({ names, columns: [x, y] }, { maxDatapoints: 100000 })
    const lowest = density2d(x, y).contours[0]!
    let outside = 0
    for (let k = 0; k < x.length; k++) if (!inside(lowest.polygons, x[k]!, y[k]!)) outside++
    // About 13.5 % lie outside the 0.865 contour.
    expect(outside).toBeGreaterThan(0.1 * x.length)
    expect(outside).toBeLessThan(0.2 * x.length)
    expect(count(svg, /<circle /)).toBe(outside)
  })

  test('are capped by maxDatapoints per panel, and switched off by plotDatapoints', () => {
    expect(count(cornerSvg({ names, columns: [x, y] }, { maxDatapoints: 300 }), /<circle /)).toBe(300)
    expect(count(cornerSvg({ names, columns: [x, y] }, { plotDatapoints: false }), /<circle /)).toBe(0)
  })

  test('with no contours or density, every sample is drawn (no fill hides any)', () => {
    const svg = cornerSvg(
      { names, columns: [x.subarray(0, 1000), y.subarray(0, 1000)] },
      { plotContours: false, plotDensity: false },
    )
    expect(count(svg, /<circle /)).toBe(1000)
  })
})

describe('weights', () => {
  test('weighted samples draw the contours of the equivalent duplicated ones', () => {
    const { x, y } = correlatedGaussian(9, 3000)
    const weights = Float64Array.from(x, (_, k) => (k % 4 === 0 ? 2 : 1))
    const dx: number[] = []
    const dy: number[] = []
    x.forEach((v, k) => {
      for (let c = 0; c < weights[k]!; c++) {
        dx.push(v)
        dy.push(y[k]!)
      }
    })
    const weighted = cornerSvg({ names: ['x', 'y'], columns: [x, y] }, { weights })
    const duplicated = cornerSvg({ names: ['x', 'y'], columns: [dx, dy] })
    expect(pathsOfClass(weighted, 'contours')).toEqual(pathsOfClass(duplicated, 'contours'))
    expect(pathsOfClass(weighted, 'histogram')).toEqual(pathsOfClass(duplicated, 'histogram'))
    expect(pathsOfClass(weighted, 'contours')).toHaveLength(1)
  })

  test('titles use the weighted quantiles', () => {
    // Values 1, 2, 3, 4 with weights 1, 1, 2, 4: quantiles 1.64, 3, 3.68 (see quantiles.test.ts).
    const svg = cornerSvg({ names: ['v'], columns: [[1, 2, 3, 4]] }, { weights: [1, 1, 2, 4] })
    expect(svg).toMatch(/>v = 3\.00<tspan[^>]*>\u22121\.36<\/tspan><tspan[^>]*>\+0\.68</)
    const unweighted = cornerSvg({ names: ['v'], columns: [[10, 3, 1, 4, 2]] })
    expect(unweighted).toMatch(/>v = 3\.00<tspan[^>]*>\u22121\.36<\/tspan><tspan[^>]*>\+3\.16</)
  })
})
