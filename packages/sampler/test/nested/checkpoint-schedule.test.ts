// When the nested sampler writes its checkpoint: after every `every` batches when asked, else
// once writing has taken at most WRITE_SHARE of the time since the last write.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { CheckpointSchedule, WRITE_SHARE } from '../../src/nested/checkpoint-schedule.ts'

describe('CheckpointSchedule', () => {
  test('every n batches when `every` is given, however long a write takes', () => {
    const schedule = new CheckpointSchedule(3)
    const due: boolean[] = []
    for (let batch = 0; batch < 9; batch++) {
      const now = batch * 10
      due.push(schedule.afterBatch(now))
      if (due.at(-1)) schedule.written(now, now + 1000)
    }
    expect(due).toEqual([false, false, true, false, false, true, false, false, true])
  })

  test('by default the first batch is written, then a write waits until it is under 5% of the time', () => {
    const schedule = new CheckpointSchedule(undefined)
    expect(schedule.afterBatch(0)).toBe(true)
    schedule.written(0, 50) // 50 ms: the next is due 1 s after it ended
    expect(schedule.afterBatch(500)).toBe(false)
    expect(schedule.afterBatch(1049)).toBe(false)
    expect(schedule.afterBatch(1050)).toBe(true)
    schedule.written(1050, 1051) // a cheap write: due again after 20 ms
    expect(schedule.afterBatch(1071)).toBe(true)
  })

  test.prop([
    fc.array(fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 200 })), {
      minLength: 1,
      maxLength: 200,
    }),
  ])('each write but the last took at most its share of the time until the next began', (batches) => {
    // Each batch takes `work` ms; a write takes `write` ms when it happens.
    const schedule = new CheckpointSchedule(undefined)
    const writes: { start: number; end: number }[] = []
    let now = 0
    for (const [work, write] of batches) {
      now += work
      if (!schedule.afterBatch(now)) continue
      writes.push({ start: now, end: now + write })
      now += write
      schedule.written(writes.at(-1)!.start, now)
    }
    expect(writes.length).toBeGreaterThanOrEqual(1) // the first batch is always written
    for (let k = 1; k < writes.length; k++) {
      const took = writes[k - 1]!.end - writes[k - 1]!.start
      expect(took).toBeLessThanOrEqual(WRITE_SHARE * (writes[k]!.start - writes[k - 1]!.end) + 1e-9)
    }
  })
})
