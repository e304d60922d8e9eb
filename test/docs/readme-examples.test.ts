// The READMEs' TypeScript examples are real: every block is type-checked against the packages'
// sources, and every program among them runs to exit status 0 (rules in readme-examples.ts).
// Each README's blocks are written to a folder of their own in the system's temporary folder, where
// a link to the workspace's node_modules resolves @parafit/* to the sources (the parafit-source
// condition is in NODE_OPTIONS, and in tsconfig.base.json for tsc).

import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { mpiBindingBuilt } from '@parafit/mpi'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readRepoFile, repoRoot } from './markdown.ts'
import {
  type CodeBlock,
  type CompilerError,
  duplicateFiles,
  placeCompilerErrors,
  typeScriptBlocks,
} from './readme-examples.ts'

const run = promisify(execFile)
const requireMpi = process.env.PARAFIT_REQUIRE_MPI === '1'

const packages = readdirSync(join(repoRoot, 'packages'), { withFileTypes: true })
  .filter(
    (entry) => entry.isDirectory() && existsSync(join(repoRoot, 'packages', entry.name, 'package.json')),
  )
  .map((entry) => entry.name)
  .sort()
const readmes = ['README.md', ...packages.map((name) => `packages/${name}/README.md`)].filter((path) =>
  existsSync(join(repoRoot, path)),
)
const blocksOf = new Map(readmes.map((readme) => [readme, typeScriptBlocks(readme, readRepoFile(readme))]))
const allBlocks = [...blocksOf.values()].flat()
/** Each README's folder under the scratch folder: its path with `/` as `__`. */
const folderOf = (readme: string) => readme.replaceAll('/', '__').replace(/\.md$/, '')

let scratch = ''
let compilerErrors: CompilerError[] = []
let unplacedErrors: string[] = []

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'parafit-readme-'))
  symlinkSync(join(repoRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir')
  // A user's project: ES modules (npm pkg set type=module), compiled as the repository is.
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ private: true, type: 'module' }))
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({ extends: join(repoRoot, 'tsconfig.base.json'), include: ['**/*.ts'] }),
  )
  for (const block of allBlocks) {
    mkdirSync(join(scratch, folderOf(block.readme)), { recursive: true })
    writeFileSync(join(scratch, folderOf(block.readme), block.file), block.code)
  }
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const output = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
    cwd: scratch,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string; stderr?: string; message: string }) =>
      (error.stdout ?? '') + (error.stderr ?? '') || error.message,
  )
  ;({ placed: compilerErrors, unplaced: unplacedErrors } = placeCompilerErrors(output, allBlocks, folderOf))
}, 120_000)

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

test('every package has a README.md with a checked TypeScript example and links to the guides', () => {
  const lacking = packages.flatMap((name) => {
    const readme = `packages/${name}/README.md`
    if (!readmes.includes(readme)) return [`${readme} is missing`]
    const problems: string[] = []
    if ((blocksOf.get(readme) ?? []).length === 0)
      problems.push(`${readme} has no \`\`\`ts block that is checked`)
    if (!readRepoFile(readme).includes('](../../docs/guides/')) problems.push(`${readme} links to no guide`)
    return problems
  })
  expect(lacking).toEqual([])
})

test('the blocks type-check (tsc over every README block)', () => {
  expect(unplacedErrors, 'tsc errors outside the README blocks').toEqual([])
  expect(compilerErrors.map((e) => `${e.readme}:${e.line}:${e.message}`)).toEqual([])
})

/** Why a program cannot run here, or undefined. */
function cannotRun(block: CodeBlock): string | undefined {
  if (block.code.includes("'@parafit/mpi'") && !mpiBindingBuilt() && !requireMpi)
    return 'the @parafit/mpi binding is not built'
  return undefined
}

describe.each(readmes)('%s', (readme) => {
  const blocks = blocksOf.get(readme) ?? []

  test('names each module once', () => {
    expect(duplicateFiles(blocks)).toEqual([])
  })

  for (const block of blocks.filter((b) => b.program)) {
    const missing = cannotRun(block)
    test.skipIf(missing !== undefined)(
      `the program at line ${block.line} runs${missing ? ` (skipped: ${missing})` : ''}`,
      async () => {
        const dir = join(scratch, folderOf(readme))
        const result = await run(process.execPath, [block.file], { cwd: dir, timeout: 60_000 }).then(
          ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
          (error: { stdout?: string; stderr?: string; message: string }) => ({
            ok: false,
            output: `${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`,
          }),
        )
        expect(result.ok, `${readme}:${block.line}: the example failed:\n${result.output}`).toBe(true)
      },
      90_000,
    )
  }
})
