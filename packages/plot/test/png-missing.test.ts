// Without @resvg/resvg-js, toPng says what to install, as a PlotError with its own code. The
// module is replaced here by one that fails to load, as a missing optional dependency does.

import { expect, test, vi } from 'vitest'
import { PlotError, toPng } from '../src/index.ts'

vi.mock('@resvg/resvg-js', () => {
  throw Object.assign(new Error("Cannot find package '@resvg/resvg-js'"), { code: 'ERR_MODULE_NOT_FOUND' })
})

test('toPng without resvg throws PARAFIT_PLOT_PNG_UNAVAILABLE with the install command', async () => {
  const error = await toPng('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>').then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PlotError)
  expect((error as PlotError).code).toBe('PARAFIT_PLOT_PNG_UNAVAILABLE')
  expect((error as PlotError).message).toContain('npm install @resvg/resvg-js')
  expect((error as PlotError).cause).toBeDefined()
})
