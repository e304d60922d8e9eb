// threadPool's resourceLimits: limits Node cannot honour used to end the calling process (V8's
// fatal out-of-memory, a segfault) while the worker isolate was being made (fault probe F6). They
// are refused now, with the bound and why; the smallest and largest accepted limits really run.
// Each case runs in a process of its own, so that a crash shows as a failed test, not a dead one.
import { execFile } from 'node:child_process'
import { WorkerCrashedError } from '@parafit/core'
import { describe, expect, it } from 'vitest'
import { RESOURCE_LIMITS } from '../src/options.ts'
import { WorkerPool } from '../src/scheduler/worker-pool.ts'
import { spawnThread } from '../src/thread-handle.ts'
import type { SpawnWorker } from '../src/worker-handle.ts'

const runner = new URL('./fixtures/resource-limits-runner.ts', import.meta.url).pathname

interface Outcome {
  values?: number[]
  error?: string
  keyPath?: string
  message?: string
}

/** One outcome per set of limits, from a process of its own; rejects if that process died. */
function runWith(...limits: Record<string, number>[]): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [runner, ...limits.map((l) => JSON.stringify(l))],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`the process died (${error.signal ?? `exit code ${error.code}`}):\n${stderr}`))
          return
        }
        resolve(
          stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Outcome),
        )
      },
    )
  })
}

describe('threadPool resourceLimits', () => {
  it('refuses the limits that killed the calling process, with a ValidationError giving the bound', async () => {
    const crashed: Record<string, number>[] = [
      { maxOldGenerationSizeMb: 0.001 },
      { maxOldGenerationSizeMb: 1 },
      { maxOldGenerationSizeMb: 2 },
      { stackSizeMb: 0.001 },
      { stackSizeMb: 0.2 },
      { codeRangeSizeMb: 1e8 },
      // Useless and not crashing, but below the minimum all the same.
      { maxOldGenerationSizeMb: 8 },
    ]
    const outcomes = await runWith(...crashed)
    expect(outcomes).toHaveLength(crashed.length)
    outcomes.forEach((outcome, i) => {
      const [key] = Object.keys(crashed[i]!) as (keyof typeof RESOURCE_LIMITS)[]
      expect(outcome.error).toBe('ValidationError')
      expect(outcome.keyPath).toBe(`resourceLimits.${key}`)
      const { minimum, maximum } = RESOURCE_LIMITS[key!] as { minimum?: number; maximum?: number }
      expect(outcome.message).toContain(`resourceLimits.${key} must be`)
      const range =
        minimum === undefined
          ? `in (0, ${maximum}]`
          : maximum === undefined
            ? `≥ ${minimum}`
            : `from ${minimum} to ${maximum}`
      expect(outcome.message).toContain(`a finite number of MB ${range}`)
      expect(outcome.message).toContain(`got ${crashed[i]![key!]}`)
      expect(outcome.message).toMatch(/ends the whole process/)
    })
  }, 30_000)

  it('runs with the smallest limits it accepts, and with the largest', async () => {
    const smallest = {
      maxOldGenerationSizeMb: RESOURCE_LIMITS.maxOldGenerationSizeMb.minimum,
      stackSizeMb: RESOURCE_LIMITS.stackSizeMb.minimum,
      // No bound of ours: V8 adjusts these.
      maxYoungGenerationSizeMb: 0.001,
      codeRangeSizeMb: 0.001,
    }
    const largest = {
      stackSizeMb: RESOURCE_LIMITS.stackSizeMb.maximum,
      codeRangeSizeMb: RESOURCE_LIMITS.codeRangeSizeMb.maximum,
    }
    expect(await runWith(smallest, largest)).toEqual([{ values: [4, 4] }, { values: [4, 4] }])
  }, 30_000)

  it('a worker the system cannot start: a WorkerCrashedError, and the workers already started are stopped for good', async () => {
    const spawned: number[] = []
    const stopped: number[] = []
    const gone: Promise<void>[] = []
    const spawn: SpawnWorker = (id, events, options) => {
      spawned.push(id)
      // A stack no system can map: Node cannot start the thread (EAGAIN).
      const handle = spawnThread(id, events, id === 0 ? options : { resourceLimits: { stackSizeMb: 1e9 } })!
      return {
        ...handle,
        kill: (reason) => {
          stopped.push(id)
          const killed = handle.kill(reason)
          gone.push(killed)
          return killed
        },
      }
    }
    const started = () => new WorkerPool('threads', spawn, { numWorkers: 2 })
    expect(started).toThrow(WorkerCrashedError)
    expect(started).toThrow(/it could not be started: .*EAGAIN.*; the pool cannot run/)
    expect(stopped).toEqual([0, 0])
    // Each exit was reported to the pool before its kill resolved: a worker the pool started in
    // place of a stopped one would have been spawned by now, and no one would ever stop it.
    await Promise.all(gone)
    expect(spawned).toEqual([0, 1, 0, 1])
  })
})
