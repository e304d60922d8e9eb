// A corner plot of a seeded, correlated 3-D Gaussian with @parafit/plot: corner.svg, and
// corner.png when the optional @resvg/resvg-js is installed. Prints the time each took.
//
//   bash scripts/with-node.sh node examples/plots/corner.ts [--out <folder>] [--n <samples>]
//
// The contours enclose 11.8 %, 39.3 %, 67.5 % and 86.5 % of the samples (corner.py's levels,
// the masses of a 2-D Gaussian within 0.5σ, 1σ, 1.5σ and 2σ), and the titles give the median
// with the 16 % and 84 % quantiles.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Random } from '@parafit/core'
import { cornerSvg, PlotError, toPng } from '@parafit/plot'

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback)
}

const out = argument('--out', fileURLToPath(new URL('.', import.meta.url)))
const n = Number(argument('--n', '50000'))
if (!(Number.isInteger(n) && n > 1)) throw new Error(`--n needs an integer > 1, got ${argument('--n', '')}`)

// μ and the covariance's Cholesky factor L (Σ = L Lᵀ): σ = (1, 0.5, 2), correlations
// ρ(a, b) = 0.8, ρ(a, c) = -0.3, ρ(b, c) = 0.
const mean = [0.5, -1, 3]
const L = [
  [1, 0, 0],
  [0.4, 0.3, 0],
  [-0.6, 0.8, Math.sqrt(3)],
]
const rng = Random.fromSeed(2026)
const columns = mean.map(() => new Float64Array(n))
for (let s = 0; s < n; s++) {
  const z = [rng.normal(), rng.normal(), rng.normal()]
  for (let i = 0; i < 3; i++) {
    let v = mean[i]!
    for (let j = 0; j <= i; j++) v += L[i]![j]! * z[j]!
    columns[i]![s] = v
  }
}

mkdirSync(out, { recursive: true })
let start = performance.now()
const svg = cornerSvg(
  { names: ['a', 'b', 'c'], columns },
  { truths: mean, labels: ['a', 'b', 'c'], title: `3-D Gaussian, ${n} samples` },
)
const svgPath = join(out, 'corner.svg')
writeFileSync(svgPath, svg)
console.log(
  `${svgPath}: ${(svg.length / 1024).toFixed(0)} KiB in ${(performance.now() - start).toFixed(0)} ms`,
)

start = performance.now()
try {
  const png = await toPng(svg, { width: 1200 })
  const pngPath = join(out, 'corner.png')
  writeFileSync(pngPath, png)
  console.log(
    `${pngPath}: ${(png.length / 1024).toFixed(0)} KiB in ${(performance.now() - start).toFixed(0)} ms`,
  )
} catch (error) {
  if (!(error instanceof PlotError && error.code === 'PARAFIT_PLOT_PNG_UNAVAILABLE')) throw error
  console.log(`no PNG: ${error.message}`)
}
