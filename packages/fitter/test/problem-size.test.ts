// Fault probe F10: a problem too large for a method, or a budget smaller than its first batch, is
// refused before the optimizer builds anything (DE with 10,000 parameters used to build a
// population of 10⁹ numbers, 16 GB and four minutes, before refusing a budget of 50).
import { objective, ValidationError } from '@parafit/core'
import { serialPool } from '@parafit/parallel'
import { describe, expect, it } from 'vitest'
import { Fitter } from '../src/index.ts'

const n = 10_000
const initial = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 0]))
let evaluations = 0
const wide = objective((p: Record<string, number>) => {
  evaluations++
  let s = 0
  for (const v of Object.values(p)) s += (v - 1) ** 2
  return s
})

describe('sizes checked before anything is allocated (F10)', () => {
  it('DE with 10,000 parameters and its default population: a ValidationError naming popSize', async () => {
    const fitter = new Fitter(wide, { initial, pool: serialPool(), checkWorkers: false })
    const before = process.memoryUsage().rss
    const error = await fitter.fit({ method: 'de', budget: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).message).toMatch(/popSize to at most 5000/)
    // Nothing the size of a population was built (10⁹ numbers would be 8 GB).
    expect(process.memoryUsage().rss - before).toBeLessThan(500 * 2 ** 20)
    expect(evaluations).toBe(0)
  })

  it('a population that fits but a budget below it: stopped at once, nothing evaluated', async () => {
    const fitter = new Fitter(wide, { initial, pool: serialPool(), checkWorkers: false })
    const result = await fitter.fit({ method: 'de', budget: 50, methodOptions: { de: { popSize: 100 } } })
    expect(result.stopKind).toBe('budget')
    expect(result.stopReason).toMatch(/first batch of 100 points is larger than the budget of 50/)
    expect(result.nEvals).toBe(0)
    expect(evaluations).toBe(0)
  })

  it('CMA-ES above 4,000 parameters: a ValidationError that names the methods that can take it', async () => {
    const fitter = new Fitter(wide, { initial, pool: serialPool(), checkWorkers: false })
    const error = await fitter.fit({ method: 'cmaes', budget: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).message).toMatch(/at most 4000 parameters.*'lm', 'nelder-mead' or 'de'/)
    expect(evaluations).toBe(0)
  })
})
