// Kills this process's pool workers with SIGKILL at random moments (a seeded schedule, so that a
// failure can be replayed with the same seed): what an OOM killer, a node failure or an
// impatient user does to a long run.

import { readdirSync, readFileSync } from 'node:fs'
import type { Random } from '@parafit/core'

/** The pids of this process's children that are process-pool workers. */
export function poolWorkers(): number[] {
  const workers: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // The parent pid is the 4th field, after the command name in parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== process.pid) continue
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('process-entry')) workers.push(Number(name))
    } catch {
      // gone meanwhile
    }
  }
  return workers
}

export interface WorkerKiller {
  /** Stops killing; resolves to the number of workers killed. */
  stop(): number
}

export interface KillSchedule {
  /** The wait before each kill is drawn from [minMs, maxMs]. */
  readonly minMs: number
  readonly maxMs: number
  /** Only workers that have run this long (seen by polling every 20 ms); 0: any, starting or not. */
  readonly minAgeMs: number
  /** Kills at most this many, so that a slow machine's runs do not grow with their kills. */
  readonly maxKills: number
}

/** Kills random workers of this process's pools on a schedule drawn from a seeded stream. */
export function killWorkers(random: Random, schedule: KillSchedule): WorkerKiller {
  const { minMs, maxMs, minAgeMs, maxKills } = schedule
  let kills = 0
  const born = new Map<number, number>()
  const watch = () => {
    const now = performance.now()
    const alive = new Set(poolWorkers())
    for (const pid of alive) if (!born.has(pid)) born.set(pid, now)
    for (const pid of born.keys()) if (!alive.has(pid)) born.delete(pid)
    return now
  }
  watch()
  const watcher = setInterval(watch, 20)
  let timer: NodeJS.Timeout | undefined
  const next = () => {
    timer = setTimeout(
      () => {
        const now = watch()
        const old = [...born].filter(([, at]) => now - at >= minAgeMs).map(([pid]) => pid)
        if (old.length > 0) {
          const pid = old[Math.floor(random.uniform() * old.length)]!
          try {
            process.kill(pid, 'SIGKILL')
            born.delete(pid)
            kills++
          } catch {
            // it ended on its own meanwhile
          }
        }
        if (kills < maxKills) next()
      },
      minMs + random.uniform() * (maxMs - minMs),
    )
  }
  next()
  return {
    stop() {
      clearTimeout(timer)
      clearInterval(watcher)
      return kills
    },
  }
}
