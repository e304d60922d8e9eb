// A PlotError raised where the plot is drawn (a worker, another process) comes back as a
// PlotError with its code, through serializeError/deserializeError as a pool sends it.
import { deserialize, serialize } from 'node:v8'
import { deserializeError, serializeError } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { density2d, PlotError, type PlotErrorCode } from '../src/index.ts'

describe('PlotError through serializeError', () => {
  test('keeps its class, code, message and stack', () => {
    let raised: unknown
    try {
      density2d([], [])
    } catch (error) {
      raised = error
    }
    const missingPng = new PlotError('PARAFIT_PLOT_PNG_UNAVAILABLE', 'install @resvg/resvg-js')
    const codes: PlotErrorCode[] = []
    for (const original of [raised as PlotError, missingPng]) {
      const copy = deserializeError(deserialize(serialize(serializeError(original))))
      expect(copy).toBeInstanceOf(PlotError)
      expect(copy.message).toBe(original.message)
      expect(copy.stack).toBe(original.stack)
      codes.push((copy as PlotError).code)
    }
    expect(codes).toEqual(['PARAFIT_PLOT_INPUT', 'PARAFIT_PLOT_PNG_UNAVAILABLE'])
  })
})
