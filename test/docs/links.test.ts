// Every relative link of every Markdown file of the repository leads to a file or folder inside
// it, and a link to a heading (`guide.md#section`) to a heading that file has.

import { describe, expect, test } from 'vitest'
import { type BrokenLink, brokenLinks, linksOf } from './links.ts'
import { readRepoFile, treeFiles } from './markdown.ts'

const where = (b: BrokenLink) => `${b.file}:${b.line}: (${b.href}) ${b.problem}`

test('every relative link of every Markdown file resolves inside the repository', () => {
  const files = treeFiles()
  const documents = new Map(files.filter((f) => f.endsWith('.md')).map((f) => [f, readRepoFile(f)] as const))
  expect(documents.size).toBeGreaterThan(10)
  expect(brokenLinks(documents, files).map(where), 'these links lead nowhere: correct them').toEqual([])
})

describe('the link check', () => {
  const files = ['README.md', 'docs/guide.md', 'docs/images/a.png', 'packages/core/src/index.ts']
  const check = (readme: string) =>
    brokenLinks(
      new Map([
        ['README.md', readme],
        [
          'docs/guide.md',
          '# Guide\n\n## Chain files\n\n## Chain files\n\n### `Fitter` options\n<a id="Custom"></a>\n',
        ],
      ]),
      files,
    ).map(where)

  test('accepts links to files, folders, headings and ids, and leaves other schemes alone', () => {
    expect(
      check(
        [
          '[g](docs/guide.md) [c](packages/core) [i](./packages/core/src/index.ts) [r](/docs/guide.md)',
          '[h](docs/guide.md#chain-files) [h2](docs/guide.md#chain-files-1) [o](docs/guide.md#fitter-options)',
          '[x](docs/guide.md#custom) [w](https://example.org/missing.md) [m](mailto:a@b.c) [self](#top)',
          '<img src="docs/images/a.png" width="10">',
          '',
          '# Top',
        ].join('\n'),
      ),
    ).toEqual([])
  })

  test('reports missing files, links outside the repository and unknown anchors, with their line', () => {
    expect(
      check(
        [
          'See [the guide](docs/guides.md).',
          '',
          '| a | b |',
          '|---|---|',
          '| [up](../shared/x.md) | ![img](docs/images/b.png) |',
          '',
          '[anchor](docs/guide.md#chain-file) [ref][r] <img src="docs/a.png">',
          '',
          '[r]: docs/none.md',
        ].join('\n'),
      ),
    ).toEqual([
      'README.md:1: (docs/guides.md) names docs/guides.md, which is not in the repository',
      'README.md:5: (../shared/x.md) leads outside the repository',
      'README.md:5: (docs/images/b.png) names docs/images/b.png, which is not in the repository',
      'README.md:7: (docs/guide.md#chain-file) docs/guide.md has no heading with anchor #chain-file',
      'README.md:7: (docs/none.md) names docs/none.md, which is not in the repository',
      'README.md:7: (docs/a.png) names docs/a.png, which is not in the repository',
      'README.md:9: (docs/none.md) names docs/none.md, which is not in the repository',
    ])
  })

  test('finds no links in code blocks or code spans', () => {
    expect(linksOf('`[a](b.md)`\n\n```md\n[c](d.md)\n```\n')).toEqual([])
  })
})
