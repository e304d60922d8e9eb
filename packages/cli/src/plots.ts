// `--plots <dir>`: the figures of a run, as SVG (and PNG with --png) from @parafit/plot.
// Ensemble: the corner plot of the chain after burn-in, the walkers' traces, and τ against the
// chain's length with the N/50 line. Nested: the weighted corner plot, and log Z and the live
// set's evidence share against calls. A fit: its residuals and the best loss against evaluations.

import { basename, join } from 'node:path'
import { ValidationError } from '@parafit/core'
import type { FitResult } from '@parafit/fitter'
import {
  autocorrSvg,
  cornerSvg,
  lossHistorySvg,
  type NestedRunData,
  nestedRunSvg,
  PlotError,
  residualSvg,
  toPng,
  traceSvg,
} from '@parafit/plot'
import { integratedTime } from '@parafit/sampler'
import { prepareOutputPath, writeOutput } from './output-path.ts'

/** A figure to draw: its file name and how to draw it (drawn only when its turn comes). */
export interface Figure {
  readonly name: string
  readonly draw: () => string
}

/**
 * Draws and writes each figure (the folder was made before the run: preparePlots) as
 * `<dir>/<name>.svg` (and `.png` with `png`), one at a time: a figure that cannot be drawn (a
 * parameter that never moved, say) or rendered to PNG is reported and the others are still
 * written. Returns what was written and what was not, with why.
 */
async function writeFigures(
  dir: string,
  figures: readonly Figure[],
  png: boolean,
): Promise<{ written: string[]; failed: string[] }> {
  const written: string[] = []
  const failed: string[] = []
  let rendering = png
  for (const { name, draw } of figures) {
    let svg: string
    try {
      svg = draw()
    } catch (error) {
      if (!(error instanceof PlotError)) throw error
      failed.push(`${name}: ${error.message}`)
      continue
    }
    const path = join(dir, `${name}.svg`)
    await writeOutput(path, '--plots', svg)
    written.push(path)
    if (!rendering) continue
    let bytes: Uint8Array
    try {
      bytes = await toPng(svg)
    } catch (error) {
      if (!(error instanceof PlotError)) throw error
      failed.push(`${name}.png: ${error.message}`)
      // Without resvg no figure renders: said once, not once per figure.
      if (error.code === 'PARAFIT_PLOT_PNG_UNAVAILABLE') rendering = false
      continue
    }
    const pngPath = join(dir, `${name}.png`)
    await writeOutput(pngPath, '--plots', bytes)
    written.push(pngPath)
  }
  return { written, failed }
}

/** τ (the mean over parameters) at about a dozen chain lengths up to the whole chain, as emcee's monitoring tutorial plots it. */
function tauAgainstLength(chain: readonly (readonly Float64Array[])[]): {
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
    { name: 'corner', draw: () => cornerSvg({ names, rows: flat }, { labels: names }) },
    { name: 'trace', draw: () => traceSvg(chain, { labels: names }) },
    { name: 'autocorr', draw: () => autocorrSvg(tauAgainstLength(chain), { factor: 50 }) },
  ]
}

export function nestedFigures(
  columns: readonly Float64Array[],
  weights: Float64Array,
  names: readonly string[],
  run: NestedRunData,
): Figure[] {
  const figures: Figure[] = [
    { name: 'corner', draw: () => cornerSvg({ names, columns }, { weights, labels: names }) },
  ]
  if (run.calls.length > 0) figures.push({ name: 'nested-run', draw: () => nestedRunSvg(run) })
  return figures
}

/**
 * The measurements a fit module may export (`data`) for its residual figure. `residual` says
 * which way its objective's residuals go: `'data - model'` (the default, as this project's docs
 * write them) or `'model - data'` (lmfit's and scipy's way), each divided by `sigma`.
 */
export interface FitData {
  readonly x: ArrayLike<number>
  readonly y: ArrayLike<number>
  readonly sigma?: ArrayLike<number>
  readonly residual?: 'data - model' | 'model - data'
}

/**
 * The best fit at the data's x, rebuilt from y, σ and the objective's residuals, and the residuals
 * as lmfit plots them (model − data, in y's units), whichever way the objective writes them.
 */
export function modelAndResiduals(
  data: FitData,
  r: ArrayLike<number>,
): { model: Float64Array; residuals: Float64Array } {
  const toModel = data.residual === 'model - data' ? 1 : -1
  const residuals = Float64Array.from(r, (v, i) => toModel * v * (data.sigma?.[i] ?? 1))
  const model = Float64Array.from(data.y, (y, i) => y + residuals[i]!)
  return { model, residuals }
}

/**
 * A fit's figures: its residuals (for a residual objective) and the best loss against
 * evaluations. With `data` the residual figure is lmfit's (the residuals, model − data, above
 * the data with error bars and the best fit), the model rebuilt from y, σ and the residuals.
 * Without it, the residuals as the objective returns them, by number.
 */
export function fitFigures(result: FitResult, data: FitData | undefined): Figure[] {
  const figures: Figure[] = []
  const r = result.bestContext.residuals
  if (r !== undefined && r.length > 0) {
    if (data !== undefined && (data.x.length !== r.length || data.y.length !== r.length)) {
      figures.push({
        name: 'residuals',
        draw: () => {
          throw new PlotError(
            'PARAFIT_PLOT_INPUT',
            `the module's data has ${data.x.length} x and ${data.y.length} y for ${r.length} residuals; ` +
              'export data = { x, y, sigma } with one entry per residual',
          )
        },
      })
    } else if (data !== undefined) {
      const { model, residuals } = modelAndResiduals(data, r)
      const sigma = data.sigma
      figures.push({
        name: 'residuals',
        draw: () =>
          residualSvg({ x: data.x, y: data.y, model, residuals, ...(sigma === undefined ? {} : { sigma }) }),
      })
    } else {
      const index = Float64Array.from(r, (_, i) => i)
      figures.push({
        name: 'residuals',
        draw: () =>
          residualSvg(
            { x: index, y: r, model: new Float64Array(r.length), residuals: r },
            {
              xlabel: 'residual number (export data = { x, y, sigma } to plot the data and the fit)',
              ylabel: 'residual',
            },
          ),
      })
    }
  }
  if (result.history.length > 0)
    figures.push({ name: 'loss-history', draw: () => lossHistorySvg(result.history) })
  return figures
}

/** With --plots, the run's figures into that folder, and a line saying where. */
export async function plotsIfAsked(
  options: { plots?: string; png?: boolean },
  figures: () => Figure[],
  io: { stdout: NodeJS.WritableStream },
): Promise<void> {
  if (options.plots === undefined) return
  const { written, failed } = await writeFigures(options.plots, figures(), options.png === true)
  io.stdout.write(`\n  plots written to ${options.plots}: ${written.map((p) => basename(p)).join(', ')}\n`)
  for (const why of failed) io.stdout.write(`  not drawn: ${why}\n`)
}

/** A figure small enough to render in no time: the check that PNG output works. */
const TINY_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'

/**
 * Checks (and makes) the --plots folder before the run, as --out is checked: a typo fails at
 * once. So does --png without --plots, or without @resvg/resvg-js to render it.
 */
export async function preparePlots(plots: string | undefined, png = false): Promise<void> {
  if (png && plots === undefined) {
    throw new ValidationError('--png writes PNG files beside the SVG figures of --plots: add --plots <dir>')
  }
  if (plots === undefined) return
  await prepareOutputPath(join(plots, 'figure.svg'), '--plots')
  if (png) await toPng(TINY_SVG)
}
