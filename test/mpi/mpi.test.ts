// @parafit/mpi under a real launcher: each test starts `mpirun` on a fixture and checks what the
// ranks reported, the exit status and the output. Shared memory (vader) and TCP (the transport
// that crosses nodes) with 2, 3 and 4 ranks. Where MPI is not installed these tests are skipped
// with the reason, except under PARAFIT_REQUIRE_MPI=1 (CI), where that is a failure.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { mpiMissing, mpirun, reportIn, type Transport } from './launch.ts'

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url)
const missing = mpiMissing()
const required = process.env.PARAFIT_REQUIRE_MPI === '1'

if (missing !== undefined && required) {
  test('MPI is available', () => {
    expect.fail(`PARAFIT_REQUIRE_MPI=1 but ${missing}`)
  })
}

// The parafit command under mpirun, on the fitter's test model, in a folder of its own.
const parafitCommand = new URL('../../packages/cli/src/parafit.ts', import.meta.url)
const sampleModule = fileURLToPath(
  new URL('../../packages/cli/test/fixtures/gaussian-sample.ts', import.meta.url),
)
const bowlFit = fileURLToPath(new URL('../../packages/cli/test/fixtures/bowl-fit.ts', import.meta.url))

async function inScratch(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parafit-mpi-cli-'))
  try {
    await run(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Every rank's report, checking that each rank reported exactly once. */
function reportsOf(launch: Awaited<ReturnType<typeof mpirun>>, np: number): unknown[] {
  const ranks = [...launch.reports.keys()].sort()
  expect(ranks, launch.output).toEqual(Array.from({ length: np }, (_, i) => i))
  return ranks.map((rank) => launch.reports.get(rank))
}

describe.skipIf(missing !== undefined)(
  `@parafit/mpi under mpirun${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    // How a rank learns of arrivals: node-local doorbells that wake the event loop, or the
    // progress thread when the event loop is busy (the default); doorbells that wake only the
    // thread; the thread polling alone (as with ranks on other nodes); or the event loop polling
    // (where MPI allows only one thread).
    const receiving = {
      doorbells: {},
      'thread doorbells': { PARAFIT_MPI_DOORBELLS: 'thread' },
      'no doorbells': { PARAFIT_MPI_DOORBELLS: 'off' },
      'event-loop polling': { PARAFIT_MPI_PROGRESS: 'poll' },
    }
    const matrix: [number, Transport, keyof typeof receiving][] = [
      [2, 'shm', 'doorbells'],
      [3, 'shm', 'doorbells'],
      [4, 'shm', 'doorbells'],
      [2, 'tcp', 'doorbells'],
      [3, 'tcp', 'doorbells'],
      [3, 'shm', 'thread doorbells'],
      [4, 'tcp', 'no doorbells'],
      [3, 'shm', 'event-loop polling'],
    ]

    describe.each(matrix)('%i ranks over %s, %s', (np, transport, how) => {
      test('runMpi: values, contexts, init once per rank, errors naming the rank, parity with serial', async () => {
        const env = { PARITY_RUNS: '15', ...receiving[how] }
        const launch = await mpirun(fixture('suite'), { np, transport, env })
        expect(launch.code, launch.output).toBe(0)
        // MPI_Finalize ran on every rank: Open MPI complains loudly otherwise.
        expect(launch.output).not.toMatch(/exited without calling finalize|abnormal termination/i)
        const reports = reportsOf(launch, np) as Record<string, unknown>[]
        // What main returned arrived, identical, on every rank.
        for (const r of reports) expect(r).toEqual(reports[0])
        const r = reports[0]!
        expect(r.parityFailure, String(r.parityFailure)).toBeUndefined()
        expect(r.parityRuns).toBe(15)
        expect(r.kind).toBe('mpi')
        expect(r.receiving).toBe(how === 'event-loop polling' ? 'poll' : 'thread')
        // Only the default rings the event loop, and then results do reach rank 0 that way.
        expect(r.eventLoopDoorbell).toBe(how === 'doorbells')
        expect(r.eventLoopReceived).toBe(how === 'doorbells')
        expect(r.size).toBe(np - 1)
        const n = 8 * (np - 1)
        expect(r.values).toEqual(Array.from({ length: n }, (_, i) => 3 * i))
        expect(r.squares).toEqual(Array.from({ length: n }, (_, i) => i * i))
        // Dynamic dispatch reached every worker rank; rank 0 only coordinates.
        expect(r.ranksUsed).toEqual(Array.from({ length: np - 1 }, (_, i) => i + 1))
        expect(r.factoryRuns).toBe(1)
        expect(r.factoryRunsAfterSecondBatch).toBe(1)
        expect(r.dataLength).toBe(1000)
        expect(r.failure).toEqual({
          name: 'ObjectiveError',
          message:
            'the root objective failed with parameters {"x":7,"fail":1}: RangeError: x=7 is not allowed',
          stackNamesRank: true,
          causeStackHasObjective: true,
        })
        expect(r.othersFine).toEqual([true, true])
        expect(r.aborted).toBe('AbortError')
        expect(r.abortReturnedBeforeBatch).toBe(true)
        expect(r.afterAbort).toEqual(Array.from({ length: 2 * (np - 1) }, (_, i) => 3 * i))
        // Rank 0's timers kept firing while the ranks worked (20 ticks would be 100 ms of a ~200 ms batch).
        expect(r.ticksDuringBatch as number).toBeGreaterThan(5)
      }, 120_000)
    })

    test.each([
      [2, 'shm'],
      [3, 'tcp'],
      [4, 'shm'],
    ] as [number, Transport][])(
      'mpiCombined with %i ranks over %s agrees with in-process evaluation',
      async (np, transport) => {
        const launch = await mpirun(fixture('combined'), { np, transport })
        expect(launch.code, launch.output).toBe(0)
        const reports = reportsOf(launch, np) as {
          cases: number
          evaluated: number
          differences: string[]
          mixed: unknown
        }[]
        const zero = reports[0]!
        expect(zero.cases).toBeGreaterThan(5)
        expect(zero.evaluated).toBe(zero.cases)
        expect(zero.differences).toEqual([])
        expect(zero.mixed).toEqual({ value: 46, expected: 46, firstChildRank: 1, cube: 8 })
      },
      120_000,
    )

    test('without a launcher, the job is one rank and everything runs in this process', async () => {
      const { execFileSync } = await import('node:child_process')
      const output = execFileSync(process.execPath, [fixture('singleton').pathname], {
        encoding: 'utf8',
        timeout: 30_000,
      })
      const line = output.split('\n').find((l) => l.startsWith('PARAFIT_REPORT '))
      expect(JSON.parse(line!.slice('PARAFIT_REPORT '.length))).toEqual({
        rank: 0,
        data: { kind: 'mpi', size: 1, values: [2, 4], combined: 8, ranks: 1 },
      })
    }, 60_000)

    test('a binding from another MPI than the launcher fails clearly instead of running N jobs of one', async () => {
      const { spawnSync } = await import('node:child_process')
      // What MPICH's hydra sets, while the binding is Open MPI's: MPI starts a job of one.
      const run = spawnSync(process.execPath, [fixture('singleton').pathname], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, PMI_SIZE: '3', PMI_RANK: '0' },
      })
      expect(run.status).not.toBe(0)
      expect(run.stderr).toContain('MpiUnavailableError: this process was started by mpich as rank 0 of 3')
      expect(run.stderr).toContain('built against another MPI than the launcher belongs to')
    }, 60_000)

    test.each([
      ['doorbells', {}, 0.01],
      ['no doorbells', { PARAFIT_MPI_DOORBELLS: 'off' }, 0.01],
      ['event-loop polling', { PARAFIT_MPI_PROGRESS: 'poll' }, 0.25],
    ] as const)(
      'an idle rank does not spin a core (%s)',
      async (how, env, bar) => {
        const launch = await mpirun(fixture('idle'), { np: 3, env })
        expect(launch.code, launch.output).toBe(0)
        const reports = reportsOf(launch, 3) as {
          mode: string
          cpuFraction: number
          threadCpuFraction: number
          wakeUpsPerSecond: number
        }[]
        for (const r of reports) {
          const seen = JSON.stringify(r)
          // A spinning rank would use close to a whole core (1.0).
          if (how === 'event-loop polling') {
            // The event loop polls every 10 ms once quiet: about 0.02 of a core.
            expect(r.mode).toBe('poll')
            expect(r.cpuFraction, seen).toBeLessThan(bar)
            continue
          }
          // The progress thread sleeps up to 50 ms once quiet (about 20 wake-ups a second); the
          // back-off grows fast with doorbells, slowly without.
          expect(r.mode).toBe('thread')
          expect(r.threadCpuFraction, seen).toBeLessThan(bar)
          expect(r.wakeUpsPerSecond, seen).toBeLessThan(how === 'doorbells' ? 200 : 500)
          // The whole process (the test's own timer, GC) stays far from a core too.
          expect(r.cpuFraction, seen).toBeLessThan(0.05)
        }
      },
      60_000,
    )

    test('choosePool under mpirun gives the MPI pool; worker ranks exit 0 after serving', async () => {
      const launch = await mpirun(fixture('pool-exit'), { np: 3 })
      expect(launch.code, launch.output).toBe(0)
      expect([...launch.reports.keys()]).toEqual([0])
      expect(launch.reports.get(0)).toEqual({ kind: 'mpi', values: [0, 1, 2, 3, 4, 5] })
    }, 60_000)

    test('a Fitter under mpirun fits on the MPI ranks, twice on one pool, and agrees with a serial fit', async () => {
      const launch = await mpirun(fixture('fit'), { np: 3, env: { PARAFIT_FIT_FIXTURE_RUN: '1' } })
      expect(launch.code, launch.output).toBe(0)
      expect([...launch.reports.keys()]).toEqual([0])
      const { runFits } = await import('./fixtures/fit.ts')
      expect(launch.reports.get(0)).toEqual(JSON.parse(JSON.stringify(await runFits(1))))
    }, 60_000)

    test('a model whose data is random on each rank fails the start-point check on every rank', async () => {
      const launch = await mpirun(fixture('disagree'), { np: 3 })
      expect(launch.code, launch.output).toBe(0)
      for (const data of reportsOf(launch, 3) as { refused: string; steady: unknown }[]) {
        expect(data.refused).toMatch(
          /^WorkersDisagreeError: the 2 workers of the mpi pool give different values/,
        )
        expect(data.steady).toEqual({ x: expect.closeTo(1, 6), y: { z: expect.closeTo(2, 6) } })
      }
    }, 60_000)

    test('an EnsembleSampler under mpirun samples on the MPI ranks and gives the serial chain', async () => {
      const launch = await mpirun(fixture('sample'), { np: 3, env: { PARAFIT_SAMPLE_FIXTURE_RUN: '1' } })
      expect(launch.code, launch.output).toBe(0)
      expect([...launch.reports.keys()]).toEqual([0])
      const { runSampler } = await import('./fixtures/sample.ts')
      const fromMpi = launch.reports.get(0) as Awaited<ReturnType<typeof runSampler>>
      expect(fromMpi.otherProcesses).toBe(2) // ranks 1 and 2 evaluated, rank 0 did not
      const serial = await runSampler(1)
      expect(serial.otherProcesses).toBe(0)
      expect({ ...fromMpi, otherProcesses: 0 }).toEqual(JSON.parse(JSON.stringify(serial)))
    }, 60_000)

    test("a NestedSampler under mpirun samples on the MPI ranks, and every rank gets the serial run's log Z and posterior", async () => {
      const launch = await mpirun(fixture('nested'), { np: 3, env: { PARAFIT_NESTED_FIXTURE_RUN: '1' } })
      expect(launch.code, launch.output).toBe(0)
      expect([...launch.reports.keys()].sort()).toEqual([0, 1, 2])
      const { runNested } = await import('./fixtures/nested.ts')
      const serial = JSON.parse(JSON.stringify(await runNested(1)))
      expect(serial.stop.kind).toBe('converged')
      for (const rank of [0, 1, 2]) {
        const fromMpi = launch.reports.get(rank) as typeof serial
        expect({ ...fromMpi, otherProcesses: 0 }, `rank ${rank}`).toEqual({ ...serial, otherProcesses: 0 })
      }
      // Ranks 1 and 2 evaluated the likelihood; as seen from rank 0, both are other processes.
      expect((launch.reports.get(0) as typeof serial).otherProcesses).toBe(2)
    }, 300_000)

    test('Ctrl-C to mpirun running parafit fit: rank 0 reports the best so far and writes --out before the launcher kills it', async () => {
      await inScratch(async (dir) => {
        const out = join(dir, 'result.json')
        const checkpoint = join(dir, 'run.ckpt')
        const launch = await mpirun(parafitCommand, {
          np: 3,
          args: ['fit', bowlFit, '-m', 'cmaes', '--no-progress', '--out', out, '--checkpoint', checkpoint],
          env: { BOWL_SPIN_MS: '20' },
          // Once a batch is done (the first checkpoint), Ctrl-C: Open MPI passes it on as SIGTERM
          // to every rank, and SIGKILL a second later.
          whileRunning: (child) => {
            const poll = setInterval(() => {
              if (!existsSync(checkpoint)) return
              clearInterval(poll)
              child.kill('SIGINT')
            }, 50)
            child.on('close', () => clearInterval(poll))
          },
        })
        expect(launch.output).toMatch(/stopped by SIGTERM/)
        expect(launch.output.match(/stopped by SIGTERM/g)).toHaveLength(1) // rank 0 only
        expect(launch.output).toMatch(/aborted by the signal/)
        const saved = JSON.parse(readFileSync(out, 'utf8')) as { stopKind: string; nEvals: number }
        expect(saved.stopKind).toBe('aborted')
        expect(saved.nEvals).toBeGreaterThan(0)
      })
    }, 60_000)

    test('parafit fit under mpirun when worker ranks exit mid-fit: rank 0 still reports and writes --out', async () => {
      await inScratch(async (dir) => {
        const out = join(dir, 'result.json')
        // A rank exits (code 7) when asked for x > 1.4; Open MPI then stops the whole job.
        const launch = await mpirun(parafitCommand, {
          np: 3,
          args: ['fit', bowlFit, '-m', 'cmaes', '--no-progress', '--out', out],
          env: { BOWL_SPIN_MS: '5', BOWL_EXIT_ABOVE: '1.4' },
        })
        expect(launch.code).not.toBe(0)
        expect(launch.output).toMatch(/exited while serving/)
        const saved = JSON.parse(readFileSync(out, 'utf8')) as { nEvals: number; loss: number }
        expect(saved.nEvals).toBeGreaterThan(0)
        expect(Number.isFinite(saved.loss)).toBe(true)
      })
    }, 60_000)

    test('parafit sample under mpirun: rank 0 samples on the worker ranks and alone reports; the chain file is written', async () => {
      await inScratch(async (dir) => {
        const out = join(dir, 'chain.h5')
        const launch = await mpirun(parafitCommand, {
          np: 3,
          args: [
            'sample',
            sampleModule,
            '--method',
            'ensemble',
            '--steps',
            '200',
            '--no-progress',
            '-o',
            out,
          ],
        })
        expect(launch.code, launch.output).toBe(0)
        expect(launch.output).toMatch(/on MPI, 2 worker ranks/)
        // One report: the worker ranks say nothing.
        expect(launch.output.match(/^parafit sample /gm)).toHaveLength(1)
        expect(existsSync(out)).toBe(true)
      })
    }, 90_000)

    test('rank 0 exiting without closing its idle pool releases the ranks; all exit 0', async () => {
      const launch = await mpirun(fixture('forgot-close'), { np: 3 })
      expect(launch.code, launch.output).toBe(0)
      expect(launch.output).not.toMatch(/exited without calling finalize|MPI_ABORT/i)
      expect(launch.reports.get(0)).toEqual({ values: [1, 2, 3] })
    }, 60_000)

    test('an objective that throws on a rank: every rank gets the error, the job exits non-zero', async () => {
      const launch = await mpirun(fixture('throws'), { np: 3 })
      expect(launch.code).not.toBe(0)
      expect(launch.output).toContain('RangeError: x=13 is not allowed')
      expect(launch.output).toMatch(/at MPI rank [12] \(/)
      expect(launch.output).not.toMatch(/exited without calling finalize/i)
    }, 60_000)

    test('rank 0 calling process.exit mid-batch: the job ends with its status and says why, in bounded time', async () => {
      const launch = await mpirun(fixture('exit-mid-map'), { np: 3, timeoutMs: 30_000 })
      expect(launch.code, launch.output).toBe(3)
      expect(launch.output).toContain('rank 0 exited with code 3 while')
      // The binding's threads stopped cleanly: no C++ terminate, no abort signal.
      expect(launch.output).not.toMatch(/terminate called|signal 6|Aborted/)
    }, 60_000)

    test('ranks that start MPI but never reach the session: MpiMismatchError at the start-up timeout, the job ends', async () => {
      const launch = await mpirun(fixture('startup-session'), {
        np: 1,
        mpmd: [[2, fixture('startup-elsewhere').pathname]],
        env: { PARAFIT_MPI_STARTUP_TIMEOUT_MS: '3000' },
        timeoutMs: 30_000,
      })
      expect(launch.code).not.toBe(0)
      const [zero] = reportsOf(launch, 1) as { error: string; message: string; seconds: number }[]
      expect(zero!.error, launch.output).toBe('MpiMismatchError')
      expect(zero!.message).toContain('rank(s) 1, 2 did not start runMpi (session 1) within 3 s')
      expect(zero!.seconds).toBeLessThan(10)
      // The job ended with rank 0, not when the other ranks finished their 20 s.
      expect(launch.seconds).toBeLessThan(15)
    }, 60_000)

    test('rank 0 never reaching the session: the other ranks fail at the start-up timeout, the job ends', async () => {
      const launch = await mpirun(fixture('startup-rank-zero-elsewhere'), {
        np: 1,
        mpmd: [[2, fixture('startup-session').pathname]],
        env: { PARAFIT_MPI_STARTUP_TIMEOUT_MS: '3000' },
        timeoutMs: 30_000,
      })
      expect(launch.code).not.toBe(0)
      const reports = [...launch.reports.values()] as { error: string; message: string }[]
      expect(reports.length, launch.output).toBeGreaterThan(0)
      for (const r of reports)
        expect(r.message).toMatch(/rank 0 did not start runMpi \(session 1\) within 3 s/)
      expect(launch.seconds).toBeLessThan(15)
    }, 60_000)

    test('ranks that never start MPI: rank 0 leaves MPI_Init at the start-up timeout and the job ends', async () => {
      const launch = await mpirun(fixture('startup-session'), {
        np: 1,
        mpmd: [[2, '-e', 'setTimeout(() => {}, 20_000)']],
        env: { PARAFIT_MPI_STARTUP_TIMEOUT_MS: '3000' },
        timeoutMs: 30_000,
      })
      expect(launch.code).not.toBe(0)
      expect(launch.output).toContain('[parafit rank 0] MPI did not start within 3 s')
      expect(launch.seconds).toBeLessThan(15)
    }, 60_000)

    test('SIGTERM to rank 0 mid-fit (the launcher ending the job): the fit stops with FitError and its best result, the script writes it out', async () => {
      let signalled = false
      const launch = await mpirun(fixture('terminated-fit'), {
        np: 3,
        timeoutMs: 30_000,
        whileRunning: (child) => {
          let seen = ''
          child.stdout?.on('data', (chunk) => {
            seen += chunk
            const started = seen
              .split('\n')
              .map(reportIn)
              .find((r) => (r?.data as { started?: boolean })?.started)
            if (started === undefined || signalled) return
            signalled = true
            // Let the fit take a few steps first, then end the job as mpirun or Slurm would.
            setTimeout(() => process.kill((started.data as { pid: number }).pid, 'SIGTERM'), 1500)
          })
        },
      })
      expect(signalled, launch.output).toBe(true)
      const outcome = [...launch.reports.values()].find(
        (r) => (r as { error?: string }).error !== undefined,
      ) as
        | {
            error: string
            isFitError: boolean
            bestLoss: number
            nEvals: number
            message: string
            seconds: number
          }
        | undefined
      expect(outcome, launch.output).toBeDefined()
      expect(outcome!.isFitError).toBe(true)
      expect(outcome!.message).toContain('the MPI launcher is ending the job (SIGTERM')
      expect(outcome!.nEvals).toBeGreaterThan(0)
      expect(Number.isFinite(outcome!.bestLoss)).toBe(true)
      expect(launch.output).toContain('[parafit rank 0] SIGTERM: the launcher is ending the job')
      // The job ends with rank 0's status, well before the fit's budget.
      expect(launch.code).not.toBe(0)
      expect(launch.seconds).toBeLessThan(25)
    }, 60_000)

    test('a rank that dies: rank 0 reports which, the job exits non-zero without hanging', async () => {
      const launch = await mpirun(fixture('dies'), { np: 3, timeoutMs: 30_000 })
      expect(launch.code).not.toBe(0)
      const died =
        /rank ([12]) on \S+ \(pid \d+\) exited while serving runMpi tasks for rank 0 \(exit code 3\)/.exec(
          launch.output,
        )
      expect(died, launch.output).not.toBeNull()
      expect(launch.output).toContain(`worker MPI rank ${died![1]} died while evaluating`)
    }, 60_000)

    test('a rank that hangs past timeoutMs: that task times out, the others complete, a new module runs on the healthy rank, the job ends', async () => {
      const launch = await mpirun(fixture('hang'), { np: 3, timeoutMs: 30_000 })
      const { timeoutMessage, ...data } = launch.reports.get(0) as { timeoutMessage: string }
      expect(data, launch.output).toEqual({
        outcomes: [0, 1, 4, 'EvaluationTimeoutError', 16, 25, 36, 49, 64, 81],
        lost: 1,
        after: [0, 1, 4, 9],
      })
      expect(timeoutMessage).toMatch(
        /^evaluation did not finish within timeoutMs=1500; rank [12] \(\S+\) overran timeoutMs and is still running; an MPI rank cannot be stopped or replaced, so it takes no more work\. Raise timeoutMs/,
      )
      expect(launch.code).not.toBe(0)
      expect(launch.output).toMatch(/rank [12] \(\S+\) overran timeoutMs/)
    }, 60_000)

    test('a module that exits while loading on the ranks: ObjectiveLoadError naming it and the rank', async () => {
      const launch = await mpirun(fixture('exits-on-load'), { np: 3, timeoutMs: 30_000 })
      const data = launch.reports.get(0) as { error: string; message: string }
      expect(data?.error, launch.output).toBe('ObjectiveLoadError')
      expect(data.message).toMatch(
        /^cannot load objective module \S+exits-on-load\.objective\.ts: MPI rank [12] died while loading it \(rank [12] on \S+ \(pid \d+\) exited while serving mpiPool tasks for rank 0 \(exit code 7\)\)$/,
      )
      expect(launch.code).not.toBe(0)
    }, 60_000)

    test('a module that never finishes loading on the ranks: ObjectiveLoadError naming it at timeoutMs, the job ends', async () => {
      const launch = await mpirun(fixture('load-hang'), { np: 3, timeoutMs: 30_000 })
      const data = launch.reports.get(0) as { error: string; message: string; seconds: number; lost: number }
      expect(data?.error, launch.output).toBe('ObjectiveLoadError')
      expect(data.message).toMatch(
        /loops-on-load\.objective\.ts: it did not finish loading within timeoutMs=1500; rank [12] \(\S+\) overran timeoutMs and is still running; an MPI rank cannot be stopped or replaced/,
      )
      expect(data.seconds).toBeLessThan(5)
      expect(data.lost).toBeGreaterThanOrEqual(1)
      expect(launch.code).not.toBe(0)
    }, 60_000)

    test('close() while a rank is stuck without timeoutMs: the rank is lost after closeTimeoutMs and the job ends non-zero', async () => {
      const launch = await mpirun(fixture('close-stuck'), { np: 3, timeoutMs: 30_000 })
      const data = launch.reports.get(0) as { aborted: string; closeSeconds: number; lost: number }
      expect(data, launch.output).toMatchObject({ aborted: 'AbortError', lost: 1 })
      expect(data.closeSeconds).toBeGreaterThan(1)
      expect(data.closeSeconds).toBeLessThan(10)
      expect(launch.code).not.toBe(0)
      expect(launch.output).toMatch(
        /rank [12] \(\S+\) did not finish its work and confirm the pool's close within closeTimeoutMs=1500/,
      )
    }, 60_000)

    test.each(['tree', 'main'])(
      'ranks that loaded a different %s all fail with MpiMismatchError',
      async (what) => {
        const launch = await mpirun(fixture('mismatch'), { np: 3, args: [what] })
        expect(launch.code).not.toBe(0)
        const reports = reportsOf(launch, 3) as { error: string; isMismatch: boolean; message: string }[]
        for (const r of reports) expect(r.error).toBe('MpiMismatchError')
        for (const r of reports) expect(r.isMismatch).toBe(true)
        expect(reports[0]!.message).toContain('rank 1 (')
        expect(reports[0]!.message).not.toContain('rank 2 (')
        for (const r of reports) expect(r.message).toBe(reports[0]!.message)
      },
      60_000,
    )
  },
)
