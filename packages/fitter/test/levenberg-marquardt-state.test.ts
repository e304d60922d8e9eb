// Levenberg-Marquardt's saved state read back: what the optimizer contract test's damaged-state
// property needs, pinned down by hand for the cases it found or that matter most.
import { describe, expect, test } from 'vitest'
import { LevenbergMarquardt, type OptimizerState, OptimizerStateError, type Told } from '../src/index.ts'

const problem = () => ({
  x0: Float64Array.of(1, 1),
  lower: Float64Array.of(-10, -10),
  upper: Float64Array.of(10, 10),
})
const t = [0, 0.5, 1, 1.5, 2, 2.5, 3]
const f = (b: Float64Array): Told => {
  const residuals = Float64Array.from(t, (ti) => b[0]! * Math.exp(-b[1]! * ti) - 2 * Math.exp(-0.7 * ti))
  return { loss: residuals.reduce((s, r) => s + r * r, 0), residuals }
}
const throughJson = (state: OptimizerState): Record<string, unknown> => JSON.parse(JSON.stringify(state))

function asked(lm: LevenbergMarquardt): number[][] {
  const out: number[][] = []
  while (lm.stop === undefined) {
    const points = lm.ask()
    out.push(...points.map((p) => Array.from(p)))
    lm.tell(points.map(f))
  }
  return out
}

describe('a saved Levenberg-Marquardt state', () => {
  test('saved before its first tell, when no scale is set yet, continues exactly (property seed -532270668)', () => {
    const original = new LevenbergMarquardt(problem())
    original.ask()
    const copy = LevenbergMarquardt.restore(problem(), throughJson(original.saveState()))
    expect(asked(copy)).toEqual(asked(original))
    expect(copy.stop).toEqual(original.stop)
  })

  test('a scale of zero once the scales are set, or options out of range, are OptimizerStateErrors naming the field', () => {
    const lm = new LevenbergMarquardt(problem())
    lm.tell(lm.ask().map(f))
    const zeroScale = throughJson(lm.saveState())
    ;(zeroScale['d'] as number[])[1] = 0
    expect(() => LevenbergMarquardt.restore(problem(), zeroScale)).toThrow(OptimizerStateError)
    expect(() => LevenbergMarquardt.restore(problem(), zeroScale)).toThrow(
      /'d' holds a scale that is not positive/,
    )
    const badOption = throughJson(lm.saveState())
    ;(badOption['options'] as Record<string, unknown>)['relativeStep'] = -1
    expect(() => LevenbergMarquardt.restore(problem(), badOption)).toThrow(/'options'|relativeStep/)
    const outside = throughJson(lm.saveState())
    ;(outside['x'] as number[])[0] = 11
    expect(() => LevenbergMarquardt.restore(problem(), outside)).toThrow(/'x' has x\[0\] outside the bounds/)
  })

  test('a scale so small that the scaled Jacobian overflows ends the run as stalled, not with NaN points', () => {
    const lm = new LevenbergMarquardt(problem(), { prefetchJacobian: false })
    lm.tell(lm.ask().map(f))
    lm.tell(lm.ask().map(f)) // the first trial: the next ask is a Jacobian
    const state = throughJson(lm.saveState())
    ;(state['d'] as number[])[0] = 5e-324
    const restored = LevenbergMarquardt.restore(problem(), state)
    const points = asked(restored)
    expect(points.flat().every(Number.isFinite)).toBe(true)
    expect(restored.stop).toEqual({
      kind: 'stalled',
      reason: 'stalled: numerical breakdown (the Jacobian scaled by its column norms is not finite)',
    })
  })
})
