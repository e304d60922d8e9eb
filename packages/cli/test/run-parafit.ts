// Runs the `parafit` command from its sources in a child process, as a user's shell would.

import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const command = fileURLToPath(new URL('../src/parafit.ts', import.meta.url))
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
export interface Run {
  code: number | null
  /** The signal that ended the command, when one did (then `code` is null). */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export function parafit(
  args: string[],
  env: Record<string, string> = {},
  whileRunning?: (child: ChildProcess, out: () => string) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [command, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    whileRunning?.(child, () => stdout + stderr)
  })
}
