// detectMpi reads the launcher from the environment: Open MPI, PMIx, Hydra (MPICH, Intel MPI)
// and Slurm's srun, and reports no launcher for a plain run or a bare Slurm allocation.
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { detectMpi } from '../src/index.ts'

describe('detectMpi', () => {
  test.prop([
    fc.integer({ min: 1, max: 100_000 }).chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1))),
  ])('reads size and rank from every launcher', ([size, rank]) => {
    const s = String(size)
    const r = String(rank)
    expect(detectMpi({ OMPI_COMM_WORLD_SIZE: s, OMPI_COMM_WORLD_RANK: r })).toEqual({
      launcher: 'openmpi',
      size,
      rank,
    })
    expect(detectMpi({ PMIX_RANK: r, PMIX_SIZE: s })).toEqual({ launcher: 'openmpi', size, rank })
    expect(detectMpi({ PMI_SIZE: s, PMI_RANK: r })).toEqual({ launcher: 'mpich', size, rank })
    expect(detectMpi({ PMI_SIZE: s, PMI_RANK: r, I_MPI_ROOT: '/opt/intel' })).toEqual({
      launcher: 'intel',
      size,
      rank,
    })
    expect(detectMpi({ SLURM_STEP_ID: '0', SLURM_NTASKS: s, SLURM_PROCID: r })).toEqual({
      launcher: 'slurm',
      size,
      rank,
    })
  })

  test('a plain run, a Slurm allocation without srun, and garbage are not launches', () => {
    const none = { launcher: null, size: 1, rank: 0 }
    expect(detectMpi({})).toEqual(none)
    expect(detectMpi({ SLURM_NTASKS: '4', SLURM_JOB_ID: '17' })).toEqual(none)
    expect(detectMpi({ OMPI_COMM_WORLD_SIZE: 'four' })).toEqual(none)
  })

  test('Open MPI under Slurm is Open MPI (mpirun started the ranks)', () => {
    expect(
      detectMpi({
        OMPI_COMM_WORLD_SIZE: '8',
        OMPI_COMM_WORLD_RANK: '3',
        SLURM_STEP_ID: '0',
        SLURM_NTASKS: '8',
      }),
    ).toEqual({ launcher: 'openmpi', size: 8, rank: 3 })
  })
})
