// Which MPI launcher, if any, started this process, read from the environment the launchers
// set. It lives in core (no native code) so that choosePool can tell, without loading
// @parafit/mpi, that it runs under `mpirun`/`srun` and should hand out the MPI pool.

export interface MpiLaunch {
  /** The launcher, or null when this process was not started by one. */
  readonly launcher: 'openmpi' | 'mpich' | 'intel' | 'slurm' | null
  /** Number of ranks in the job (1 when not launched). */
  readonly size: number
  /** This process's rank (0 when not launched). */
  readonly rank: number
}

function whole(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/** Whether this process was started by an MPI launcher, which one, and how many ranks. */
export function detectMpi(env: NodeJS.ProcessEnv = process.env): MpiLaunch {
  // Open MPI (mpirun/mpiexec, orterun; also under Slurm when started by mpirun).
  const ompiSize = whole(env.OMPI_COMM_WORLD_SIZE)
  if (ompiSize !== undefined)
    return { launcher: 'openmpi', size: ompiSize, rank: whole(env.OMPI_COMM_WORLD_RANK) ?? 0 }
  // Open MPI 5 / PRRTE and other PMIx launchers.
  const pmixSize = whole(env.PMIX_SIZE ?? env.OMPI_UNIVERSE_SIZE)
  if (env.PMIX_RANK !== undefined && pmixSize !== undefined)
    return { launcher: 'openmpi', size: pmixSize, rank: whole(env.PMIX_RANK) ?? 0 }
  // Hydra (MPICH, Intel MPI): PMI_SIZE/PMI_RANK; Intel's Hydra also sets I_MPI_* variables.
  const pmiSize = whole(env.PMI_SIZE)
  if (pmiSize !== undefined) {
    const intel = Object.keys(env).some((key) => key.startsWith('I_MPI_'))
    return { launcher: intel ? 'intel' : 'mpich', size: pmiSize, rank: whole(env.PMI_RANK) ?? 0 }
  }
  // Slurm's srun starting the ranks itself (a job step, not just an allocation).
  const slurmSize = whole(env.SLURM_NTASKS ?? env.SLURM_NPROCS)
  if (env.SLURM_STEP_ID !== undefined && env.SLURM_PROCID !== undefined && slurmSize !== undefined)
    return { launcher: 'slurm', size: slurmSize, rank: whole(env.SLURM_PROCID) ?? 0 }
  return { launcher: null, size: 1, rank: 0 }
}
