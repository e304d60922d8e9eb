// What the docs checks share: the repository's tree as a fresh clone has it, and Markdown read
// with marked (links, headings, code blocks) with the line each thing is on.

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import GithubSlugger from 'github-slugger'
import { marked, type Token, type Tokens } from 'marked'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The repository's files (paths relative to its root, with `/`) as CI's fresh clone will have
 * them: tracked or new and not ignored, and still on disk. Build outputs (dist/, the MPI binding's
 * build/) and node_modules are not in it.
 */
export function treeFiles(root = repoRoot): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  })
  const files = out.toString('utf8').split('\0').filter(Boolean)
  return [...new Set(files)].filter((file) => existsSync(join(root, file))).sort()
}

/** Every folder that holds a file of `files`, as `a/b` (no trailing slash); the root is ''. */
export function treeDirectories(files: readonly string[]): Set<string> {
  const dirs = new Set<string>([''])
  for (const file of files) {
    const parts = file.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  return dirs
}

/** Which of `paths` git ignores (generated outputs such as `dist/`), whether they exist or not. */
export function ignoredPaths(paths: readonly string[], root = repoRoot): Set<string> {
  if (paths.length === 0) return new Set()
  try {
    const out = execFileSync('git', ['check-ignore', '--no-index', '--stdin'], {
      cwd: root,
      input: paths.join('\n'),
    })
    return new Set(out.toString('utf8').split('\n').filter(Boolean))
  } catch (error) {
    // Exit status 1: none of them is ignored.
    if ((error as { status?: number }).status === 1) return new Set()
    throw error
  }
}

export function readRepoFile(path: string, root = repoRoot): string {
  return readFileSync(join(root, path), 'utf8')
}

/** A top-level token of a Markdown document with the line (1-based) it starts on. */
export interface PlacedToken {
  token: Token
  line: number
}

/** The document's top-level tokens, each with its line (their `raw`s add up to the source). */
export function lexWithLines(markdown: string): PlacedToken[] {
  const placed: PlacedToken[] = []
  let line = 1
  for (const token of marked.lexer(markdown)) {
    placed.push({ token, line })
    line += countNewlines(token.raw)
  }
  return placed
}

function countNewlines(text: string): number {
  let n = 0
  for (const ch of text) if (ch === '\n') n++
  return n
}

/** The line of `needle` inside a top-level token (its first line when not found). */
export function lineWithin(placed: PlacedToken, needle: string): number {
  const at = placed.token.raw.indexOf(needle)
  return at < 0 ? placed.line : placed.line + countNewlines(placed.token.raw.slice(0, at))
}

/** Every token under `token`, itself included (tables, lists and inline tokens too). */
export function allTokens(token: Token): Token[] {
  const out: Token[] = []
  marked.walkTokens([token], (t) => {
    out.push(t)
  })
  return out
}

/** A heading's text as GitHub renders it (code spans and links as their text, no markup). */
export function plainText(tokens: readonly Token[] | undefined): string {
  if (!tokens) return ''
  return tokens
    .map((t) => {
      if (t.type === 'html') return ''
      if ('tokens' in t && Array.isArray(t.tokens)) return plainText(t.tokens as Token[])
      return 'text' in t && typeof t.text === 'string' ? t.text : ''
    })
    .join('')
}

/** The anchors a Markdown file has on GitHub: its headings' slugs, and `id`/`name` in raw HTML. */
export function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger()
  const anchors = new Set<string>()
  for (const { token } of lexWithLines(markdown)) {
    for (const t of allTokens(token)) {
      if (t.type === 'heading') anchors.add(slugger.slug(plainText((t as Tokens.Heading).tokens)))
      if (t.type === 'html') {
        for (const [, id] of t.raw.matchAll(/\b(?:id|name)\s*=\s*["']([^"']+)["']/g))
          if (id) anchors.add(id.toLowerCase())
      }
    }
  }
  return anchors
}
