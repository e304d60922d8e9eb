import { describe, expect, test } from 'vitest'
import type { BatchPlan } from '../../src/nested/batch-plan.ts'
import { NestedState } from '../../src/nested/nested-state.ts'

const settings = { dimensions: 2, nLive: 10, nBatch: 10, nUpdate: 20, nLikeNewBound: 100, seed: 1 }

/** A state past its first bound attempt, with 50 merged points and the given counters. */
function stateWith(counters: { nUpdateIter: number; nLikeIter: number }): NestedState {
  const state = new NestedState(settings)
  const shell = state.shells[0]!
  for (let i = 0; i < 50; i++) {
    shell.points.push(Float64Array.of(i / 50, 0.5))
    shell.logL.push(-i)
    shell.blobs.push(undefined)
  }
  state.boundAttempts = 1
  state.nUpdateIter = counters.nUpdateIter
  state.nLikeIter = counters.nLikeIter
  return state
}

function pendingBatch(size: number, exploring = true): BatchPlan {
  const points = Array.from({ length: size }, () => Float64Array.of(0.5, 0.5))
  return { index: 0, shell: 0, boundCount: 1, points, transferred: [], nBound: size, exploring }
}

describe('NestedState.boundExpectedAfterPending', () => {
  test('extrapolates the points above the threshold at the rate since the last bound', () => {
    // 15 of 30 calls were above: a batch of 10 in flight should bring 5, reaching nUpdate = 20.
    const due = stateWith({ nUpdateIter: 15, nLikeIter: 30 })
    due.pending.push(pendingBatch(10))
    expect(due.boundExpectedAfterPending()).toBe(true)
    // A batch of 8 should bring 4: 19 < 20, so drawing the next batch now is right.
    const notYet = stateWith({ nUpdateIter: 15, nLikeIter: 30 })
    notYet.pending.push(pendingBatch(8))
    expect(notYet.boundExpectedAfterPending()).toBe(false)
  })

  test('the call counter is exact: a batch that reaches nLikeNewBound makes a bound due', () => {
    const state = stateWith({ nUpdateIter: 0, nLikeIter: 95 })
    state.pending.push(pendingBatch(5))
    expect(state.boundExpectedAfterPending()).toBe(true)
    const short = stateWith({ nUpdateIter: 0, nLikeIter: 94 })
    short.pending.push(pendingBatch(5))
    expect(short.boundExpectedAfterPending()).toBe(false)
  })

  test('before the first bound the counter starts at -nLive, and the rate counts from 0', () => {
    // 25 of 40 calls above: nUpdateIter = 25 - nLive = 15, the rate 25/40, so 8 calls in flight
    // should bring 5 and reach nUpdate (taking the rate as 15/40 would say 3, and no).
    const state = stateWith({ nUpdateIter: 15, nLikeIter: 40 })
    state.boundAttempts = 0
    state.pending.push(pendingBatch(8))
    expect(state.boundExpectedAfterPending()).toBe(true)
    // 10 calls, all above: nUpdateIter = 0; 10 more expected above, 10 < 20.
    const early = stateWith({ nUpdateIter: 0, nLikeIter: 10 })
    early.boundAttempts = 0
    early.pending.push(pendingBatch(10))
    expect(early.boundExpectedAfterPending()).toBe(false)
  })

  test('never while sampling, nor with no exploring batch in flight', () => {
    const idle = stateWith({ nUpdateIter: 19, nLikeIter: 20 })
    expect(idle.boundExpectedAfterPending()).toBe(false)
    const sampling = stateWith({ nUpdateIter: 19, nLikeIter: 20 })
    sampling.pending.push(pendingBatch(10, false))
    expect(sampling.boundExpectedAfterPending()).toBe(false)
    const explored = stateWith({ nUpdateIter: 19, nLikeIter: 20 })
    explored.pending.push(pendingBatch(10))
    explored.explored = true
    expect(explored.boundExpectedAfterPending()).toBe(false)
  })
})
