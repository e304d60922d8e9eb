import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { objective, objectiveModule, ValidationError } from '@parafit/core'
import { serialPool, threadPool } from '@parafit/parallel'
import { afterAll, describe, expect, test } from 'vitest'
import { CheckpointError, curveFit, FitError, Fitter, type Method } from '../src/index.ts'
import type { BowlInit, BowlParams } from './fixtures/bowl.objective.ts'

const bowlUrl = new URL('./fixtures/bowl.objective.ts', import.meta.url)
const bowl = (init: Partial<BowlInit> = {}) =>
  objectiveModule(bowlUrl, { init: { shape: 'loss', center: [1.5, -0.5], ...init } satisfies BowlInit })
const initial: BowlParams = { x: 0.2, y: { z: 0.7 } }
const bounds = { x: [-3, 3], y: { z: [-3, 3] } } as const

const scratch = mkdtempSync(join(tmpdir(), 'parafit-fitter-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('Fitter', () => {
  test.each(['lm', 'nelder-mead', 'cmaes', 'de'] as const)('%s finds the bowl minimum', async (method) => {
    const shape = method === 'lm' ? 'residuals' : 'loss'
    const fitter = new Fitter(bowl({ shape }), { initial, bounds })
    const result = await fitter.fit({ method, seed: 3 })
    expect(result.success).toBe(true)
    expect(result.stopKind).toBe('converged')
    expect(result.params.x).toBeCloseTo(1.5, 4)
    expect(result.params.y.z).toBeCloseTo(-0.5, 4)
    expect(result.loss).toBeLessThan(1e-8)
    expect(result.bestContext.meta.at).toEqual({ x: result.params.x, z: result.params.y.z })
    expect(result.history.length).toBe(result.steps)
    expect(result.history.at(-1)?.nEvals).toBe(result.nEvals)
    // The best loss never gets worse from one step to the next.
    for (let i = 1; i < result.history.length; i++) {
      expect(result.history[i]!.loss).toBeLessThanOrEqual(result.history[i - 1]!.loss)
    }
  })

  test("'auto' picks lm for residuals and reports standard errors that match curveFit's", async () => {
    const [cx, cz] = [1.5, -0.5]
    const fitter = new Fitter(bowl({ shape: 'residuals', center: [cx, cz] }), { initial })
    const result = await fitter.fit()
    expect(result.method).toBe('lm')
    // The same residuals as a curve: 3 "data points" indexed 0..2.
    const reference = await curveFit({
      model: (i: number, b) => [-(b[0]! - cx), -3 * (b[1]! - cz), -0.5 * (b[0]! - cx) * (b[1]! - cz)][i]!,
      x: [0, 1, 2],
      y: [0, 0, 0],
      initial: [initial.x, initial.y.z],
    })
    expect(result.params.x).toBeCloseTo(reference.params[0]!, 8)
    expect(Object.keys(result.stderr ?? {})).toEqual(['x', 'y.z'])
    expect(result.covariance?.length).toBe(2)
  })

  test("'auto' picks cmaes for a scalar loss", async () => {
    const result = await new Fitter(bowl(), { initial, bounds }).fit({ budget: 300 })
    expect(result.method).toBe('cmaes')
    expect(result.stderr).toBeUndefined()
  })

  test("'lm' on a scalar objective says what to do", async () => {
    const fitter = new Fitter(bowl(), { initial })
    await expect(fitter.fit({ method: 'lm' })).rejects.toThrow(/returns its residuals/)
  })

  test('an in-process objective runs on the default serial pool', async () => {
    const quadratic = objective<{ a: number }>((p) => (p.a - 2) ** 2)
    const result = await new Fitter(quadratic, { initial: { a: 0 } }).fit({ method: 'nelder-mead' })
    expect(result.params.a).toBeCloseTo(2, 5)
  })

  test('the budget is never exceeded', async () => {
    for (const method of ['lm', 'nelder-mead', 'cmaes', 'de'] as const) {
      const shape = method === 'lm' ? 'residuals' : 'loss'
      const result = await new Fitter(bowl({ shape, center: [2.5, 2.5] }), { initial, bounds }).fit({
        method,
        budget: 7,
      })
      expect(result.nEvals).toBeLessThanOrEqual(7)
      expect(result.stopKind).toBe('budget')
      if (result.nEvals > 0) expect(Number.isFinite(result.loss)).toBe(true)
      // Differential evolution's first generation is larger than the budget: the reason says so.
      else expect(result.stopReason).toMatch(/first batch of \d+ points is larger than the budget/)
    }
  })
})

describe('Fitter: bad values and failures', () => {
  test('NaN evaluations are counted and steered away from, never taken as best', async () => {
    const result = await new Fitter(bowl({ nanBelow: 1.2 }), { initial: { x: 2, y: { z: 0 } }, bounds }).fit({
      method: 'cmaes',
      seed: 5,
    })
    expect(result.nFailed).toBeGreaterThan(0)
    expect(result.params.x).toBeGreaterThanOrEqual(1.2)
    expect(result.params.x).toBeCloseTo(1.5, 3)
    expect(Number.isFinite(result.loss)).toBe(true)
  })

  test("onBadValue: 'raise' turns a NaN into a FitError that keeps the best so far", async () => {
    const fitter = new Fitter(bowl({ nanBelow: 1.2 }), { initial: { x: 2, y: { z: 0 } }, bounds })
    const error = await fitter.fit({ method: 'cmaes', seed: 5, onBadValue: 'raise' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FitError)
    const fitError = error as FitError<BowlParams>
    expect(fitError.message).toMatch(/NaN/)
    expect(fitError.message).toMatch(/onBadValue: 'worst'/)
    expect(fitError.result?.nEvals).toBeGreaterThan(0)
    expect(Number.isFinite(fitError.result?.loss)).toBe(true)
  })

  test("an objective that throws fails the fit with its error as the cause, unless onError: 'skip'", async () => {
    const fitter = new Fitter(bowl({ throwAbove: 1.0 }), { initial, bounds })
    const error = (await fitter.fit({ method: 'cmaes', seed: 2 }).catch((e: unknown) => e)) as FitError
    expect(error).toBeInstanceOf(FitError)
    expect(error.code).toBe('PARAFIT_FIT_FAILED')
    expect((error.cause as Error).message).toMatch(/beyond the model/)
    expect(error.result?.params.x).toBeLessThanOrEqual(1.0)

    const skipped = await fitter.fit({ method: 'cmaes', seed: 2, onError: 'skip' })
    expect(skipped.nFailed).toBeGreaterThan(0)
    expect(skipped.params.x).toBeLessThanOrEqual(1.0)
    expect(skipped.params.x).toBeCloseTo(1.0, 2) // the best reachable point is on the edge of the failing region
  })

  test('a worker that really exits fails the fit with WorkerCrashedError and leaves no worker behind', async () => {
    const pool = threadPool({ numWorkers: 2 })
    try {
      const fitter = new Fitter(bowl({ exitAbove: 1.0 }), { initial, bounds, pool })
      const error = (await fitter.fit({ method: 'de', seed: 1 }).catch((e: unknown) => e)) as FitError
      expect(error).toBeInstanceOf(FitError)
      expect((error.cause as Error).name).toBe('WorkerCrashedError')
      expect(error.result?.nEvals).toBeGreaterThan(0)
      // The pool replaced its worker and still works for the next fit.
      const skipped = await fitter.fit({ method: 'de', seed: 1, onError: 'skip', budget: 60 })
      expect(skipped.nFailed).toBeGreaterThan(0)
    } finally {
      await pool.close()
    }
  }, 60_000)

  test('aborting mid-fit resolves promptly with the best so far and closes the workers it made', async () => {
    const controller = new AbortController()
    const fitter = new Fitter(bowl({ spinMs: 20 }), { initial, bounds, numWorkers: 2 })
    const seen: number[] = []
    const result = await fitter.fit({
      method: 'de',
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.step)
        if (p.step === 2) controller.abort()
      },
    })
    expect(result.stopKind).toBe('aborted')
    expect(result.steps).toBe(2)
    expect(seen).toEqual([1, 2])
    expect(Number.isFinite(result.loss)).toBe(true)
  })

  test('bad options are ValidationErrors that name the option', () => {
    const make = (options: object) => () => new Fitter(bowl(), { initial, ...options })
    expect(make({ numWorkers: 0 })).toThrow(/numWorkers/)
    expect(make({ numWorkers: 2.5 })).toThrow(ValidationError)
    expect(make({ numWorkers: 2, pool: serialPool() })).toThrow(/not both/)
    expect(make({ retries: -1 })).toThrow(
      /^retries must be a whole number from 0 to 100, got -1 \(at 'retries'\)$/,
    )
    expect(make({ timeoutMs: 0 })).toThrow(/^timeoutMs must be a finite number of milliseconds > 0, got 0 /)
    expect(make({ initial: { x: 5, y: { z: 0 } }, bounds })).toThrow(/outside the bounds/)
    expect(make({ initial: { x: Number.NaN, y: { z: 0 } } })).toThrow(ValidationError)
    expect(() => new Fitter((() => 1) as never, { initial })).toThrow(/needs an objective/)
  })

  test('bad fit options are rejected before anything runs', async () => {
    const fitter = new Fitter(bowl(), { initial })
    await expect(fitter.fit({ method: 'bfgs' as Method })).rejects.toThrow(
      /method must be 'lm', 'nelder-mead', 'cmaes', 'de' or 'auto', got 'bfgs'/,
    )
    await expect(fitter.fit({ method: 'cma-es' as Method })).rejects.toThrow(/did you mean 'cmaes'\?/)
    await expect(fitter.fit({ budget: 0 })).rejects.toThrow(/budget must be a whole number ≥ 1, got 0/)
    await expect(fitter.fit({ seed: 1.5 })).rejects.toThrow(/seed must be an integer, got 1.5/)
    await expect(fitter.fit({ onError: 'ignore' as 'skip' })).rejects.toThrow(
      /onError must be 'raise' or 'skip', got 'ignore'/,
    )
    await expect(fitter.fit({ onBadValue: 'nan' as 'raise' })).rejects.toThrow(
      /onBadValue must be 'worst' or 'raise', got 'nan'/,
    )
    await expect(fitter.fit({ checkpoint: { path: 'x.ckpt', every: 0 } })).rejects.toThrow(
      /checkpoint.every must be a whole number ≥ 1, got 0/,
    )
  })
})

describe('Fitter: checkpoints', () => {
  test.each(['lm', 'nelder-mead', 'cmaes', 'de'] as const)(
    '%s: a run stopped and resumed from its checkpoint ends exactly where an uninterrupted run does',
    async (method) => {
      const shape = method === 'lm' ? 'residuals' : 'loss'
      const make = () => new Fitter(bowl({ shape, center: [0.9, 2.2] }), { initial, bounds })
      const whole = await make().fit({ method, seed: 11, budget: 120 })
      const path = join(scratch, `${method}.ckpt`)
      const budget = method === 'lm' ? 12 : 40
      const first = await make().fit({ method, seed: 11, budget, checkpoint: { path, every: 2 } })
      expect(first.stopKind).toBe('budget')
      expect(existsSync(path)).toBe(true)
      const resumed = await make().fit({ method, seed: 11, budget: 120, checkpoint: { path } })
      expect(resumed.params).toEqual(whole.params)
      expect(resumed.loss).toBe(whole.loss)
      expect(resumed.nEvals).toBe(whole.nEvals)
      expect(resumed.steps).toBe(whole.steps)
      expect(resumed.history).toEqual(whole.history)
      expect(resumed.bestContext.meta).toEqual(whole.bestContext.meta)
      // Written atomically: no temporary file is left beside it.
      expect(readdirSync(scratch).filter((f) => f.includes('.tmp'))).toEqual([])
    },
  )

  test('a checkpoint from another problem is refused with a CheckpointError that says what to do', async () => {
    const path = join(scratch, 'other.ckpt')
    await new Fitter(bowl(), { initial, bounds }).fit({ method: 'de', budget: 30, checkpoint: { path } })
    const other = new Fitter(bowl(), { initial: { x: 0, w: 1 } as never })
    const error = await other.fit({ method: 'de', checkpoint: { path } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CheckpointError)
    expect((error as Error).message).toMatch(/Delete the file/)
    await expect(
      new Fitter(bowl(), { initial, bounds }).fit({ method: 'cmaes', checkpoint: { path } }),
    ).rejects.toThrow(/method 'de'/)
    // resume: false starts over and overwrites it.
    const fresh = await new Fitter(bowl(), { initial, bounds }).fit({
      method: 'cmaes',
      budget: 30,
      checkpoint: { path, resume: false },
    })
    expect(fresh.method).toBe('cmaes')
  })

  test('a file that is not a checkpoint is refused', async () => {
    const path = join(scratch, 'garbage.ckpt')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(path, 'not a checkpoint')
    await expect(new Fitter(bowl(), { initial }).fit({ checkpoint: { path } })).rejects.toThrow(
      CheckpointError,
    )
  })
})
