import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PlotError } from '@parafit/plot'
import { afterAll, expect, test } from 'vitest'
import { modelAndResiduals, plotsIfAsked, preparePlots } from '../src/plots.ts'

const scratch = mkdtempSync(join(tmpdir(), 'parafit-plots-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

test('the model is rebuilt from y, σ and the residuals whichever way the objective writes them', () => {
  const data = { x: [0, 1, 2], y: [1, 2, 3], sigma: [0.5, 0.5, 2] }
  // (data − model)/σ, the default: model = y − σr.
  const dataMinusModel = modelAndResiduals(data, [2, 1, -1])
  expect([...dataMinusModel.model]).toEqual([0, 1.5, 5])
  expect([...dataMinusModel.residuals]).toEqual([-1, -0.5, 2])
  // (model − data)/σ, lmfit's and scipy's: model = y + σr; the same figure.
  const modelMinusData = modelAndResiduals({ ...data, residual: 'model - data' }, [-2, -1, 1])
  expect([...modelMinusData.model]).toEqual([0, 1.5, 5])
  expect([...modelMinusData.residuals]).toEqual([-1, -0.5, 2])
})

test('a figure that cannot be drawn is reported, and the others are still written', async () => {
  let out = ''
  const dir = join(scratch, 'some')
  await preparePlots(dir)
  await plotsIfAsked(
    { plots: dir },
    () => [
      {
        name: 'broken',
        draw: () => {
          throw new PlotError('PARAFIT_PLOT_INPUT', "parameter 'c' has no dynamic range")
        },
      },
      { name: 'fine', draw: () => '<svg xmlns="http://www.w3.org/2000/svg"/>' },
    ],
    { stdout: { write: (text: string) => (out += text) } as unknown as NodeJS.WritableStream },
  )
  expect(readFileSync(join(dir, 'fine.svg'), 'utf8')).toContain('<svg')
  expect(existsSync(join(dir, 'broken.svg'))).toBe(false)
  expect(out).toMatch(/plots written to .*some: fine\.svg/)
  expect(out).toMatch(/not drawn: broken: parameter 'c' has no dynamic range/)
})
