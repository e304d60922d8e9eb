// parafit as someone outside the repository gets it: every package packed with `npm pack` (which
// builds dist/ first), the tarballs installed into a scratch project in the system's temporary
// folder, where nothing of the monorepo can be resolved. There a user's program type-checks
// against the published declarations, fits a model module of the project on a thread pool, a
// process pool and under mpirun, samples a log-probability module of the project with
// @parafit/sampler on threads and under mpirun, and the `parafit` bin fits the same model.

import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { mpiMissing } from '../mpi/launch.ts'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const fixtures = fileURLToPath(new URL('./project/', import.meta.url))
const packages = ['core', 'parallel', 'mpi', 'fitter', 'sampler', 'cli', 'plot']
const requireMpi = process.env.PARAFIT_REQUIRE_MPI === '1'
// Every test below starts tsc, node or mpirun in the project: seconds each, more on a busy
// machine (two runs of tsc took over 5 s, vitest's default, at a load of 6 on 2 cores).

// What a user's shell has: Node 22 first on PATH, and none of the monorepo's source condition.
const userEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace('--conditions=parafit-source', '').trim(),
  OMPI_ALLOW_RUN_AS_ROOT: '1',
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
}

let scratch: string
let project: string

async function sh(command: string, args: string[], cwd: string, timeout = 120_000) {
  try {
    return await run(command, args, { cwd, env: userEnv, timeout, maxBuffer: 32 * 1024 * 1024 })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
  }
}

async function devDependencyVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>
  }
  return lock.packages[`node_modules/${name}`]!.version
}

interface FitLine {
  pool: string
  params: Record<string, number>
  loss: number
  points: number
}

interface SampleLine {
  pool: string
  samples: number
  mean: number[]
  last: number[]
}

function lastLine(stdout: string): string {
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1)
  expect(line, stdout).toBeDefined()
  return line!
}

function lastJsonLine(stdout: string): FitLine {
  return JSON.parse(lastLine(stdout)) as FitLine
}

describe('the packed packages, installed into a project outside the repository', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'parafit-installed-'))
    const packs = join(scratch, 'packs')
    project = join(scratch, 'project')
    await mkdir(packs)
    await mkdir(project)
    await sh(
      'npm',
      ['pack', ...packages.flatMap((p) => ['--workspace', `packages/${p}`]), '--pack-destination', packs],
      root,
    )
    await writeFile(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'my-fits', private: true, type: 'module' }, null, 2)}\n`,
    )
    for (const file of [
      'model.ts',
      'fit.ts',
      'posterior.ts',
      'sample.ts',
      'likelihood.ts',
      'nested.ts',
      'tsconfig.json',
    ]) {
      await copyFile(join(fixtures, file), join(project, file))
    }
    const tarballs = (await readdir(packs)).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f))
    expect(tarballs).toHaveLength(packages.length)
    const typescript = await devDependencyVersion('typescript')
    const typesNode = await devDependencyVersion('@types/node')
    // The MPI binding builds here, in @parafit/mpi's install script, against this Node's headers.
    await sh(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        ...tarballs,
        `typescript@${typescript}`,
        `@types/node@${typesNode}`,
      ],
      project,
      400_000,
    )
  }, 420_000)

  afterAll(async () => {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true })
  })

  test('the tarballs hold built JavaScript and declarations, not TypeScript sources', async () => {
    for (const name of packages) {
      const dir = join(project, 'node_modules', '@parafit', name)
      const { stdout } = await sh('find', [dir, '-name', '*.ts', '-not', '-name', '*.d.ts'], project)
      expect(stdout.trim(), `${name} ships .ts sources`).toBe('')
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
        exports: Record<string, { default: string }>
      }
      for (const entry of Object.values(pkg.exports)) expect(entry.default).toMatch(/^\.\/dist\/.*\.js$/)
    }
  })

  test("a user's program type-checks against the published declarations", async () => {
    await sh(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], project)
    // ...and the check can fail: a misspelled option is caught by the declarations.
    await writeFile(
      join(project, 'wrong.ts'),
      "import { Fitter } from '@parafit/fitter'\nexport const f = (o: never) => new Fitter(o, { initial: { a: 1 }, numWorkerz: 2 })\n",
    )
    await expect(
      sh(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], project),
    ).rejects.toThrow(/numWorkerz/)
    await rm(join(project, 'wrong.ts'))
  }, 120_000)

  test('a fit on a thread pool and on a process pool gives the same result', async () => {
    const threads = lastJsonLine((await sh('node', ['fit.ts', 'threads'], project)).stdout)
    const processes = lastJsonLine((await sh('node', ['fit.ts', 'processes'], project)).stdout)
    expect(threads.params.a).toBeCloseTo(3, 2)
    expect(threads.params.b).toBeCloseTo(0.7, 2)
    expect(threads.points).toBe(40)
    expect(processes.params).toEqual(threads.params)
    expect(processes.loss).toBe(threads.loss)
  }, 120_000)

  const mpi = mpiMissing()

  test("a user's log-probability module samples on threads, and the same seed gives the same chain on MPI ranks", async () => {
    const threads = JSON.parse(
      lastLine((await sh('node', ['sample.ts', 'threads'], project)).stdout),
    ) as SampleLine
    expect(threads.samples).toBe(16 * 300)
    for (const m of threads.mean) expect(Math.abs(m)).toBeLessThan(0.5)
    if (mpi !== undefined && !requireMpi) return
    const { stdout } = await sh(
      'mpirun',
      ['--oversubscribe', '--bind-to', 'none', '-np', '3', 'node', 'sample.ts', 'mpi'],
      project,
    )
    const ranks = JSON.parse(lastLine(stdout)) as SampleLine
    expect(ranks.pool).toBe('mpi')
    expect({ ...ranks, pool: 'threads' }).toEqual(threads)
  }, 120_000)
  test("a user's likelihood module gives log Z on threads (networks trained on the workers), and the same on every MPI rank", async () => {
    type NestedLine = { pool: string; logZ: number; logZErr: number; nLike: number; points: number }
    const threads = JSON.parse(
      lastLine((await sh('node', ['nested.ts', 'threads'], project)).stdout),
    ) as NestedLine
    // ln of 2π·0.1·0.05: the Gaussian's integral, well inside the unit square.
    expect(Math.abs(threads.logZ - Math.log(2 * Math.PI * 0.1 * 0.05))).toBeLessThan(4 * threads.logZErr)
    if (mpi !== undefined && !requireMpi) return
    const { stdout } = await sh(
      'mpirun',
      ['--oversubscribe', '--bind-to', 'none', '-np', '3', 'node', 'nested.ts', 'mpi'],
      project,
    )
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'))
    expect(lines).toHaveLength(3)
    for (const line of lines)
      expect({ ...(JSON.parse(line) as NestedLine), pool: 'threads' }).toEqual(threads)
  }, 240_000)
  test.skipIf(mpi !== undefined && !requireMpi)(
    'a fit under mpirun uses the binding built at install',
    async () => {
      const built = await readdir(join(project, 'node_modules', '@parafit', 'mpi', 'build', 'Release'))
      expect(built).toContain('parafit_mpi.node')
      const { stdout } = await sh(
        'mpirun',
        ['--oversubscribe', '--bind-to', 'none', '-np', '3', 'node', 'fit.ts', 'mpi'],
        project,
      )
      const threads = lastJsonLine((await sh('node', ['fit.ts', 'threads'], project)).stdout)
      const ranks = lastJsonLine(stdout)
      expect(ranks.pool).toBe('mpi')
      expect(ranks.params).toEqual(threads.params)
    },
    120_000,
  )

  test('the parafit bin fits a model module of the project', async () => {
    const { stdout } = await sh(
      join(project, 'node_modules', '.bin', 'parafit'),
      ['fit', 'model.ts', '--workers', '2', '--no-progress', '--out', 'out/result.json'],
      project,
    )
    expect(stdout).toContain('converged')
    const saved = JSON.parse(await readFile(join(project, 'out', 'result.json'), 'utf8')) as FitLine
    const threads = lastJsonLine((await sh('node', ['fit.ts', 'threads'], project)).stdout)
    expect(saved.params).toEqual(threads.params)
    const version = await sh(join(project, 'node_modules', '.bin', 'parafit'), ['--version'], project)
    expect(version.stdout.trim()).toBe('0.1.0')
  }, 120_000)
})
