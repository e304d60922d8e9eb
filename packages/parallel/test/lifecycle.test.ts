import { execFileSync, spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { mapWithContext } from '../src/index.ts'
import { alive, counting, makePool, xs } from './helpers.ts'

function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (condition()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return condition()
}

describe('worker lifetimes', () => {
  it('no worker process outlives close()', async () => {
    const pool = makePool('processes', { numWorkers: 2 })
    const results = await mapWithContext(pool, counting(), xs(20))
    const pids = [...new Set(results.map((r) => Number(String(r.context.meta.worker).split(':')[0])))]
    expect(pids).toHaveLength(2)
    expect(pids.every(alive)).toBe(true)
    await pool.close()
    expect(await until(() => !pids.some(alive), 1000)).toBe(true)
  })

  it('Ctrl-C (SIGINT) to the parent stops its hung worker processes within a second', async () => {
    const runner = spawn(
      process.execPath,
      [new URL('./fixtures/sigint-runner.ts', import.meta.url).pathname],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    await new Promise<void>((resolve) =>
      runner.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    )
    const workers = childPids(runner.pid!)
    expect(workers).toHaveLength(2)
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      runner.once('exit', (_code, signal) => resolve(signal)),
    )
    runner.kill('SIGINT')
    expect(await exited).toBe('SIGINT')
    expect(await until(() => !workers.some(alive), 1000)).toBe(true)
  })

  it('SIGKILL of the parent ends its worker processes within a second, even mid-loop', async () => {
    // Nothing runs in a process killed by SIGKILL: each worker must notice by itself, while its
    // only thread of JavaScript spins in the objective (fault probe F2).
    const runner = spawn(
      process.execPath,
      [new URL('./fixtures/sigint-runner.ts', import.meta.url).pathname],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    await new Promise<void>((resolve) =>
      runner.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    )
    const workers = childPids(runner.pid!)
    try {
      expect(workers).toHaveLength(2)
      expect(workers.every(alive)).toBe(true)
      const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()))
      runner.kill('SIGKILL')
      await exited
      expect(await until(() => !workers.some(alive), 1000)).toBe(true)
    } finally {
      // Without the guard they would spin under PID 1 forever.
      for (const pid of workers.filter(alive)) process.kill(pid, 'SIGKILL')
    }
  })
})
