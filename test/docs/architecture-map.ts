// Reads docs/architecture.md as a map of the tree, so that a test can say which source files it
// leaves out and which names in it point at nothing.
//
// The rules, kept simple so that anyone adding or moving a file can satisfy them:
// - A file is named by a code span (`like/this.ts`) or by a line of the Repository section's tree
//   (the fenced block without a language). `a.{h,cc}` names a.h and a.cc.
// - In a section `## @parafit/<name>`, a path is taken relative to packages/<name>/src/, else to
//   packages/<name>/, else to the repository's root; elsewhere relative to the root only.
// - Every file of packages/*/ in a folder other than test/ (src/, bin/, native/, scripts/,
//   assembly/, ...) and every file under bench/ and scripts/ must be named. examples/ is mapped by
//   examples/README.md, and tests by their own names, so neither is required here.
// - Every code span that looks like a path (ends in a file extension or `/`) must name a file or
//   folder of the tree, or a path git ignores (build outputs such as `dist/`). Paths starting with
//   `../` are outside the repository and not checked.

import { posix } from 'node:path'
import type { Tokens } from 'marked'
import {
  allTokens,
  lexWithLines,
  lineWithin,
  type PlacedToken,
  plainText,
  treeDirectories,
} from './markdown.ts'

export const fileExtensions = [
  'ts',
  'mts',
  'cts',
  'js',
  'mjs',
  'cjs',
  'json',
  'md',
  'sh',
  'py',
  'cc',
  'c',
  'h',
  'gyp',
  'wasm',
  'yml',
  'yaml',
  'toml',
  'txt',
  'csv',
  'dat',
  'png',
  'svg',
]
const pathLike = new RegExp(`^(?!/)[\\w./-]*(?:[\\w-]\\.(?:${fileExtensions.join('|')})|[\\w-]/)$`)

/** The files docs/architecture.md must name: package sources (not tests), bench/ and scripts/. */
export function filesToMap(files: readonly string[]): string[] {
  return files.filter(
    (file) => /^packages\/[^/]+\/(?!test\/)[^/]+\/./.test(file) || /^(?:bench|scripts)\//.test(file),
  )
}

/** A name in the page, where it is, and the paths it was tried as. */
export interface Mention {
  name: string
  section: string
  line: number
  tried: string[]
}

export interface ArchitectureReport {
  /** Files of `filesToMap` that the page does not name. */
  missing: string[]
  /** Names in the page that are no file or folder of the tree. */
  stale: Mention[]
}

/**
 * Checks the page against the tree. `files` are the tree's files (relative, `/`); `isIgnored`
 * tells which of some paths git ignores (so that `dist/` may be named).
 */
export function checkArchitecture(
  markdown: string,
  files: readonly string[],
  isIgnored: (paths: readonly string[]) => Set<string>,
): ArchitectureReport {
  const fileSet = new Set(files)
  const dirs = treeDirectories(files)
  const named = new Set<string>()
  const unresolved: Mention[] = []

  for (const mention of mentions(markdown)) {
    const found = mention.tried.find((path) => fileSet.has(path) || dirs.has(path.replace(/\/$/, '')))
    if (found === undefined) unresolved.push(mention)
    else if (fileSet.has(found)) named.add(found)
  }
  const ignored = isIgnored(unresolved.flatMap((m) => m.tried))
  return {
    missing: filesToMap(files).filter((file) => !named.has(file)),
    stale: unresolved.filter((m) => !m.tried.some((path) => ignored.has(path))),
  }
}

/** Every file or folder name in the page, with the paths it may stand for. */
export function mentions(markdown: string): Mention[] {
  const out: Mention[] = []
  let section = ''
  let bases = ['']
  for (const placed of lexWithLines(markdown)) {
    const { token } = placed
    if (token.type === 'heading' && (token as Tokens.Heading).depth <= 2) {
      section = plainText((token as Tokens.Heading).tokens)
      const pkg = /^@parafit\/([\w-]+)$/.exec(section)?.[1]
      bases = pkg ? [`packages/${pkg}/src`, `packages/${pkg}`, ''] : ['']
      continue
    }
    if (token.type === 'code' && section === 'Repository' && !(token as Tokens.Code).lang) {
      out.push(...treeMentions(placed, section))
      continue
    }
    for (const t of allTokens(token)) {
      if (t.type !== 'codespan') continue
      const name = (t as Tokens.Codespan).text
      if (name.startsWith('../')) continue
      const line = lineWithin(placed, `\`${name}\``)
      for (const expanded of expandBraces(name).filter((path) => pathLike.test(path))) {
        out.push({ name: expanded, section, line, tried: bases.map((base) => join(base, expanded)) })
      }
    }
  }
  return out
}

/** `a.{h,cc}` → a.h, a.cc (one pair of braces). */
export function expandBraces(name: string): string[] {
  const m = /^(.*)\{([^{}]*)\}(.*)$/.exec(name)
  if (!m) return [name]
  const [, head = '', alternatives = '', tail = ''] = m
  return alternatives.split(',').map((alt) => `${head}${alt}${tail}`)
}

function join(base: string, name: string): string {
  const joined = posix.normalize(base ? `${base}/${name}` : name)
  return name.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined
}

/**
 * The entries of a tree listing: a name at the start of a line, two spaces deeper than the
 * folder (`name/`) it is in; what follows the name is its description. A line indented otherwise
 * continues the description above it.
 */
function treeMentions(placed: PlacedToken, section: string): Mention[] {
  const out: Mention[] = []
  const folders: { indent: number; path: string }[] = []
  const lines = (placed.token as Tokens.Code).text.split('\n')
  // The block's text starts on the line after its opening fence.
  lines.forEach((text, i) => {
    const [, spaces, name] = /^( *)(\S+)/.exec(text) ?? []
    if (spaces === undefined || name === undefined) return
    const indent = spaces.length
    while ((folders.at(-1)?.indent ?? -1) >= indent) folders.pop()
    if (indent !== folders.length * 2) return
    const path = `${folders.at(-1)?.path ?? ''}${name}`
    if (name.endsWith('/')) folders.push({ indent, path })
    out.push({ name: path, section, line: placed.line + 1 + i, tried: [path] })
  })
  return out
}
