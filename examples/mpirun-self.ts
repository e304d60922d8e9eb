// For the examples that show MPI: start `mpirun -np N` of the example's own script, pass its
// output through, and return it. Under mpirun the same script takes its MPI branch unchanged.

import { spawn, spawnSync } from 'node:child_process'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mpiBindingBuilt } from '@parafit/mpi'

/** Why MPI cannot run here, or undefined when it can. */
export function mpiMissing(): string | undefined {
  if (spawnSync('mpirun', ['--version'], { stdio: 'ignore' }).status !== 0)
    return 'mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)'
  if (!mpiBindingBuilt()) return 'the @parafit/mpi binding is not built (npm run build:addon -w @parafit/mpi)'
  return undefined
}

/**
 * Runs `mpirun -np <np> node <script> <args>` (as root too, more ranks than cores allowed, no core
 * binding: Open MPI would otherwise pin two ranks to one core). Resolves to its stdout.
 */
export function mpirunSelf(
  scriptUrl: string,
  np: number,
  args: readonly string[] = [],
  timeoutMs = 300_000,
): Promise<string> {
  const script = fileURLToPath(scriptUrl)
  console.log(`$ mpirun -np ${np} node ${relative(process.cwd(), script)} ${args.join(' ')}`)
  const child = spawn(
    'mpirun',
    ['--oversubscribe', '--bind-to', 'none', '-np', String(np), process.execPath, script, ...args],
    {
      env: { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk
    process.stdout.write(chunk)
  })
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`mpirun ended with ${signal ?? `exit code ${code}`}`))
      else resolve(output)
    })
  })
}
