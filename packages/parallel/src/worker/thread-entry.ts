// Entry point of a worker thread. Only the thread pool starts it: its plain Error is our own bug.

import { parentPort, receiveMessageOnPort } from 'node:worker_threads'
import type { ToWorker } from '../protocol.ts'
import { serve } from './serve.ts'

const port = parentPort
if (port === null) throw new Error('thread-entry.ts must run in a worker thread')
serve(
  (message) => port.postMessage(message),
  (handler) => port.on('message', (message: ToWorker) => handler(message)),
  { take: () => receiveMessageOnPort(port)?.message as ToWorker | undefined },
)
