// The nested sampler's checkpoint under faults: a write that fails mid-run (its folder removed)
// loses nothing computed and the run continues to the uninterrupted result; a resume without a
// seed continues the saved run, with another seed is refused naming both; a damaged or crafted
// file is refused with a NestedCheckpointError, whatever is in it. A seed that is not an integer
// is written to an .h5 checkpoint (as float64) and resumes like any other.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deserialize, serialize } from 'node:v8'
import { fc, test as propertyTest } from '@fast-check/vitest'
import { afterAll, describe, expect, test } from 'vitest'
import { loadHdf5, numberAttribute } from '../../src/chain-file/hdf5.ts'
import {
  NestedCheckpointError,
  NestedSampler,
  type NestedSamplerOptions,
  Prior,
  uniform,
} from '../../src/index.ts'

const scratch = mkdtempSync(join(tmpdir(), 'parafit-nested-checkpoint-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const prior = new Prior({ a: uniform(0, 1), b: uniform(0, 1) })
const logLikelihood = (p: { a: number; b: number }) =>
  -0.5 * (((p.a - 0.4) / 0.1) ** 2 + ((p.b - 0.6) / 0.15) ** 2)
const runTo = { nEff: 400 } as const

/** Options over the test's defaults; one given as undefined removes the default (seed: undefined). */
type Overrides = { [K in keyof NestedSamplerOptions]?: NestedSamplerOptions[K] | undefined }

function sampler(options: Overrides = {}): NestedSampler {
  return new NestedSampler({ prior, logLikelihood, nLive: 100, nNetworks: 0, seed: 3, ...options } as never)
}

function fingerprint(s: NestedSampler) {
  const p = s.posterior()
  return { logW: [...p.logWeights], logL: [...p.logLikelihoods], points: p.unitPoints.map((u) => [...u]) }
}

/** What the promise rejects with; its resolving fails the test. */
const rejection = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => expect.unreachable('the promise resolved'),
    (error: Error) => error,
  )

describe('a checkpoint that cannot be written', () => {
  test.each(['run.ckpt', 'run.h5'])(
    '%s: the error carries the summary so far, and the run continues to the uninterrupted result',
    async (name) => {
      const whole = sampler()
      const summary = await whole.run(runTo)
      const dir = join(scratch, `vanish-${name}`)
      mkdirSync(dir)
      // A write after every batch: the failure comes mid-run, not at the end.
      const s = sampler({ checkpoint: { path: join(dir, name), every: 1 } })
      let calls = 0
      const error = await rejection(
        s.run({
          ...runTo,
          onProgress: (p) => {
            calls = p.nLike
            if (p.nLike >= 600) rmSync(dir, { recursive: true, force: true })
          },
        }),
      )
      expect(error).toBeInstanceOf(NestedCheckpointError)
      expect(error.message).toMatch(
        /cannot write the checkpoint .*The run stopped after \d+ likelihood calls/,
      )
      const kept = (error as NestedCheckpointError).summary!
      expect(kept.stop.kind).toBe('failed')
      expect(kept.stop.reason).toMatch(/^failed: cannot write the checkpoint /)
      expect(kept.nLike).toBe(calls)
      expect(Number.isFinite(kept.logZ)).toBe(true)
      // Nothing is lost: the samples so far are there, and the run goes on once the disk is back.
      expect(s.posterior().unitPoints.length).toBe(calls)
      mkdirSync(dir)
      const done = await s.run(runTo)
      expect({ ...done, seconds: 0 }).toEqual({ ...summary, seconds: 0 })
      expect(fingerprint(s)).toEqual(fingerprint(whole))
    },
  )
})

describe('resuming and the seed', () => {
  test('without a seed, the saved run continues with its own; another seed is refused, naming both', async () => {
    const path = join(scratch, 'unseeded.ckpt')
    const first = sampler({ seed: undefined, checkpoint: { path } })
    await first.run({ ...runTo, nLikeMax: 500 })
    const resumed = sampler({ seed: undefined, checkpoint: { path } })
    const done = await resumed.run(runTo)
    expect(resumed.resumed).toBe(true)
    expect(resumed.seed).toBe(first.seed)
    expect(done.stop.kind).toBe('converged')
    // The same run as one that was given the saved seed from the start.
    const whole = sampler({ seed: first.seed })
    await whole.run(runTo)
    expect(fingerprint(resumed)).toEqual(fingerprint(whole))

    const other = first.seed === 1 ? 2 : 1
    const error = await rejection(sampler({ seed: other, checkpoint: { path } }).run(runTo))
    expect(error).toBeInstanceOf(NestedCheckpointError)
    expect(error.message).toContain(
      `written by a run with seed ${first.seed}, but this sampler has seed ${other}`,
    )
    expect(error.message).toMatch(/pass seed \d+ \(or none\) to continue it/)
  })

  test.each([1.5, 7])(
    'seed %s: an .h5 checkpoint is written at every batch, records the seed and resumes the run',
    async (seed) => {
      const path = join(scratch, `seed-${seed}.h5`)
      const first = sampler({ seed, checkpoint: { path } })
      const partial = await first.run({ ...runTo, nLikeMax: 500 })
      expect(partial.stop.kind).toBe('budget')
      const h5wasm = await loadHdf5()
      const file = new h5wasm.File(path, 'r')
      try {
        expect(numberAttribute(file, 'seed')).toBe(seed)
        expect(numberAttribute(file, 'n_like')).toBe(partial.nLike)
      } finally {
        file.close()
      }
      const resumed = sampler({ seed: undefined, checkpoint: { path } })
      await resumed.run(runTo)
      expect(resumed.resumed).toBe(true)
      expect(resumed.seed).toBe(seed)
      const whole = sampler({ seed })
      await whole.run(runTo)
      expect(fingerprint(resumed)).toEqual(fingerprint(whole))
    },
  )
})

describe('a damaged or crafted checkpoint', () => {
  const path = join(scratch, 'crafted.ckpt')
  test('the header alone is refused, naming what is missing', async () => {
    writeFileSync(path, serialize({ format: 'parafit-nested-checkpoint', version: 1 }))
    const error = await rejection(sampler({ checkpoint: { path } }).run(runTo))
    expect(error).toBeInstanceOf(NestedCheckpointError)
    expect(error.message).toMatch(/is not a valid nested sampler checkpoint: its settings are missing/)
  })

  let valid: Record<string, unknown> | undefined
  const fields = [
    'settings',
    'prior',
    'networks',
    'seconds',
    'shells',
    'bounds',
    'transferPool',
    'pending',
    'counters',
  ]
  // Any field (or a part of the settings, counters, first shell or first bound) replaced by any
  // value, or left out: refused with a NestedCheckpointError, or resumed; never a TypeError.
  propertyTest.prop(
    [
      fc.constantFrom(...fields),
      fc.option(
        fc.constantFrom('dimensions', 'seed', 'nLike', 'explored', 'points', 'logL', 'kind', 'chunks', '0'),
      ),
      fc.oneof(
        fc.constant(undefined),
        fc.anything({ withTypedArray: true, withMap: true }),
        fc.float64Array({ maxLength: 3 }),
      ),
    ],
    { numRuns: 60, seed: 20261130 },
  )(
    'any part replaced or left out: refused with a NestedCheckpointError or resumed',
    async (field, part, value) => {
      if (valid === undefined) {
        const source = join(scratch, 'valid.ckpt')
        await sampler({ checkpoint: { path: source } }).run({ ...runTo, nLikeMax: 700 })
        valid = deserialize(readFileSync(source)) as Record<string, unknown>
      }
      const crafted = structuredClone(valid)
      let holder = crafted as Record<string, unknown>
      if (part !== null) {
        const inner = crafted[field]
        const target = Array.isArray(inner) ? inner[0] : inner
        if (typeof target === 'object' && target !== null) holder = target as Record<string, unknown>
      }
      const key = part !== null && holder !== crafted ? part : field
      if (value === undefined) delete holder[key]
      else holder[key] = value
      writeFileSync(path, serialize(crafted))
      const outcome = await sampler({ checkpoint: { path } })
        .run({ ...runTo, nLikeMax: 900 })
        .then(
          () => 'resumed',
          (error: unknown) => error,
        )
      if (outcome !== 'resumed') expect(outcome).toBeInstanceOf(NestedCheckpointError)
    },
  )
})
