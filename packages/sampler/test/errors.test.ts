// The sampler's errors keep their class and fields when they cross to another thread, process or
// rank: through serializeError/deserializeError as a pool sends them, and raised for real in a
// pool's worker.
import { deserialize, serialize } from 'node:v8'
import { deserializeError, ObjectiveError, objectiveModule, serializeError } from '@parafit/core'
import { mapWithContextSettled, type Pool, processPool, threadPool } from '@parafit/parallel'
import { afterAll, describe, expect, test } from 'vitest'
import {
  AutocorrError,
  ChainFileError,
  NestedCheckpointError,
  NestedSamplerError,
  SampleError,
  type SamplerErrorCode,
} from '../src/index.ts'

/** What crossing to another process does: encode, v8.serialize, v8.deserialize, decode. */
function roundTrip<E extends Error>(error: E): E {
  return deserializeError(deserialize(serialize(serializeError(error)))) as E
}

describe('sampler errors through serializeError', () => {
  test('each class keeps its class, code, message, cause and fields', () => {
    const summary = {
      logZ: -3.2,
      logZErr: 0.1,
      nEff: 120,
      nLike: 4000,
      stop: { kind: 'failed', reason: 'failed: cannot write the checkpoint run.h5: no space left' },
    } as unknown as NonNullable<NestedCheckpointError['summary']>
    const cases: [Error, Record<string, unknown>][] = [
      [new SampleError('step 4 failed', { cause: new RangeError('boom'), step: 4 }), { step: 4 }],
      [
        new AutocorrError('the chain is too short', Float64Array.of(12.5, 30)),
        { tau: Float64Array.of(12.5, 30) },
      ],
      [
        new NestedSamplerError('the likelihood threw', { params: { a: 1, b: { c: 2 } } }),
        { params: { a: 1, b: { c: 2 } } },
      ],
      [
        new NestedCheckpointError('/tmp/n.ckpt', 'cannot be written', { summary }),
        { path: '/tmp/n.ckpt', summary },
      ],
      [
        new ChainFileError('/tmp/c.h5', 'mismatch', 'another problem'),
        { path: '/tmp/c.h5', reason: 'mismatch' },
      ],
    ]
    const codes: SamplerErrorCode[] = []
    for (const [original, fields] of cases) {
      const copy = roundTrip(original)
      expect(copy.constructor).toBe(original.constructor)
      expect(copy.message).toBe(original.message)
      expect(copy.stack).toBe(original.stack)
      expect(copy).toMatchObject(fields)
      codes.push((copy as SampleError).code as SamplerErrorCode)
    }
    expect(roundTrip(cases[0]![0]).cause).toMatchObject({ name: 'RangeError', message: 'boom' })
    expect(codes).toEqual([
      'PARAFIT_SAMPLE_FAILED',
      'PARAFIT_AUTOCORR',
      'PARAFIT_NESTED_FAILED',
      'PARAFIT_NESTED_CHECKPOINT',
      'PARAFIT_CHAIN_FILE',
    ])
  })
})

describe.each([
  ['a thread pool', () => threadPool({ numWorkers: 1 })],
  ['a process pool', () => processPool({ numWorkers: 1 })],
])('sampler errors raised in a worker of %s', (_, makePool) => {
  let pool: Pool | undefined
  afterAll(() => pool?.close())

  test('come back as their classes, with their fields', async () => {
    pool = makePool()
    const raises = objectiveModule(new URL('./fixtures/sampler-errors.objective.ts', import.meta.url))
    const outcomes = await mapWithContextSettled(pool, raises, [{ which: 0 }, { which: 1 }])
    const [autocorr, chainFile] = outcomes.map((outcome) => {
      expect(outcome.ok).toBe(false)
      const error = (outcome as { error: Error }).error
      expect(error).toBeInstanceOf(ObjectiveError)
      return error.cause
    })
    expect(autocorr).toBeInstanceOf(AutocorrError)
    expect((autocorr as AutocorrError).tau).toBeInstanceOf(Float64Array)
    expect((autocorr as AutocorrError).tau).toHaveLength(1)
    expect(chainFile).toBeInstanceOf(ChainFileError)
    expect((chainFile as ChainFileError).reason).toBe('unreadable')
    expect((chainFile as ChainFileError).path).toBe('/nonexistent/parafit-chain.h5')
  })
})
