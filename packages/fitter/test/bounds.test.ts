// Reflection into the box: whatever the point, the mirror image is inside, to the last ulp (the
// optimizer contract's bound-face property found Nelder-Mead asking points an ulp outside).
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { reflect } from '../src/bounds.ts'

describe('reflect', () => {
  const box = fc
    .tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-6, max: 1e3, noNaN: true }))
    .map(([lower, width]) => ({ lower, upper: lower + width }))

  test.prop([box, fc.double({ min: -1e4, max: 1e4, noNaN: true })], { numRuns: 2000 })(
    'the image of any point lies in [lower, upper]',
    ({ lower, upper }, x) => {
      const y = reflect(x, lower, upper)
      expect(y >= lower && y <= upper).toBe(true)
    },
  )

  test.prop([box, fc.integer({ min: 1, max: 64 })], { numRuns: 2000 })(
    'points a few ulps below the lower bound or above the upper one land inside',
    ({ lower, upper }, ulps) => {
      const below = lower - ulps * Number.EPSILON * Math.max(1, Math.abs(lower))
      const above = upper + ulps * Number.EPSILON * Math.max(1, Math.abs(upper))
      for (const x of [below, above]) {
        const y = reflect(x, lower, upper)
        expect(y >= lower && y <= upper).toBe(true)
      }
    },
  )

  it('keeps points inside, mirrors one-sided bounds and pins a zero-width box', () => {
    expect(reflect(0.3, 0, 1)).toBe(0.3)
    expect(reflect(-0.25, 0, 1)).toBe(0.25)
    expect(reflect(1.5, 0, 1)).toBe(0.5)
    expect(reflect(-2, 1, Infinity)).toBe(4)
    expect(reflect(5, -Infinity, 3)).toBe(1)
    expect(reflect(7, 2, 2)).toBe(2)
  })
})
