// The shell bookkeeping: the live set's selection, and the evidence sums against direct formulas.

import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { effectiveSize, emptyShell, liveIndices, logEvidence, shellStats } from '../../src/nested/shells.ts'

describe('liveIndices', () => {
  test.prop([
    fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 1, max: 70 }),
  ])(
    'is the first nLive of a stable sort by likelihood, high to low (ties: earlier first)',
    (values, nLive) => {
      const logL = Float64Array.from(values)
      const sorted = [...logL.keys()].sort((a, b) => logL[b]! - logL[a]! || a - b).slice(0, nLive)
      expect([...liveIndices(logL, nLive)].sort((a, b) => a - b)).toEqual(sorted.sort((a, b) => a - b))
    },
  )
})

describe('shell statistics', () => {
  it('log Z, N_eff and shell volumes match the formulas on a hand example', () => {
    const a = emptyShell(Number.NEGATIVE_INFINITY)
    a.logL.push(Math.log(1), Math.log(3))
    a.points.push(new Float64Array(1), new Float64Array(1))
    a.blobs.push(undefined, undefined)
    a.nSample = 4
    const stats = shellStats(a, Math.log(0.5), false)
    // V = 0.5 × 2/4, mean L = 2, N_eff = (1+3)²/(1+9).
    expect(stats.logV).toBeCloseTo(Math.log(0.25), 12)
    expect(stats.logLMean).toBeCloseTo(Math.log(2), 12)
    expect(stats.nEff).toBeCloseTo(1.6, 12)
    expect(logEvidence([stats])).toBeCloseTo(Math.log(0.5), 12)
    expect(effectiveSize([stats])).toBeCloseTo(1.6, 12)
  })
})
