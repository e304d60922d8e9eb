// The guide's Slurm batch script (docs/guides/mpi.md, "On a cluster") run for real, on a one-node
// cluster that this file starts (scripts/slurm-cluster.sh) with a state directory of its own and
// stops at the end. Two jobs shaped like the guide's, `--nodes=1 --ntasks=3`:
//
// - `srun node fit.ts`: srun starts the 3 ranks itself. They form one MPI job through Slurm's PMIx
//   plugin (MpiDefault=pmix), which Debian's Open MPI 4.1 speaks; with --mpi=pmi2 or none each
//   rank fails in MPI_Init ("The application appears to have been direct launched using "srun",
//   but OMPI was not built with SLURM's PMI support"), so the cluster script picks pmix.
// - `mpirun node fit.ts`: Open MPI reads the allocation (3 slots: no -np, no --oversubscribe) and
//   starts the ranks; on one node it needs no daemons on other nodes, so no srun of its own.
//
// Each job runs the fit and sampler fixtures of test/mpi and a fixture that reports what the
// ranks see of their launcher, and must give what plain `mpirun -np 3` gives.
//
// Skipped, with the reason, where slurm-wlm or munge are not installed, where this is not root
// (the daemons run as root), or where mpirun or the MPI binding are missing, except under
// PARAFIT_REQUIRE_SLURM=1 (CI as root), where that is a failure. A cluster that is installed but
// does not start fails the tests.

import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { mpiMissing, mpirun, reportIn } from '../mpi/launch.ts'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const clusterScript = join(repo, 'scripts/slurm-cluster.sh')
const mpiFixture = (name: string) => new URL(`../mpi/fixtures/${name}.ts`, import.meta.url)

function installed(tool: string): boolean {
  // munged and slurmctld live in /usr/sbin, which is not always on PATH.
  if (existsSync(`/usr/sbin/${tool}`) || existsSync(`/usr/bin/${tool}`)) return true
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Why the Slurm tests cannot run here, or undefined when they can. */
function slurmMissing(): string | undefined {
  const tools = ['slurmctld', 'slurmd', 'sbatch', 'srun', 'munged'].filter((tool) => !installed(tool))
  if (tools.length > 0) return `${tools.join(', ')} not installed (apt-get install -y slurm-wlm munge)`
  if (process.getuid?.() !== 0) return 'the one-node Slurm cluster needs root (its daemons run as root)'
  return undefined
}

const missing = slurmMissing() ?? mpiMissing()

// CI installs Slurm as root and sets PARAFIT_REQUIRE_SLURM=1: there, a missing piece is a
// failure, not a skip.
if (missing !== undefined && process.env.PARAFIT_REQUIRE_SLURM === '1') {
  test('Slurm is available', () => {
    expect.fail(`PARAFIT_REQUIRE_SLURM=1 but ${missing}`)
  })
}

/** Quoted for bash. */
const sh = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

type Launcher = 'srun' | 'mpirun'

interface Job {
  readonly id: string
  /** sbatch --wait's exit status: the job's. */
  readonly status: number | null
  /** The job's line in the cluster's JobCompLoc: JobState=..., ExitCode=... */
  readonly completion: string
  /** What each step of the batch script printed, by step: each rank's report, by rank. */
  readonly steps: Map<string, Map<number, unknown>>
  readonly output: string
}

/** The batch script: the guide's, with the test's Node in place of `module load`. */
function batchScript(launcher: Launcher, outputFile: string): string {
  // Ranks of mpirun inside the allocation: as many as the job has tasks (Open MPI reads them from
  // Slurm), so neither -np nor --oversubscribe. --bind-to none as on a laptop (docs/guides/mpi.md).
  const launch = launcher === 'srun' ? 'srun' : 'mpirun --bind-to none'
  return `#!/bin/bash
#SBATCH --job-name=parafit-${launcher}
#SBATCH --nodes=1
#SBATCH --ntasks=3
#SBATCH --time=00:02:00
#SBATCH --output=${outputFile}
set -euo pipefail

# Where the guide has \`module load openmpi nodejs/22\`: this test's Node, and its NODE_OPTIONS
# (--conditions=parafit-source: the workspace packages run from their TypeScript sources).
export PATH=${sh(dirname(process.execPath))}:"$PATH"
export NODE_OPTIONS=${sh(process.env.NODE_OPTIONS ?? '')}
${launcher === 'mpirun' ? 'export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # the test runs as root\n' : ''}
cd "$SLURM_SUBMIT_DIR"
echo "PARAFIT_STEP fit"
PARAFIT_FIT_FIXTURE_RUN=1 ${launch} node test/mpi/fixtures/fit.ts
echo "PARAFIT_STEP sample"
PARAFIT_SAMPLE_FIXTURE_RUN=1 ${launch} node test/mpi/fixtures/sample.ts
echo "PARAFIT_STEP launch-info"
${launch} node test/slurm/fixtures/launch-info.ts
`
}

/** The PARAFIT_REPORT lines of a job's output, by the PARAFIT_STEP line they follow. */
function stepsOf(output: string): Map<string, Map<number, unknown>> {
  const steps = new Map<string, Map<number, unknown>>()
  let current = new Map<number, unknown>()
  for (const line of output.split('\n')) {
    if (line.startsWith('PARAFIT_STEP ')) {
      current = new Map()
      steps.set(line.slice('PARAFIT_STEP '.length).trim(), current)
      continue
    }
    const report = reportIn(line)
    if (report !== undefined) current.set(report.rank, report.data)
  }
  return steps
}

describe.skipIf(missing !== undefined)(
  `the guide's Slurm batch script on a one-node cluster${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let dir = ''
    let env: NodeJS.ProcessEnv = {}

    function cluster(command: 'start' | 'stop'): void {
      execFileSync('bash', [clusterScript, command], {
        env: { ...process.env, PARAFIT_SLURM_DIR: dir },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      })
    }

    /** Submits the batch script with `sbatch --wait`; the job is cancelled if it overruns. */
    function sbatch(launcher: Launcher, timeoutMs = 90_000): Promise<Job> {
      const script = join(dir, `${launcher}.sbatch`)
      writeFileSync(script, batchScript(launcher, join(dir, `${launcher}-%j.out`)))
      return new Promise((resolve, reject) => {
        // --parsable: the job id alone on stdout, printed once submitted (then sbatch waits).
        const child = spawn('sbatch', ['--parsable', '--wait', script], {
          cwd: repo, // the job's $SLURM_SUBMIT_DIR, as on a login node
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (chunk) => {
          stdout += chunk
        })
        child.stderr.on('data', (chunk) => {
          stderr += chunk
        })
        const jobId = () => stdout.trim().split(/[;\s]/)[0] ?? ''
        const timer = setTimeout(() => {
          child.kill('SIGKILL')
          try {
            if (jobId()) execFileSync('scancel', [jobId()], { env, stdio: 'ignore', timeout: 10_000 })
          } catch {
            // The cluster's stop cancels what is left.
          }
          reject(
            new Error(`job ${jobId() || '(not submitted)'} did not end within ${timeoutMs} ms\n${stderr}`),
          )
        }, timeoutMs)
        child.on('error', reject)
        child.on('close', async (status) => {
          clearTimeout(timer)
          const id = jobId()
          const outputFile = join(dir, `${launcher}-${id}.out`)
          const output = existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : `(no ${outputFile})`
          // slurmctld writes the job's completion line as the job ends; sbatch sees the end on its
          // next poll, so the line is normally there already. Bounded wait all the same.
          const completions = join(dir, 'log', 'jobcomp.txt')
          let completion = ''
          for (let i = 0; i < 50 && !completion; i++) {
            const lines = existsSync(completions) ? readFileSync(completions, 'utf8').split('\n') : []
            completion = lines.find((line) => line.startsWith(`JobId=${id} `)) ?? ''
            if (!completion) await new Promise((wake) => setTimeout(wake, 100))
          }
          resolve({
            id,
            status,
            completion,
            steps: stepsOf(output),
            output: `sbatch: ${stderr}\n${output}`,
          })
        })
      })
    }

    // The cluster and the reference runs under plain mpirun start at once: the jobs are queued
    // as soon as the cluster is up, and the 2 cores are shared rather than waited for in turn.
    let jobs: Record<Launcher, Promise<Job>>
    let plain: Promise<{ fit: unknown; sample: unknown }>

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'parafit-slurm-'))
      // Not a skip: slurm-wlm and munge are installed, so a cluster that does not start is a bug.
      try {
        cluster('start')
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string }
        throw new Error(`scripts/slurm-cluster.sh start failed:\n${stdout ?? ''}\n${stderr ?? ''}`)
      }
      env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') }
      // Both jobs at once: the node has room for one, so the second is queued until the first ends.
      jobs = { srun: sbatch('srun'), mpirun: sbatch('mpirun') }
      plain = (async () => {
        const fit = await mpirun(mpiFixture('fit'), { np: 3, env: { PARAFIT_FIT_FIXTURE_RUN: '1' } })
        const sample = await mpirun(mpiFixture('sample'), { np: 3, env: { PARAFIT_SAMPLE_FIXTURE_RUN: '1' } })
        expect(fit.code, fit.output).toBe(0)
        expect(sample.code, sample.output).toBe(0)
        return { fit: fit.reports.get(0), sample: sample.reports.get(0) }
      })()
      // Awaited in the tests; a failure before then is not an unhandled rejection.
      for (const pending of [jobs.srun, jobs.mpirun, plain]) pending.catch(() => {})
    }, 60_000)

    afterAll(async () => {
      // A test that failed early leaves its job to run on: let it end (or be cancelled) first.
      await Promise.allSettled([jobs?.srun, jobs?.mpirun, plain])
      try {
        if (dir) cluster('stop')
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true })
      }
    }, 120_000)

    async function checkJob(launcher: Launcher): Promise<Job> {
      const job = await jobs[launcher]
      expect(job.status, job.output).toBe(0)
      expect(job.completion, job.output).toMatch(/ JobState=COMPLETED /)
      expect(job.completion).toMatch(/ ExitCode=0:0( |$)/)
      expect([...job.steps.keys()], job.output).toEqual(['fit', 'sample', 'launch-info'])

      // What the mpirun tests (test/mpi/mpi.test.ts) assert of these fixtures: only rank 0
      // reports (the others served and exited), ranks 1 and 2 evaluated the log-probability, and
      // the fit and the chain are those of a serial run, which plain mpirun -np 3 gives too.
      const fit = job.steps.get('fit')!
      const sample = job.steps.get('sample')!
      expect([...fit.keys()], job.output).toEqual([0])
      expect([...sample.keys()], job.output).toEqual([0])
      expect((sample.get(0) as { otherProcesses: number }).otherProcesses).toBe(2)
      const reference = await plain
      expect(fit.get(0)).toEqual(reference.fit)
      expect(sample.get(0)).toEqual(reference.sample)
      const { runFits } = await import('../mpi/fixtures/fit.ts')
      expect(fit.get(0)).toEqual(JSON.parse(JSON.stringify(await runFits(1))))
      return job
    }

    const launchInfo = (job: Job) =>
      [...job.steps.get('launch-info')!.entries()].sort(([a], [b]) => a - b).map(([, data]) => data)

    test('srun starts the ranks as one MPI job: the fit and the chain of plain mpirun, detectMpi() says slurm', async () => {
      const job = await checkJob('srun')
      // srun sets SLURM_PROCID/SLURM_NTASKS/SLURM_STEP_ID and, through PMIx, PMIX_RANK but not
      // PMIX_SIZE or OMPI_COMM_WORLD_*: detectMpi() finds Slurm, and MPI agrees on the size.
      expect(launchInfo(job), job.output).toEqual(
        [0, 1, 2].map((rank) => ({ detected: { launcher: 'slurm', size: 3, rank }, mpiSize: 3 })),
      )
    }, 120_000)

    test('mpirun inside the allocation: ranks from the allocation, the same fit and chain, detectMpi() says openmpi', async () => {
      const job = await checkJob('mpirun')
      // Open MPI's own variables (OMPI_COMM_WORLD_SIZE/RANK) come first in detectMpi(), before
      // the SLURM_* variables the ranks inherit from the batch script. 3 ranks: the job's tasks.
      expect(launchInfo(job), job.output).toEqual(
        [0, 1, 2].map((rank) => ({ detected: { launcher: 'openmpi', size: 3, rank }, mpiSize: 3 })),
      )
    }, 120_000)
  },
)
