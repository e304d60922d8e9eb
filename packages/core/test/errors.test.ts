import { fork } from 'node:child_process'
import { once } from 'node:events'
import { deserialize, serialize } from 'node:v8'
import { Worker } from 'node:worker_threads'
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  AbortError,
  ContextTransportError,
  deserializeError,
  EvaluationTimeoutError,
  HookError,
  isObjectiveValueError,
  MpiUnavailableError,
  ObjectiveError,
  ObjectiveLoadError,
  ObjectiveValueError,
  ParafitError,
  PoolClosedError,
  RemoteError,
  registerErrorClass,
  type SerializedError,
  serializeError,
  ValidationError,
  WorkerCrashedError,
  WorkersDisagreeError,
} from '../src/index.ts'
import { cloneableValue } from '../src/testing/index.ts'
import { RegisteredFixtureError } from './fixtures/registered-error.ts'

/** What crossing to another process does: encode, v8.serialize, v8.deserialize, decode. */
function roundTrip(error: unknown): Error {
  return deserializeError(deserialize(serialize(serializeError(error))))
}

describe('error transport', () => {
  const cases: [string, () => Error][] = [
    ['ValidationError', () => new ValidationError('bad', 'a.b')],
    [
      'ObjectiveError',
      () => new ObjectiveError('boom', { params: { x: 1 }, termPath: [2, 0], cause: new TypeError('inner') }),
    ],
    [
      'ObjectiveValueError',
      () => new ObjectiveValueError('returned NaN', { params: { x: 2 }, termPath: [1] }),
    ],
    ['HookError', () => new HookError([new Error('one'), new ValidationError('two', 'k')])],
    ['ContextTransportError', () => new ContextTransportError('meta.fn', 'function could not be cloned')],
    ['ObjectiveLoadError', () => new ObjectiveLoadError('/x/y.ts', 'the file does not exist')],
    ['WorkerCrashedError', () => new WorkerCrashedError('thread 3', 'exit code 1')],
    ['EvaluationTimeoutError', () => new EvaluationTimeoutError(250)],
    ['AbortError', () => new AbortError('stopped by user')],
    ['PoolClosedError', () => new PoolClosedError('thread pool')],
    ['WorkersDisagreeError', () => new WorkersDisagreeError('they differ', [1, 'threw: boom'])],
    ['MpiUnavailableError', () => new MpiUnavailableError('the MPI binding is not built')],
    ['ParafitError', () => new ParafitError('SOME_PACKAGE_CODE', 'a bare base error')],
    [
      'RegisteredFixtureError',
      () => new RegisteredFixtureError('step 3', Float64Array.of(1, 2.5), { cause: new AbortError() }),
    ],
  ]

  it.each(cases)('%s keeps its class, code, message, stack and fields', (name, make) => {
    const original = make()
    const copy = roundTrip(original)
    expect(copy.constructor.name).toBe(name)
    expect(copy).toBeInstanceOf(ParafitError)
    expect((copy as ParafitError).code).toBe((original as ParafitError).code)
    expect(copy.message).toBe(original.message)
    expect(copy.stack).toBe(original.stack)
    // HookError's own fields are errors, which come back as RemoteError: checked below.
    if (name !== 'HookError') {
      expect({ ...(copy as unknown as Record<string, unknown>) }).toEqual({
        ...(original as unknown as Record<string, unknown>),
      })
    }
  })

  it('keeps the term path and parameters of an ObjectiveError and its cause chain', () => {
    const copy = roundTrip(
      new ObjectiveError('boom', { params: { x: 1 }, termPath: [2, 0], cause: new TypeError('inner') }),
    ) as ObjectiveError
    expect(copy.termPath).toEqual([2, 0])
    expect(copy.params).toEqual({ x: 1 })
    expect(copy.message).toBe('term 2 > 0 failed with parameters {"x":1}: boom')
    expect(copy.cause).toBeInstanceOf(RemoteError)
    expect((copy.cause as Error).name).toBe('TypeError')
    expect((copy.cause as Error).message).toBe('inner')
    copy.prependTermIndex(4)
    expect(copy.message).toBe('term 4 > 2 > 0 failed with parameters {"x":1}: boom')
  })

  it('keeps every error of a HookError', () => {
    const copy = roundTrip(new HookError([new Error('one'), new ValidationError('two', 'k')])) as HookError
    expect(copy.errors.map((e) => (e as Error).message)).toEqual(['one', "two (at 'k')"])
    expect(copy.errors[1]).toBeInstanceOf(ValidationError)
  })

  it('turns foreign errors into RemoteError with the original name, code and stack', () => {
    const original = Object.assign(new RangeError('out of range'), { code: 'ERR_X' })
    const copy = roundTrip(original)
    expect(copy).toBeInstanceOf(RemoteError)
    expect(copy.name).toBe('RangeError')
    expect(copy.stack).toBe(original.stack)
    expect((copy as unknown as { originalCode: string }).originalCode).toBe('ERR_X')
  })

  it('describes a thrown non-Error value', () => {
    const copy = roundTrip({ reason: 'nope' })
    expect(copy.name).toBe('NonErrorThrown')
    expect(copy.message).toMatch(/non-Error value was thrown: \{"reason":"nope"\}/)
  })

  it('survives a field that cannot be cloned, keeping the others', () => {
    const error = new ObjectiveError('x', { params: { f: (() => 1) as unknown as number }, termPath: [1, 2] })
    const copy = roundTrip(error) as ObjectiveError
    expect(copy).toBeInstanceOf(ObjectiveError)
    expect(copy.termPath).toEqual([1, 2])
  })

  it('keeps a thrown value that is not an Error among the errors of a HookError', () => {
    const copy = roundTrip(new HookError(['a string', new AbortError('stop')])) as HookError
    expect(copy.errors[0]).toBe('a string')
    expect(copy.errors[1]).toBeInstanceOf(AbortError)
    expect(copy.message).toBe('2 post-evaluation hook(s) failed: a string; stop')
  })
})

describe('registerErrorClass', () => {
  it('rebuilds a registered class with its fields (typed arrays too), code and cause', () => {
    const copy = roundTrip(
      new RegisteredFixtureError('step 3', Float64Array.of(1, 2.5), { cause: new ValidationError('w', 'k') }),
    )
    expect(copy).toBeInstanceOf(RegisteredFixtureError)
    const fixture = copy as RegisteredFixtureError
    expect(fixture.code).toBe('FIXTURE_FAILED')
    expect(fixture.where).toBe('step 3')
    expect(fixture.values).toEqual(Float64Array.of(1, 2.5))
    expect(fixture.cause).toBeInstanceOf(ValidationError)
    expect((fixture.cause as ValidationError).keyPath).toBe('k')
    expect(fixture.name).toBe('RegisteredFixtureError')
  })

  it('uses the reviver given, and falls back to a RemoteError when the reviver cannot use the data', () => {
    class RevivedByHandError extends ParafitError {
      readonly #count: number
      constructor(count: number) {
        super('FIXTURE_BY_HAND', `${count} things failed`)
        this.#count = count
      }
      get count(): number {
        return this.#count
      }
      protected override fields() {
        return { count: this.#count }
      }
    }
    registerErrorClass(RevivedByHandError, ({ fields }) => {
      if (typeof fields.count !== 'number') throw new TypeError('count is not a number')
      return new RevivedByHandError(fields.count)
    })
    const copy = roundTrip(new RevivedByHandError(4))
    expect(copy).toBeInstanceOf(RevivedByHandError)
    expect((copy as RevivedByHandError).count).toBe(4)

    const damaged: SerializedError = {
      ...serializeError(new RevivedByHandError(4)),
      fields: { count: 'four' },
    }
    const fallback = deserializeError(damaged)
    expect(fallback).toBeInstanceOf(RemoteError)
    expect(fallback.name).toBe('RevivedByHandError')
    expect((fallback as unknown as { originalCode: string }).originalCode).toBe('FIXTURE_BY_HAND')
  })

  it('does not take an error named after an Object.prototype member for a registered class', () => {
    const copy = roundTrip(Object.assign(new Error('odd'), { name: 'toString' }))
    expect(copy).toBeInstanceOf(RemoteError)
    expect(copy.name).toBe('toString')
  })

  test.prop([fc.string(), fc.option(fc.string(), { nil: undefined })])(
    'a ValidationError keeps its message and key path whatever they are',
    (message, keyPath) => {
      const original = new ValidationError(message, keyPath)
      const copy = roundTrip(original) as ValidationError
      expect(copy).toBeInstanceOf(ValidationError)
      expect(copy.message).toBe(original.message)
      expect(copy.keyPath).toBe(keyPath)
    },
  )

  test.prop([cloneableValue(), fc.array(fc.nat({ max: 20 }), { maxLength: 4 }), fc.string()])(
    'an ObjectiveError keeps its parameters, term path and message whatever they are',
    (params, termPath, detail) => {
      const original = new ObjectiveError(detail, { params: params as never, termPath })
      const copy = roundTrip(original) as ObjectiveError
      expect(copy).toBeInstanceOf(ObjectiveError)
      expect(copy.params).toEqual(original.params)
      expect(copy.termPath).toEqual(termPath)
      expect(copy.message).toBe(original.message)
    },
  )
})

describe('errors thrown in a real worker', () => {
  const fixture = new URL('./fixtures/throw-across.ts', import.meta.url)

  function expectTheSameClasses(sent: SerializedError[]) {
    const [registered, validation] = sent.map(deserializeError)
    expect(registered).toBeInstanceOf(RegisteredFixtureError)
    expect((registered as RegisteredFixtureError).values).toEqual(Float64Array.of(1, 2.5))
    expect(registered!.cause).toBeInstanceOf(ValidationError)
    expect(registered!.stack).toContain('throw-across.ts')
    expect(validation).toBeInstanceOf(ValidationError)
    expect((validation as ValidationError).keyPath).toBe('height')
  }

  it('a worker thread: a registered class of another package comes back as that class', async () => {
    const worker = new Worker(fixture)
    const [sent] = (await once(worker, 'message')) as [SerializedError[]]
    await worker.terminate()
    expectTheSameClasses(sent)
  })

  it('a child process: a registered class of another package comes back as that class', async () => {
    const child = fork(fixture, { serialization: 'advanced', stdio: 'inherit' })
    const [sent] = (await once(child, 'message')) as [SerializedError[]]
    await once(child, 'exit')
    expectTheSameClasses(sent)
  })
})

describe('isObjectiveValueError', () => {
  it('is true for a bad value, here and after crossing to another process', () => {
    const bad = new ObjectiveValueError('returned NaN', { params: { a: 1 } })
    expect(isObjectiveValueError(bad)).toBe(true)
    expect(isObjectiveValueError(roundTrip(bad))).toBe(true)
  })

  it('is true for an error of that code whose class this copy does not know (a RemoteError)', () => {
    const foreign = Object.assign(new Error('NaN'), {
      name: 'OtherCopyValueError',
      code: 'PARAFIT_OBJECTIVE_VALUE',
    })
    const copy = roundTrip(foreign)
    expect(copy).toBeInstanceOf(RemoteError)
    expect(isObjectiveValueError(copy)).toBe(true)
  })

  it('is false for thrown errors, other failures and non-errors', () => {
    expect(isObjectiveValueError(new ObjectiveError('threw', { params: { a: 1 } }))).toBe(false)
    expect(isObjectiveValueError(roundTrip(new RangeError('out of range')))).toBe(false)
    expect(isObjectiveValueError(new WorkerCrashedError('thread 3', 'exit code 1'))).toBe(false)
    expect(isObjectiveValueError(undefined)).toBe(false)
    expect(isObjectiveValueError('PARAFIT_OBJECTIVE_VALUE')).toBe(false)
  })
})
