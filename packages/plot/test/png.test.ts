// Every plot through toPng: a PNG (signature, size from the SVG or the width asked for) with
// drawn pixels and text. resvg is an optional dependency: where it cannot be loaded these tests
// are skipped with the reason, except under PARAFIT_REQUIRE_PNG=1, where that is a failure.

import { Random } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import {
  autocorrSvg,
  cornerSvg,
  dejavuFontFiles,
  lossHistorySvg,
  nestedRunSvg,
  residualSvg,
  toPng,
  traceSvg,
} from '../src/index.ts'
import { correlatedGaussian, decodePng } from './helpers.ts'

const missing = await import('@resvg/resvg-js').then(
  () => undefined,
  (error: unknown) => `@resvg/resvg-js cannot be loaded here (${String(error).split('\n')[0]})`,
)
const required = process.env.PARAFIT_REQUIRE_PNG === '1'

if (missing !== undefined && required) {
  test('@resvg/resvg-js is available', () => {
    expect.fail(`PARAFIT_REQUIRE_PNG=1 but ${missing}`)
  })
}

function plots(): Record<string, string> {
  const { x, y } = correlatedGaussian(4, 3000)
  const rng = Random.fromSeed(4)
  const chain = Array.from({ length: 300 }, () =>
    Array.from({ length: 6 }, () => Float64Array.of(rng.normal(), rng.normal())),
  )
  const xs = Array.from({ length: 15 }, (_, k) => k)
  const model = xs.map((v) => 0.5 * v)
  const data = model.map((m, k) => m + Math.sin(k))
  const calls = [100, 200, 300, 400]
  return {
    corner: cornerSvg({ names: ['x', 'y'], columns: [x, y] }, { truths: [1, -1] }),
    trace: traceSvg(chain),
    autocorr: autocorrSvg({ n: [100, 200, 400], tau: [10, 15, 17] }),
    residual: residualSvg({ x: xs, y: data, model, residuals: data.map((v, k) => v - model[k]!) }),
    loss: lossHistorySvg([
      { nEvals: 1, loss: 10 },
      { nEvals: 50, loss: 0.1 },
    ]),
    nested: nestedRunSvg({ calls, logZ: [-9, -7, -6.5, -6.4], liveFraction: [1, 0.3, 0.05, 0.008] }),
  }
}

/** Share of pixels that are not white, and of those that are dark (text, lines). */
function ink(png: ReturnType<typeof decodePng>): { drawn: number; dark: number } {
  let drawn = 0
  let dark = 0
  for (let p = 0; p < png.rgba.length; p += 4) {
    const [r, g, b] = [png.rgba[p]!, png.rgba[p + 1]!, png.rgba[p + 2]!]
    if (r < 250 || g < 250 || b < 250) drawn++
    if (r + g + b < 200) dark++
  }
  const n = png.rgba.length / 4
  return { drawn: drawn / n, dark: dark / n }
}

describe.skipIf(missing !== undefined)(`toPng${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const svgs = plots()

  test.each(Object.keys(svgs))('%s renders to a PNG of the SVG’s size with something drawn', async (name) => {
    const svg = svgs[name]!
    const bytes = await toPng(svg)
    const png = decodePng(bytes)
    const [, w, h] = svg.match(/width="([0-9.]+)" height="([0-9.]+)"/)!
    expect(png.width).toBe(Math.ceil(Number(w)))
    expect(png.height).toBe(Math.ceil(Number(h)))
    const { drawn, dark } = ink(png)
    expect(drawn).toBeGreaterThan(0.01)
    expect(dark).toBeGreaterThan(0.001)
    expect(drawn).toBeLessThan(0.9) // a white background, not a black square
  })

  test('the width option scales the image', async () => {
    const png = decodePng(await toPng(svgs.autocorr!, { width: 1000 }))
    expect(png.width).toBe(1000)
    expect(png.height).toBeGreaterThan(300)
  })

  test('text is rendered: a label alone leaves dark pixels (fonts were found)', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" font-family="DejaVu Sans, sans-serif" font-size="20"><rect width="100%" height="100%" fill="#fff"/><text x="5" y="28">Corner</text></svg>'
    const { dark } = ink(decodePng(await toPng(svg)))
    expect(dark).toBeGreaterThan(0.02)
  })

  test('DejaVu Sans is used when the system has it', () => {
    // Debian's fonts-dejavu-core puts it in /usr/share/fonts/truetype/dejavu/.
    const files = dejavuFontFiles()
    if (files.length > 0) expect(files[0]).toMatch(/DejaVuSans\.ttf$/)
    else expect(files).toEqual([])
  })
})
