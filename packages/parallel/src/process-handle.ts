// A worker process: child_process.fork with the parent's environment (tinypool's child runtime
// drops it) and v8 ('advanced') serialization, so typed arrays and Maps cross intact.

import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { FromWorker, ToWorker } from './protocol.ts'
import type { SpawnWorker, WorkerHandle } from './worker-handle.ts'

const entry = fileURLToPath(new URL('./worker/process-entry.ts', import.meta.url))

/** Every live worker process, killed synchronously if this process exits without closing pools. */
const live = new Set<ChildProcess>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL')
  })
}

export function liveProcessCount(): number {
  return live.size
}

export const spawnProcess: SpawnWorker = (id, events, options): WorkerHandle => {
  installExitHook()
  const child = fork(entry, [], {
    env: options.env ?? process.env,
    execArgv: [...(options.execArgv ?? [])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  live.add(child)
  let gone = false
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true
      live.delete(child)
      events.exit({ reason: signal !== null ? `killed by ${signal}` : `exit code ${code}` })
      resolve()
    })
  })
  // A send racing the child's death reports through 'error'; the exit event carries the news.
  child.on('error', () => {})
  child.on('message', (message) => events.message(message as FromWorker))
  return {
    label: `process ${id} (pid ${child.pid})`,
    send(message: ToWorker) {
      if (!gone && child.connected) child.send(message)
    },
    async kill() {
      if (!gone) child.kill('SIGKILL')
      await exited
    },
  }
}
