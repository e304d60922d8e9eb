// A worker process: child_process.fork with the parent's environment (tinypool's child runtime
// drops it) and v8 ('advanced') serialization, so typed arrays and Maps cross intact.

import { type ChildProcess, fork } from 'node:child_process'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeProcessExit, StderrTail } from './process-exit.ts'
import type { FromWorker, ToWorker } from './protocol.ts'
import type { SpawnWorker, WorkerHandle } from './worker-handle.ts'

// From the sources in the monorepo this file is .ts; installed, it is the built .js.
const entry = fileURLToPath(new URL(`./worker/process-entry${extname(import.meta.url)}`, import.meta.url))

/**
 * Every live worker process. They are killed synchronously if this process exits without
 * closing its pools, and on SIGINT / SIGTERM (Ctrl-C), after which the signal takes its default
 * course unless the program handles it itself (then the program decides, e.g. a Fitter's
 * graceful stop, and closing its pools stops the workers).
 */
const live = new Set<ChildProcess>()
let hooksInstalled = false

function killAll(): void {
  for (const child of live) child.kill('SIGKILL')
}

function onSignal(signal: NodeJS.Signals): void {
  killAll()
  const others = process.listeners(signal).filter((l) => l !== onSignal)
  if (others.length === 0) {
    process.removeListener(signal, onSignal)
    process.kill(process.pid, signal)
  }
}

function installHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', killAll)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

export const spawnProcess: SpawnWorker = (id, events, options): WorkerHandle => {
  installHooks()
  // The worker watches this pid, and ends itself when this process is gone (process-entry.ts).
  const child = fork(entry, [String(process.pid)], {
    env: options.env ?? process.env,
    execArgv: [...(options.execArgv ?? [])],
    serialization: 'advanced',
    // stderr still reaches ours, through us: its last lines say why a worker died.
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  live.add(child)
  const stderr = new StderrTail()
  const pipe = child.stderr! // stdio[2] is 'pipe'
  pipe.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk)
    stderr.add(chunk)
  })
  let gone = false
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true
      live.delete(child)
      let reported = false
      const report = () => {
        if (reported) return
        reported = true
        events.exit({ reason: describeProcessExit(code, signal, stderr.lines()) })
        resolve()
      }
      // What it wrote last may still be in the pipe; a grandchild holding it open is not waited for.
      if (pipe.closed) report()
      pipe.once('close', report)
      setTimeout(report, 200).unref()
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
