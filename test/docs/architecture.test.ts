// docs/architecture.md is the map of the code: it must name every source file, and name nothing
// that is gone. The rules it is read by are at the top of architecture-map.ts.

import { fc, test as propertyTest } from '@fast-check/vitest'
import { describe, expect, test } from 'vitest'
import { checkArchitecture, expandBraces, filesToMap, type Mention, mentions } from './architecture-map.ts'
import { ignoredPaths, readRepoFile, treeFiles } from './markdown.ts'

const where = (m: Mention) =>
  `\`${m.name}\` (docs/architecture.md:${m.line}, ${m.section || 'top'}): tried ${m.tried.join(', ')}`

describe('docs/architecture.md against the tree', () => {
  const report = checkArchitecture(readRepoFile('docs/architecture.md'), treeFiles(), ignoredPaths)

  test('names every source file of packages/*, bench/ and scripts/', () => {
    expect(
      report.missing,
      'docs/architecture.md does not name these files. Add each to its package section, as a code span ' +
        "with its path from the package's src/ (e.g. `nested/bound.ts`) or from the package folder " +
        '(`native/x.cc`), or to the Repository tree for bench/ and scripts/',
    ).toEqual([])
  })

  test('names no file or folder that is not in the tree', () => {
    expect(
      report.stale.map(where),
      'docs/architecture.md names these paths, which are not in the tree (moved or removed?): correct or drop them',
    ).toEqual([])
  })
})

describe('the architecture check', () => {
  const files = [
    'bench/run.ts',
    'bench/objectives/work.objective.ts',
    'packages/core/src/index.ts',
    'packages/core/src/testing/spec.ts',
    'packages/core/test/context.test.ts',
    'packages/core/package.json',
    'packages/mpi/native/doorbell.cc',
    'packages/mpi/native/doorbell.h',
    'README.md',
  ]
  const noneIgnored = () => new Set<string>()
  const page = [
    '# Architecture',
    '',
    '## Repository',
    '',
    '```',
    'bench/',
    '  run.ts            the benchmarks',
    '  objectives/',
    '    work.objective.ts  spins',
    '                    a continued description, not a file',
    'README.md           the front page',
    '```',
    '',
    'The built `dist/` is not in git.',
    '',
    '## @parafit/core',
    '',
    '| file | concern |',
    '|---|---|',
    '| `index.ts`, `testing/spec.ts` | entry; specs (`Pool.evaluate`, `meta.children` are no paths) |',
    '',
    'Tested in `test/context.test.ts`.',
    '',
    '## @parafit/mpi',
    '',
    '`native/doorbell.{h,cc}` ring peers.',
  ].join('\n')

  test('a page that names every file passes', () => {
    expect(
      checkArchitecture(page, files, (paths) => new Set(paths.filter((p) => p.includes('dist')))),
    ).toEqual({
      missing: [],
      stale: [],
    })
  })

  test('lists the files the page leaves out', () => {
    const shorter = page.replace('`index.ts`, ', '').replace('    work.objective.ts  spins\n', '')
    expect(checkArchitecture(shorter, files, noneIgnored).missing).toEqual([
      'bench/objectives/work.objective.ts',
      'packages/core/src/index.ts',
    ])
  })

  test('lists the names that point at nothing, with their line and the paths tried', () => {
    const moved = page.replace('`testing/spec.ts`', '`testing/specs.ts`')
    const report = checkArchitecture(moved, files, noneIgnored)
    expect(report.missing).toEqual(['packages/core/src/testing/spec.ts'])
    expect(report.stale.map(where)).toEqual([
      '`dist/` (docs/architecture.md:14, Repository): tried dist/',
      '`testing/specs.ts` (docs/architecture.md:20, @parafit/core): tried packages/core/src/testing/specs.ts, packages/core/testing/specs.ts, testing/specs.ts',
    ])
  })

  test('reads the tree by indentation: folders, their files, continued descriptions', () => {
    expect(
      mentions(page)
        .filter((m) => m.section === 'Repository')
        .map((m) => `${m.line} ${m.name}`),
    ).toEqual([
      '6 bench/',
      '7 bench/run.ts',
      '8 bench/objectives/',
      '9 bench/objectives/work.objective.ts',
      '11 README.md',
      '14 dist/',
    ])
  })

  test('expands one pair of braces', () => {
    expect(expandBraces('native/a.{h,cc}')).toEqual(['native/a.h', 'native/a.cc'])
    expect(expandBraces('a.ts')).toEqual(['a.ts'])
  })

  test('requires package sources, bench/ and scripts/, not tests or package files', () => {
    expect(filesToMap(files)).toEqual([
      'bench/run.ts',
      'bench/objectives/work.objective.ts',
      'packages/core/src/index.ts',
      'packages/core/src/testing/spec.ts',
      'packages/mpi/native/doorbell.cc',
      'packages/mpi/native/doorbell.h',
    ])
  })

  const fileName = fc.stringMatching(/^[a-z][a-z-]{0,8}\.ts$/)
  const sourceFile = fc
    .tuple(fc.constantFrom('core', 'parallel'), fc.constantFrom('', 'worker/', 'a/b/'), fileName)
    .map(([pkg, dir, name]) => ({ pkg, relative: `${dir}${name}` }))

  propertyTest.prop([
    fc.uniqueArray(sourceFile, { minLength: 1, maxLength: 12, selector: (f) => `${f.pkg}/${f.relative}` }),
  ])(
    'a page naming each file in its section passes, and leaving one out reports exactly that one',
    (sources) => {
      const tree = sources.map((f) => `packages/${f.pkg}/src/${f.relative}`)
      const pageFor = (list: typeof sources) =>
        ['core', 'parallel']
          .map((pkg) =>
            [
              `## @parafit/${pkg}`,
              '',
              ...list.filter((f) => f.pkg === pkg).map((f) => `- \`${f.relative}\``),
              '',
            ].join('\n'),
          )
          .join('\n')
      expect(checkArchitecture(pageFor(sources), tree, noneIgnored)).toEqual({ missing: [], stale: [] })
      const [left, ...rest] = sources
      expect(checkArchitecture(pageFor(rest), tree, noneIgnored).missing).toEqual([
        `packages/${left!.pkg}/src/${left!.relative}`,
      ])
    },
  )
})
