// Entry point of a worker process (child_process.fork with serialization: 'advanced', so typed
// arrays, Maps and Dates cross as they do between threads).

import type { FromWorker, ToWorker } from '../protocol.ts'
import { serve } from './serve.ts'

if (process.send === undefined) throw new Error('process-entry.ts must be started by child_process.fork')
// The parent owns our lifetime: when it goes away (closed pool, crash, Ctrl-C), so do we.
process.on('disconnect', () => process.exit(0))
// Ctrl-C in a terminal reaches the whole process group; the parent decides what stops.
process.on('SIGINT', () => {})

serve(
  (message: FromWorker) => {
    // process.send serializes synchronously and throws on values it cannot clone.
    process.send!(message)
  },
  (handler) => process.on('message', (message) => handler(message as ToWorker)),
)
