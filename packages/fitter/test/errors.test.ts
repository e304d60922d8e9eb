// The fitter's errors keep their class and fields when they cross to another thread, process or
// rank: through serializeError/deserializeError as a pool sends them, and raised for real in a
// pool's worker (a curveFit or a Fitter run inside a task).
import { deserialize, serialize } from 'node:v8'
import {
  deserializeError,
  EvaluateContext,
  ObjectiveError,
  objectiveModule,
  ParafitError,
  serializeError,
} from '@parafit/core'
import { mapWithContextSettled, type Pool, processPool, threadPool } from '@parafit/parallel'
import { afterAll, describe, expect, test } from 'vitest'
import {
  CheckpointError,
  CurveFitError,
  curveFit,
  FitError,
  type FitterErrorCode,
  OptimizerStateError,
} from '../src/index.ts'

/** What crossing to another process does: encode, v8.serialize, v8.deserialize, decode. */
function roundTrip<E extends Error>(error: E): E {
  return deserializeError(deserialize(serialize(serializeError(error)))) as E
}

async function curveFitError(): Promise<CurveFitError> {
  const model = (x: number, b: Float64Array) => {
    if (x > 3) throw new RangeError('past the range')
    return b[0]! * x
  }
  return (await curveFit({ model, x: [1, 2, 3, 4], y: [2, 4, 6, 8], initial: [1] }).catch(
    (e: unknown) => e,
  )) as CurveFitError
}

describe('fitter errors through serializeError', () => {
  test('each class keeps its class, code, message and fields', async () => {
    const codes: FitterErrorCode[] = []
    const checkpoint = roundTrip(new CheckpointError('/tmp/run.ckpt', 'it is not a checkpoint'))
    expect(checkpoint).toBeInstanceOf(CheckpointError)
    expect(checkpoint.path).toBe('/tmp/run.ckpt')
    codes.push(checkpoint.code)

    const state = roundTrip(new OptimizerStateError('not a saved CMA-ES state'))
    expect(state).toBeInstanceOf(OptimizerStateError)
    expect(state.message).toBe('not a saved CMA-ES state')
    codes.push(state.code)

    const original = await curveFitError()
    const curve = roundTrip(original)
    expect(curve).toBeInstanceOf(CurveFitError)
    expect(curve).toBeInstanceOf(FitError)
    expect(curve.message).toBe(original.message)
    expect(curve.point).toBe(3)
    expect(curve.params).toEqual(original.params)
    expect(curve.fit).toEqual(original.fit)
    expect((curve.cause as Error).message).toBe('past the range')
    codes.push(curve.code)

    expect(codes).toEqual(['PARAFIT_CHECKPOINT', 'PARAFIT_OPTIMIZER_STATE', 'PARAFIT_FIT_FAILED'])
  })

  test("a FitError keeps its best result, with the best evaluation's context", () => {
    const bestContext = new EvaluateContext()
    bestContext.applyResultState({
      parameters: { x: 1 },
      loss: 4,
      quantities: undefined,
      meta: { at: 1 },
      residuals: Float64Array.of(2),
    })
    const result = {
      params: { x: 1 },
      loss: 4,
      method: 'nelder-mead' as const,
      nEvals: 7,
      nFailed: 1,
      bestContext,
      history: [{ step: 1, loss: 4, nEvals: 7 }],
      steps: 1,
      seconds: 0.01,
      stopKind: 'failed' as const,
      stopReason: 'the objective threw',
      success: false,
      atBound: [],
      keys: ['x'],
    }
    const copy = roundTrip(new FitError('the fit failed at step 2', { cause: new RangeError('x'), result }))
    expect(copy).toBeInstanceOf(FitError)
    expect(copy.result).toEqual(result)
    expect(copy.result!.bestContext).toBeInstanceOf(EvaluateContext)
    expect(copy.result!.bestContext.residuals).toEqual(Float64Array.of(2))
    expect(
      roundTrip(new FitError('no result', { cause: undefined, result: undefined })).result,
    ).toBeUndefined()
  })
})

describe.each([
  ['a thread pool', () => threadPool({ numWorkers: 1 })],
  ['a process pool', () => processPool({ numWorkers: 1 })],
])('fitter errors raised in a worker of %s', (_, makePool) => {
  let pool: Pool | undefined
  afterAll(() => pool?.close())

  test('come back as their classes, with their fields', async () => {
    pool = makePool()
    const fits = objectiveModule(new URL('./fixtures/fit-in-worker.objective.ts', import.meta.url))
    const [curve, fit] = await mapWithContextSettled(pool, fits, [{ which: 0 }, { which: 1 }])
    for (const outcome of [curve, fit]) {
      expect(outcome!.ok).toBe(false)
      expect(outcome!.ok ? undefined : outcome!.error).toBeInstanceOf(ObjectiveError)
    }
    const curveError = (curve as { error: Error }).error.cause as CurveFitError
    expect(curveError).toBeInstanceOf(CurveFitError)
    expect(curveError.point).toBe(3)
    expect(curveError.params).toBeInstanceOf(Float64Array)
    expect(curveError.fit.nfev).toBe(0)
    expect(curveError.stack).toContain('curve-fit.ts')

    const fitError = (fit as { error: Error }).error.cause as FitError<{ x: number }>
    expect(fitError).toBeInstanceOf(FitError)
    expect(fitError).toBeInstanceOf(ParafitError)
    const best = fitError.result!
    expect(best.nEvals).toBeGreaterThan(1)
    expect(best.params.x).toBeLessThanOrEqual(1)
    expect(best.bestContext).toBeInstanceOf(EvaluateContext)
    expect(best.bestContext.meta.at).toBe(best.params.x)
  })
})
