// Checkpoints under faults: a write that fails (the folder removed under a running fit) keeps
// the best result in the FitError; a resume with another seed is refused; a damaged or crafted
// file is refused with a CheckpointError, whatever is in it.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import { fc, test as propertyTest } from '@fast-check/vitest'
import { objective } from '@parafit/core'
import { afterAll, describe, expect, test } from 'vitest'
import { CheckpointError, FitError, Fitter, type Method } from '../src/index.ts'

const scratch = mkdtempSync(join(tmpdir(), 'parafit-checkpoint-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const bowl = objective((p: { a: number; b: number }, ctx) => {
  ctx.meta.at = [p.a, p.b]
  return (p.a - 1.5) ** 2 + 3 * (p.b + 0.5) ** 2 + Math.sin(4 * p.a) ** 2
})
const make = () => new Fitter(bowl, { initial: { a: 0.2, b: 0.7 }, bounds: { a: [-3, 3], b: [-3, 3] } })

/** A folder that a test can remove under a running fit. */
function folder(name: string): string {
  const path = join(scratch, name)
  mkdirSync(path, { recursive: true })
  return path
}

/** What the promise rejects with; its resolving fails the test. */
const rejection = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.unreachable('the promise resolved'),
    (error: Error) => error,
  )

describe('a checkpoint that cannot be written', () => {
  test.each(['nelder-mead', 'cmaes', 'de'] as const)(
    '%s: mid-fit, the FitError keeps the best result so far and says why the file could not be written',
    async (method: Method) => {
      const dir = folder(`vanish-${method}`)
      const path = join(dir, 'run.ckpt')
      let seen = { step: 0, best: Number.NaN, nEvals: 0 }
      const error = await rejection(
        make().fit({
          method,
          seed: 5,
          budget: 2000,
          checkpoint: { path },
          onProgress: (p) => {
            seen = { step: p.step, best: p.best, nEvals: p.nEvals }
            if (p.step === 6) rmSync(dir, { recursive: true })
          },
        }),
      )
      expect(error).toBeInstanceOf(FitError)
      expect(error.cause).toBeInstanceOf(CheckpointError)
      expect(error.message).toMatch(/the checkpoint could not be written at step 7, so the fit stopped there/)
      expect(error.message).toMatch(/ENOENT/)
      expect(error.message).toMatch(/up to step 6/)
      const result = (error as FitError).result!
      expect(result.stopKind).toBe('failed')
      expect(result.steps).toBe(7)
      expect(result.nEvals).toBeGreaterThan(seen.nEvals)
      expect(result.loss).toBeLessThanOrEqual(seen.best)
      expect(result.bestContext.meta.at).toEqual([result.params.a, result.params.b])
    },
  )

  test('at the end of the fit, the FitError carries the whole result', async () => {
    const dir = folder('vanish-at-end')
    const path = join(dir, 'run.ckpt')
    const whole = await make().fit({ method: 'cmaes', seed: 5, budget: 300 })
    const error = await rejection(
      make().fit({
        method: 'cmaes',
        seed: 5,
        budget: 300,
        // No write is due before the end; the folder goes while the fit runs.
        checkpoint: { path, every: 10_000 },
        onProgress: (p) => {
          if (p.step === 3) rmSync(dir, { recursive: true })
        },
      }),
    )
    expect(error).toBeInstanceOf(FitError)
    expect(error.message).toMatch(/the checkpoint could not be written when the fit ended/)
    expect(error.message).toMatch(/the file holds no step of this run/)
    const result = (error as FitError).result!
    expect(result.stopKind).toBe(whole.stopKind)
    expect(result.params).toEqual(whole.params)
    expect(result.nEvals).toBe(whole.nEvals)
    expect(result.history).toEqual(whole.history)
  })

  test("a CheckpointError from the caller's onProgress, in a fit without a checkpoint, is a FitError with the result so far", async () => {
    const error = await rejection(
      make().fit({
        method: 'nelder-mead',
        onProgress: (p) => {
          if (p.step === 3)
            throw new CheckpointError('/elsewhere/own.ckpt', "the caller's own checkpoint failed")
        },
      }),
    )
    expect(error).toBeInstanceOf(FitError)
    expect(error.cause).toBeInstanceOf(CheckpointError)
    expect((error as FitError).result?.steps).toBe(3)
  })
})

describe('resuming with another seed', () => {
  test('is refused with a CheckpointError naming both seeds; no seed, or the same one, continues', async () => {
    const path = join(scratch, 'seeded.ckpt')
    const whole = await make().fit({ method: 'cmaes', seed: 3, budget: 400 })
    await make().fit({ method: 'cmaes', seed: 3, budget: 150, checkpoint: { path } })
    const error = await rejection(make().fit({ method: 'cmaes', seed: 4, budget: 400, checkpoint: { path } }))
    expect(error).toBeInstanceOf(CheckpointError)
    expect(error.message).toMatch(/written by a run with seed 3, but this fit asks for seed 4/)
    expect(error.message).toMatch(/pass seed 3 \(or none\) to continue it/)
    const bytes = readFileSync(path)
    const continued = await make().fit({ method: 'cmaes', budget: 400, checkpoint: { path } })
    expect(continued.params).toEqual(whole.params)
    expect(continued.nEvals).toBe(whole.nEvals)
    writeFileSync(path, bytes)
    const same = await make().fit({ method: 'cmaes', seed: 3, budget: 400, checkpoint: { path } })
    expect(same.history).toEqual(whole.history)
  })
})

describe('a damaged or crafted checkpoint', () => {
  const path = join(scratch, 'crafted.ckpt')
  let valid: Record<string, unknown>
  test('the header alone is refused, naming what is missing', async () => {
    writeFileSync(path, serialize({ format: 'parafit-checkpoint', version: 1 }))
    for (const method of ['auto', 'cmaes'] as const) {
      const error = await rejection(make().fit({ method, checkpoint: { path } }))
      expect(error).toBeInstanceOf(CheckpointError)
      expect(error.message).toMatch(/is not a valid parafit checkpoint: it names no method/)
    }
  })

  test('the bounds that differ are named', async () => {
    const saved = join(scratch, 'bounds.ckpt')
    await make().fit({ method: 'de', budget: 100, checkpoint: { path: saved } })
    const other = new Fitter(bowl, { initial: { a: 0.2, b: 0.7 }, bounds: { a: [-3, 3], b: [-2, 3] } })
    const error = await rejection(other.fit({ method: 'de', checkpoint: { path: saved } }))
    expect(error.message).toMatch(/written for bounds b \[-3, 3\], but this fit has b \[-2, 3\]/)
  })

  // Any field replaced by any value, or left out: the resume either runs (a value that is still
  // valid) or is refused with a CheckpointError; never a TypeError from deep in the run.
  const fields = [
    'method',
    'keys',
    'lower',
    'upper',
    'seed',
    'optimizer',
    'step',
    'nEvals',
    'nFailed',
    'seconds',
    'history',
    'best',
  ]
  propertyTest.prop(
    [
      fc.constantFrom(...fields),
      fc.oneof(
        fc.constant(undefined),
        fc.anything({ withTypedArray: true, withNullPrototype: true, withMap: true }),
        fc.float64Array({ maxLength: 3 }),
        fc.array(fc.record({ step: fc.nat(), loss: fc.double(), nEvals: fc.nat() }), { maxLength: 3 }),
      ),
    ],
    { numRuns: 150, seed: 20261130 },
  )('any field replaced or left out: refused with a CheckpointError or resumed', async (field, value) => {
    if (valid === undefined) {
      const source = join(scratch, 'valid.ckpt')
      await make().fit({ method: 'cmaes', seed: 2, budget: 60, checkpoint: { path: source } })
      valid = deserialize(readFileSync(source)) as Record<string, unknown>
    }
    const crafted = { ...valid, [field]: value }
    if (value === undefined) delete crafted[field]
    writeFileSync(path, serialize(crafted))
    const outcome = await make()
      .fit({ method: 'auto', budget: 120, checkpoint: { path } })
      .then(
        () => 'resumed',
        (error: unknown) => error,
      )
    if (outcome !== 'resumed') expect(outcome).toBeInstanceOf(CheckpointError)
  })
})

describe('a checkpoint is checked whole before the pool starts', () => {
  test('a damaged optimizer state is a CheckpointError with nothing evaluated', async () => {
    const path = join(folder('damaged-state'), 'run.ckpt')
    await make().fit({ method: 'cmaes', seed: 3, budget: 60, checkpoint: { path } })
    const data = deserialize(readFileSync(path)) as Record<string, unknown>
    ;(data['optimizer'] as Record<string, unknown>)['mean'] = [1, 2, 3, 4, 5]
    writeFileSync(path, serialize(data))
    let evaluations = 0
    const counted = objective((p: { a: number; b: number }) => {
      evaluations++
      return (p.a - 1.5) ** 2 + (p.b + 0.5) ** 2
    })
    const fitter = new Fitter(counted, { initial: { a: 0.2, b: 0.7 }, bounds: { a: [-3, 3], b: [-3, 3] } })
    const error = await rejection(fitter.fit({ method: 'cmaes', seed: 3, checkpoint: { path } }))
    expect(error).toBeInstanceOf(CheckpointError)
    expect(error.message).toMatch(/'mean' has length 5, expected 2/)
    expect(evaluations).toBe(0)
  })

  test("checkpoint.path and checkpoint.resume are checked: resume: 'false' is refused, not taken as true", async () => {
    const path = join(folder('resume-text'), 'run.ckpt')
    await expect(make().fit({ checkpoint: { path, resume: 'false' as never } })).rejects.toThrow(
      /checkpoint\.resume must be true or false, got 'false'/,
    )
    await expect(make().fit({ checkpoint: { path: 42 as never } })).rejects.toThrow(
      /checkpoint\.path must be the path of a file, got 42/,
    )
  })
})
