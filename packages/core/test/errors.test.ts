import { deserialize, serialize } from 'node:v8'
import { describe, expect, it } from 'vitest'
import {
  AbortError,
  ContextTransportError,
  deserializeError,
  EvaluationTimeoutError,
  HookError,
  isObjectiveValueError,
  MpiWorkerError,
  ObjectiveError,
  ObjectiveLoadError,
  ObjectiveValueError,
  ParafitError,
  PoolClosedError,
  RemoteError,
  serializeError,
  ValidationError,
  WorkerCrashedError,
} from '../src/index.ts'

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
    ['MpiWorkerError', () => new MpiWorkerError(3, 'rank died')],
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

  it('survives fields that cannot be cloned', () => {
    const error = new ObjectiveError('x', { params: { f: (() => 1) as unknown as number } })
    expect(() => roundTrip(error)).not.toThrow()
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
