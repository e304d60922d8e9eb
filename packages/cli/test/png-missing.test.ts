// Without @resvg/resvg-js, --png fails before the run (preparePlots), and a PNG that cannot be
// rendered is reported like a figure that cannot be drawn: the SVG figures are still written.
// The module is replaced here by one that fails to load, as a missing optional dependency does.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PlotError } from '@parafit/plot'
import { afterAll, expect, test, vi } from 'vitest'
import { reportError } from '../src/error-report.ts'
import { plotsIfAsked, preparePlots } from '../src/plots.ts'

vi.mock('@resvg/resvg-js', () => {
  throw Object.assign(new Error("Cannot find package '@resvg/resvg-js'"), { code: 'ERR_MODULE_NOT_FOUND' })
})

const scratch = mkdtempSync(join(tmpdir(), 'parafit-png-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const svg = '<svg xmlns="http://www.w3.org/2000/svg"/>'

test('--png without resvg is refused before the run, saying what to install or leave out', async () => {
  const error = await preparePlots(join(scratch, 'before'), true).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PlotError)
  expect((error as PlotError).code).toBe('PARAFIT_PLOT_PNG_UNAVAILABLE')
  expect(reportError(error)).toMatch(/npm install @resvg\/resvg-js`, or leave out --png/)
  // Without --png the folder is all it checks.
  await expect(preparePlots(join(scratch, 'svg-only'), false)).resolves.toBeUndefined()
})

test('a PNG that cannot be rendered is reported once, and every SVG is still written', async () => {
  let out = ''
  const dir = join(scratch, 'figures')
  await preparePlots(dir)
  await plotsIfAsked(
    { plots: dir, png: true },
    () => [
      { name: 'one', draw: () => svg },
      { name: 'two', draw: () => svg },
    ],
    { stdout: { write: (text: string) => (out += text) } as unknown as NodeJS.WritableStream },
  )
  expect(readFileSync(join(dir, 'one.svg'), 'utf8')).toBe(svg)
  expect(readFileSync(join(dir, 'two.svg'), 'utf8')).toBe(svg)
  expect(existsSync(join(dir, 'one.png'))).toBe(false)
  expect(out).toMatch(/plots written to .*figures: one\.svg, two\.svg\n/)
  expect(
    out.match(/not drawn: one\.png: PNG output needs the optional package @resvg\/resvg-js/g),
  ).toHaveLength(1)
  expect(out).not.toMatch(/two\.png/)
})
