import { describe, expect, test } from 'vitest'
import { cornerSvg, density2d, gaussianKernel, PlotError, residualSvg, traceSvg } from '../src/index.ts'

const rows = Array.from({ length: 200 }, (_, i) => [Math.sin(i), Math.cos(1.3 * i)])

/** Throws a PlotError (input) whose message matches. */
function refused(draw: () => unknown, message: RegExp): void {
  let error: unknown
  try {
    draw()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(PlotError)
  expect((error as PlotError).code).toBe('PARAFIT_PLOT_INPUT')
  expect((error as Error).message).toMatch(message)
}

describe('bad input ends in a PlotError that names it, not a crash or a broken plot', () => {
  test('cornerSvg: histBinFactor, smoothing, panelSize, titleFormat, truths', () => {
    refused(
      () => cornerSvg(rows, { histBinFactor: Number.NaN }),
      /^histBinFactor must be a finite number > 0, got NaN /,
    )
    refused(
      () => cornerSvg(rows, { smooth: Number.POSITIVE_INFINITY }),
      /^smooth must be a finite number ≥ 0, got Infinity /,
    )
    refused(
      () => cornerSvg(rows, { panelSize: 0 }),
      /^panelSize must be a finite number of inches > 0, got 0 /,
    )
    refused(() => cornerSvg(rows, { bins: 1 }), /^bins must be a whole number ≥ 2, got 1 /)
    refused(
      () => cornerSvg(rows, { maxDatapoints: 2.5 }),
      /^maxDatapoints must be a whole number ≥ 0, got 2.5 /,
    )
    refused(() => cornerSvg(rows, { quantiles: [0.5, 2] }), /^quantiles must be a number from 0 to 1, got 2 /)
    refused(
      () => cornerSvg(rows, { range: [0.9, 0] }),
      /^range\[1\] must be a number in \(0, 1\], got 0: a fraction of the samples/,
    )
    refused(() => cornerSvg(rows, { titleFormat: 'zz' }), /titleFormat 'zz' is not a d3-format specifier/)
    refused(() => cornerSvg(rows, { truths: [Number.POSITIVE_INFINITY, 0] }), /a truth must be finite/)
    expect(cornerSvg(rows, { truths: [null, 0] })).not.toContain('NaN')
  })

  test('density2d: no samples, a non-finite one, weights of the wrong length', () => {
    refused(() => density2d([], []), /no samples/)
    refused(() => density2d([0, 1, Number.NaN], [0, 1, 2]), /sample 2 is not finite/)
    refused(() => density2d([0, 1, 2], [0, 1, 2], { weights: [1, 1] }), /2 weights for 3 samples/)
    refused(
      () => density2d([0, 1, 2], [0, 1, 2], { bins: [20, 1] }),
      /^bins must be a whole number ≥ 2, got 1 /,
    )
    refused(
      () => density2d([0, 1, 2], [0, 1, 2], { levels: [0.5, 1] }),
      /^levels must be a number in \(0, 1\), got 1 /,
    )
  })

  test('gaussianKernel needs σ > 0; residualSvg a finite x and a curve of matching lengths', () => {
    refused(() => gaussianKernel(0), /^sigma must be a finite number > 0, got 0 /)
    const data = { x: [0, 1, 2], y: [1, 2, 3], model: [1, 2, 3], residuals: [0, 0, 0] }
    refused(() => residualSvg({ ...data, x: [0, Number.NaN, 2] }), /x\[1\] is NaN/)
    refused(() => residualSvg({ ...data, curve: { x: [0, 1], y: [0] } }), /curve\.x has 2 values, curve\.y 1/)
  })

  test('traceSvg leaves a gap at a non-finite value instead of writing NaN into the path', () => {
    const chain = Array.from({ length: 20 }, (_, t) => [Float64Array.of(t === 7 ? Number.NaN : t)])
    const svg = traceSvg(chain)
    expect(svg).not.toContain('NaN')
    // The walker's line is cut in two at step 7: two move-tos.
    expect(svg.match(/d="M[^"]*M/)).not.toBeNull()
  })
})
