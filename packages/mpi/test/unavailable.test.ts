// Without the binding (not built, or PARAFIT_MPI_BINDING naming nothing) every entry point
// fails with MpiUnavailableError saying what to install; bad options fail before MPI starts.
import { MpiUnavailableError, ValidationError } from '@parafit/core'
import { afterEach, describe, expect, test } from 'vitest'
import { mpiBindingBuilt, mpiCombined, mpiPool, runMpi } from '../src/index.ts'

describe('@parafit/mpi without its binding', () => {
  afterEach(() => {
    delete process.env.PARAFIT_MPI_BINDING
  })

  test('runMpi, mpiPool and mpiCombined say what to install', async () => {
    process.env.PARAFIT_MPI_BINDING = '/nonexistent/parafit_mpi.node'
    expect(mpiBindingBuilt()).toBe(false)
    const { combine, objective } = await import('@parafit/core')
    const tree = combine([objective(() => 1)])
    for (const attempt of [runMpi(() => 1), mpiPool(), mpiCombined(tree)]) {
      const error = await attempt.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MpiUnavailableError)
      expect((error as Error).message).toMatch(/apt-get install openmpi-bin libopenmpi-dev/)
      expect((error as Error).message).toMatch(/npm run build:addon -w @parafit\/mpi/)
    }
  })

  test('bad options are rejected before MPI is touched', async () => {
    process.env.PARAFIT_MPI_BINDING = '/nonexistent/parafit_mpi.node'
    const cases: [Promise<unknown>, string, RegExp][] = [
      [runMpi(() => 1, { timeoutMs: -1 }), 'timeoutMs', /finite number of milliseconds > 0, got -1/],
      [runMpi(() => 1, { timeoutMs: Number.NaN }), 'timeoutMs', /got NaN/],
      [runMpi(() => 1, { closeTimeoutMs: 0 }), 'closeTimeoutMs', /milliseconds > 0, got 0/],
      [runMpi(() => 1, { retries: 1.5 }), 'retries', /whole number from 0 to 100, got 1.5/],
      [runMpi(() => 1, { retries: -1 }), 'retries', /whole number from 0 to 100, got -1/],
      [
        mpiPool({ workerRanks: 'retrun' } as never),
        'workerRanks',
        /workerRanks must be 'exit' or 'return', got 'retrun'; did you mean 'return'\?/,
      ],
    ]
    for (const [attempt, keyPath, message] of cases) {
      const error = await attempt.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).keyPath).toBe(keyPath)
      expect((error as Error).message).toMatch(message)
    }
    const notAFunction = await runMpi(42 as never).catch((e: unknown) => e)
    expect(notAFunction).toBeInstanceOf(ValidationError)
    expect((notAFunction as Error).message).toMatch(/needs a function/)
    await expect(mpiCombined({} as never)).rejects.toBeInstanceOf(ValidationError)
  })

  test('misspelled options are named, with the closest known one, before MPI is touched', async () => {
    process.env.PARAFIT_MPI_BINDING = '/nonexistent/parafit_mpi.node'
    const { combine, objective } = await import('@parafit/core')
    const tree = combine([objective(() => 1)])
    const cases: [Promise<unknown>, string, string][] = [
      [runMpi(() => 1, { timeOutMs: 5 } as never), 'timeOutMs', 'timeoutMs'],
      [mpiPool({ workerRank: 'return' } as never), 'workerRank', 'workerRanks'],
      [mpiCombined(tree, { retry: 1 } as never), 'retry', 'retries'],
    ]
    for (const [attempt, keyPath, suggestion] of cases) {
      const error = await attempt.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as ValidationError).keyPath).toBe(keyPath)
      expect((error as Error).message).toContain(`did you mean '${suggestion}'?`)
    }
    // workerRanks is mpiPool's alone.
    await expect(runMpi(() => 1, { workerRanks: 'return' } as never)).rejects.toThrow(
      /unknown option 'workerRanks'/,
    )
    // Spelled right, the options pass, and the missing binding is what stops them.
    for (const attempt of [
      runMpi(() => 1, { timeoutMs: 5, retries: 1 }),
      mpiPool({ timeoutMs: 5, retries: 1, workerRanks: 'return' }),
      mpiCombined(tree, { timeoutMs: 5, retries: 1 }),
    ]) {
      await expect(attempt).rejects.toBeInstanceOf(MpiUnavailableError)
    }
  })
})
