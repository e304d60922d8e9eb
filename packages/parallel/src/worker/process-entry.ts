// Entry point of a worker process (child_process.fork with serialization: 'advanced', so typed
// arrays, Maps and Dates cross as they do between threads). Only the process pool starts it: its
// plain Errors are our own bugs, never the user's doing.

import { Worker } from 'node:worker_threads'
import type { FromWorker, ToWorker } from '../protocol.ts'
import { serve } from './serve.ts'

const send = process.send?.bind(process)
if (send === undefined) throw new Error('process-entry.ts must be started by child_process.fork')
// The parent owns our lifetime: when it goes away (closed pool, crash, Ctrl-C), so do we.
process.on('disconnect', () => process.exit(0))
// Ctrl-C in a terminal reaches the whole process group; the parent decides what stops.
process.on('SIGINT', () => {})
try {
  dieWithParent(Number(process.argv[2]))
} catch (error) {
  // No thread can be started here (a --permission run without --allow-worker): the worker still
  // runs, and ends with its parent through 'disconnect' whenever it is not in a synchronous loop.
  process.emitWarning(
    `parafit: the watcher of the parent process could not start (${(error as Error).message})`,
  )
}

serve(
  (message: FromWorker) => {
    // process.send serializes synchronously and throws on values it cannot clone.
    send(message)
  },
  (handler) => process.on('message', (message) => handler(message as ToWorker)),
)

/**
 * 'disconnect' is an event: it is never handled while an evaluation holds this thread, so a
 * parent killed by SIGKILL left its workers running their loops forever under PID 1 (fault probe
 * F2). A thread of our own watches instead: once this process has another parent (the kernel
 * re-parents the orphans of a dead process at once), it kills the whole process, whatever the
 * main thread is doing. It sleeps in Atomics.wait between looks at getppid(), every 100 ms: no
 * event loop, no timers, nothing measurable on the dispatch path.
 */
function dieWithParent(parent: number): void {
  if (!Number.isInteger(parent) || parent <= 0) throw new Error('process-entry.ts needs the parent pid')
  const watcher = new Worker(
    `const { workerData } = require('node:worker_threads')
const nap = new Int32Array(new SharedArrayBuffer(4))
while (process.ppid === workerData.parent) Atomics.wait(nap, 0, 0, workerData.everyMs)
process.kill(process.pid, 'SIGKILL')`,
    { eval: true, workerData: { parent, everyMs: 100 }, execArgv: [], stdout: false, stderr: false },
  )
  // The watcher never keeps this process alive on its own.
  watcher.unref()
}
