// A fit that ends before method 'auto' has chosen names no method it did not run (fault probe P7).
import { objectiveModule } from '@parafit/core'
import { describe, expect, test } from 'vitest'
import { FitError, Fitter } from '../src/index.ts'
import type { BowlInit } from './fixtures/bowl.objective.ts'

const bowlUrl = new URL('./fixtures/bowl.objective.ts', import.meta.url)
const bowl = (init: Partial<BowlInit> = {}) =>
  objectiveModule(bowlUrl, { init: { shape: 'residuals', center: [1.5, -0.5], ...init } satisfies BowlInit })
const initial = { x: 0.2, y: { z: 0.7 } }

describe("method 'auto' before it has chosen", () => {
  test("an objective that throws at the start point: the FitError's result says 'auto', not 'lm'", async () => {
    const error = await new Fitter(bowl({ throwAbove: 0 }), { initial, checkWorkers: false })
      .fit()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FitError)
    expect((error as FitError).result?.method).toBe('auto')
    expect((error as FitError).result?.nEvals).toBe(1)
  })

  test("aborted before the first step: 'auto'; a method given is named as given", async () => {
    const signal = AbortSignal.abort()
    const auto = await new Fitter(bowl(), { initial }).fit({ signal })
    expect(auto.stopKind).toBe('aborted')
    expect(auto.method).toBe('auto')
    const given = await new Fitter(bowl({ shape: 'loss' }), { initial }).fit({
      method: 'nelder-mead',
      signal,
    })
    expect(given.method).toBe('nelder-mead')
  })

  test("once it has chosen, the result names the method: 'lm' for residuals", async () => {
    const result = await new Fitter(bowl(), { initial }).fit()
    expect(result.method).toBe('lm')
  })
})
