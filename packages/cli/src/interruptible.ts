// Ctrl-C and SIGTERM for a long command. The first signal (SIGINT from a terminal; SIGTERM from
// Slurm at its time limit, or mpirun passing on a Ctrl-C) aborts the command's signal, and the
// command stops, reports what it has and writes its files. A second Ctrl-C quits at once; a
// SIGTERM after the first signal changes nothing (the report is being written; mpirun's SIGKILL
// follows). Handlers are installed once the model module has loaded (`io.onLoaded`): while a
// model's top level runs nothing could answer them, and Node's default (quit) is what a user
// pressing Ctrl-C wants then.

import { detectMpi } from '@parafit/core'
import { reportError } from './error-report.ts'
import type { CommandIO } from './fit-command.ts'

export interface Interruption {
  /** What the command does on the first signal, e.g. "reporting the best so far". */
  readonly onStop: string
  /** Said when a second Ctrl-C quits, e.g. where the run was saved; empty for nothing. */
  readonly onQuit?: string
}

/** Runs a command with its IO and signal handling, and sets the process's exit code. */
export async function runInterruptible(
  interruption: Interruption,
  command: (io: CommandIO) => Promise<number>,
): Promise<void> {
  const controller = new AbortController()
  let stoppedBy: NodeJS.Signals | undefined
  // Under mpirun every rank runs the command; only rank 0, the one that drives it, speaks.
  const speaks = detectMpi().rank === 0
  const stop = (signal: NodeJS.Signals) => {
    if (stoppedBy === undefined) {
      stoppedBy = signal
      const what = signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`
      if (speaks)
        process.stderr.write(`\nparafit: ${what}; ${interruption.onStop} (Ctrl-C again to quit now)\n`)
      controller.abort()
    } else if (signal === 'SIGINT') {
      process.stderr.write(`parafit: quit${interruption.onQuit ? `; ${interruption.onQuit}` : ''}\n`)
      process.exit(130)
    }
  }
  const io: CommandIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
    onLoaded: () => {
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    },
  }
  try {
    const code = await command(io)
    process.exitCode = stoppedBy === 'SIGTERM' && code === 130 ? 143 : code
  } catch (error) {
    process.stderr.write(`${reportError(error)}\n`)
    process.exitCode = 1
  }
}
