// `--plots <dir>`: the figures of a run, as SVG (and PNG with --png) from @parafit/plot.
// Ensemble: the corner plot of the chain after burn-in, the walkers' traces, and τ against the
// chain's length with the N/50 line. Nested: the weighted corner plot, and log Z and the live
// set's evidence share against calls. A fit: its residuals and the best loss against evaluations.

import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { ValidationError } from '@parafit/core'
import type { FitResult } from '@parafit/fitter'
import {
  autocorrSvg,
  cornerSvg,
  lossHistorySvg,
  type NestedRunData,
  nestedRunSvg,
  residualSvg,
  toPng,
  traceSvg,
} from '@parafit/plot'
import { integratedTime } from '@parafit/sampler'

export interface Figure {
  readonly name: string
  readonly svg: string
}

/** Writes each figure as `<dir>/<name>.svg` (and `.png` with `png`); returns the paths written. */
export async function writeFigures(dir: string, figures: readonly Figure[], png: boolean): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true })
  } catch (error) {
    throw new ValidationError(
      `cannot make --plots ${dir}: ${(error as Error).message}; choose another folder`,
    )
  }
  const written: string[] = []
  for (const { name, svg } of figures) {
    const path = join(dir, `${name}.svg`)
    await writeFile(path, svg)
    written.push(path)
    if (png) {
      const pngPath = join(dir, `${name}.png`)
      await writeFile(pngPath, await toPng(svg))
      written.push(pngPath)
    }
  }
  return written
}

/** τ (the mean over parameters) at about a dozen chain lengths up to the whole chain, as emcee's monitoring tutorial plots it. */
export function tauAgainstLength(chain: readonly (readonly Float64Array[])[]): {
  n: number[]
  tau: number[]
} {
  const steps = chain.length
  const first = Math.min(steps, Math.max(20, Math.floor(steps / 50)))
  const lengths = new Set<number>()
  for (let k = 0; k <= 12; k++) lengths.add(Math.round(first * (steps / first) ** (k / 12)))
  const n: number[] = []
  const tau: number[] = []
  for (const length of [...lengths].sort((a, b) => a - b)) {
    if (length < 2) continue
    const estimate = integratedTime(chain.slice(0, length), { quiet: true })
    let sum = 0
    for (const t of estimate) sum += t
    n.push(length)
    tau.push(sum / estimate.length)
  }
  return { n, tau }
}

export function ensembleFigures(
  chain: readonly (readonly Float64Array[])[],
  discard: number,
  names: readonly string[],
): Figure[] {
  const flat: Float64Array[] = []
  for (const step of chain.slice(discard)) for (const walker of step) flat.push(walker)
  return [
    { name: 'corner', svg: cornerSvg({ names, rows: flat }, { labels: names }) },
    { name: 'trace', svg: traceSvg(chain, { labels: names }) },
    { name: 'autocorr', svg: autocorrSvg(tauAgainstLength(chain), { factor: 50 }) },
  ]
}

export function nestedFigures(
  columns: readonly Float64Array[],
  weights: Float64Array,
  names: readonly string[],
  run: NestedRunData,
): Figure[] {
  const figures: Figure[] = [
    { name: 'corner', svg: cornerSvg({ names, columns }, { weights, labels: names }) },
  ]
  if (run.calls.length > 0) figures.push({ name: 'nested-run', svg: nestedRunSvg(run) })
  return figures
}

/**
 * A fit's figures: its residuals (for a residual objective) and the best loss against
 * evaluations. With `data = { x, y, sigma? }` exported by the module, the residual figure is
 * lmfit's (data with error bars, the best fit, the residuals above), reading the objective's
 * residuals as lmfit and scipy write them, (model − data)/σ: the model is y + σ·r. Without it,
 * the residuals as the objective returns them, against their index.
 */
export function fitFigures(
  result: FitResult,
  data: { x: ArrayLike<number>; y: ArrayLike<number>; sigma?: ArrayLike<number> } | undefined,
): Figure[] {
  const figures: Figure[] = []
  const r = result.bestContext.residuals
  if (r !== undefined && r.length > 0) {
    if (data !== undefined && data.x.length === r.length && data.y.length === r.length) {
      const sigma = data.sigma
      const residuals = Float64Array.from(r, (v, i) => v * (sigma?.[i] ?? 1))
      const model = Float64Array.from(data.y, (y, i) => y + residuals[i]!)
      figures.push({
        name: 'residuals',
        svg: residualSvg({
          x: data.x,
          y: data.y,
          model,
          residuals,
          ...(sigma === undefined ? {} : { sigma }),
        }),
      })
    } else {
      const index = Float64Array.from(r, (_, i) => i)
      figures.push({
        name: 'residuals',
        svg: residualSvg(
          { x: index, y: r, model: new Float64Array(r.length), residuals: r },
          { xlabel: 'residual number (export data = { x, y, sigma } to plot the data)', ylabel: 'residual' },
        ),
      })
    }
  }
  if (result.history.length > 0) figures.push({ name: 'loss-history', svg: lossHistorySvg(result.history) })
  return figures
}

/** With --plots, the run's figures into that folder, and a line saying where. */
export async function plotsIfAsked(
  options: { plots?: string; png?: boolean },
  figures: () => Figure[],
  io: { stdout: NodeJS.WritableStream },
): Promise<void> {
  if (options.plots === undefined) return
  const written = await writeFigures(options.plots, figures(), options.png === true)
  io.stdout.write(`\n  plots written to ${options.plots}: ${written.map((p) => basename(p)).join(', ')}\n`)
}
