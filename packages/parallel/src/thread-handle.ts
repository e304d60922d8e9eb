// A worker thread. process.exit() inside it ends only the thread, which we see as an exit;
// resourceLimits turn runaway memory into ERR_WORKER_OUT_OF_MEMORY instead of a dead process.

import { extname } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { FromWorker, ToWorker } from './protocol.ts'
import type { SpawnWorker, WorkerHandle } from './worker-handle.ts'

// From the sources in the monorepo this file is .ts; installed, it is the built .js.
const entry = new URL(`./worker/thread-entry${extname(import.meta.url)}`, import.meta.url)

export const spawnThread: SpawnWorker = (id, events, options): WorkerHandle => {
  const worker = new Worker(entry, {
    resourceLimits: options.resourceLimits,
    // Test runners and loaders add flags the worker must not inherit.
    execArgv: [],
    stdout: false,
    stderr: false,
  })
  let error: Error | undefined
  let gone = false
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      gone = true
      const reason =
        error === undefined
          ? `exit code ${code}`
          : (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `out of memory: ${error.message}`
            : `uncaught ${error.name}: ${error.message}`
      events.exit({ reason })
      resolve()
    })
  })
  worker.on('error', (e) => {
    error = e
  })
  worker.on('message', (message: FromWorker) => events.message(message))
  return {
    label: `thread ${id}`,
    send(message: ToWorker) {
      if (!gone) worker.postMessage(message)
    },
    async kill() {
      if (!gone) await worker.terminate()
      await exited
    },
  }
}
