// Runs a fixture under mpirun and collects what each rank reported. Open MPI refuses to run as
// root without two environment variables, and more ranks than cores need --oversubscribe.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mpiBindingBuilt } from '@parafit/mpi'

export type Transport = 'shm' | 'tcp'

export interface Launch {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
  /** Each rank's report, by rank. */
  readonly reports: Map<number, unknown>
  readonly seconds: number
}

function hasMpirun(): boolean {
  try {
    execFileSync('mpirun', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Why MPI tests cannot run here, or undefined when they can. */
export function mpiMissing(): string | undefined {
  if (!hasMpirun()) return 'mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)'
  if (!mpiBindingBuilt()) return 'the @parafit/mpi binding is not built (npm run build:addon -w @parafit/mpi)'
  return undefined
}

/** The report a fixture printed on `line` (test/mpi/fixtures/report.ts), if it is one. */
export function reportIn(line: string): { rank: number; data: unknown } | undefined {
  const at = line.indexOf('PARAFIT_REPORT ')
  if (at < 0) return undefined
  return JSON.parse(line.slice(at + 'PARAFIT_REPORT '.length)) as { rank: number; data: unknown }
}

export function mpirun(
  fixture: URL,
  options: {
    np: number
    transport?: Transport
    env?: Record<string, string>
    timeoutMs?: number
    args?: string[]
    /** More programs of the same job (MPMD, `: -np N node <file> ...`): [np, file, ...args]. */
    mpmd?: [number, string, ...string[]][]
    /** Called with mpirun's process once started, e.g. to signal it. */
    whileRunning?: (child: ChildProcess) => void
  },
): Promise<Launch> {
  const btl = options.transport === 'tcp' ? 'self,tcp' : 'self,vader'
  const args = ['--oversubscribe', '--bind-to', 'none', '--mca', 'btl', btl, '-np', String(options.np)]
  args.push(process.execPath, fixture.pathname, ...(options.args ?? []))
  for (const [np, ...program] of options.mpmd ?? [])
    args.push(':', '-np', String(np), process.execPath, ...program)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn('mpirun', args, {
      env: {
        ...process.env,
        OMPI_ALLOW_RUN_AS_ROOT: '1',
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`mpirun did not finish within ${options.timeoutMs ?? 60_000} ms:\n${output}`))
    }, options.timeoutMs ?? 60_000)
    options.whileRunning?.(child)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const reports = new Map<number, unknown>()
      for (const line of output.split('\n')) {
        const report = reportIn(line)
        if (report !== undefined) reports.set(report.rank, report.data)
      }
      resolve({ code, signal, output, reports, seconds: (performance.now() - started) / 1000 })
    })
  })
}
