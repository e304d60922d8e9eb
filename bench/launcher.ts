// The MPI launcher the benchmarks start ranks with: `mpirun` (Open MPI) by default, or the one
// PARAFIT_BENCH_MPIEXEC names (e.g. mpiexec.mpich, with PARAFIT_MPI_BINDING naming a binding
// built against MPICH: scripts/mpich-smoke.sh --bench does both). Open MPI needs its root and
// oversubscription flags; MPICH's hydra takes neither.

import { spawnSync } from 'node:child_process'

export interface Launcher {
  readonly command: string
  readonly flavor: 'Open MPI' | 'MPICH'
  /** `command args...` runs `np` copies of `program`, with `mca` (Open MPI options) where they apply. */
  args(np: number, program: string[], mca?: readonly string[]): string[]
  readonly env: Record<string, string>
}

export function launcher(): Launcher {
  const command = process.env.PARAFIT_BENCH_MPIEXEC || 'mpirun'
  const version = spawnSync(command, ['--version'], { encoding: 'utf8' })
  const text = `${version.stdout ?? ''}${version.stderr ?? ''}`
  if (/HYDRA|MPICH/i.test(text)) {
    return { command, flavor: 'MPICH', env: {}, args: (np, program) => ['-n', String(np), ...program] }
  }
  return {
    command,
    flavor: 'Open MPI',
    env: { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' },
    args: (np, program, mca = []) => [
      '--oversubscribe',
      '--bind-to',
      'none',
      ...mca,
      '-np',
      String(np),
      ...program,
    ],
  }
}
