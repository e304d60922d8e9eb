// Finds the relative links of Markdown files that lead nowhere: to a file or folder that is not
// in the repository, outside it, or to a heading the target does not have.

import { posix } from 'node:path'
import type { Tokens } from 'marked'
import { allTokens, anchorsOf, lexWithLines, lineWithin, treeDirectories } from './markdown.ts'

export interface BrokenLink {
  file: string
  line: number
  href: string
  problem: string
}

/** A link's target as written: `[text](href)`, `![alt](href)`, `[ref]: href`, or src/href in HTML. */
interface Link {
  href: string
  line: number
}

/**
 * Checks every link of `documents` (repository path → Markdown) against `files`, the
 * repository's files. Links with a scheme (https:, mailto:) are not checked; a link starting with
 * `/` is taken from the repository's root, as GitHub does.
 */
export function brokenLinks(documents: ReadonlyMap<string, string>, files: readonly string[]): BrokenLink[] {
  const fileSet = new Set(files)
  const dirs = treeDirectories(files)
  const anchorCache = new Map<string, Set<string>>()
  const anchors = (path: string): Set<string> | undefined => {
    const markdown = documents.get(path)
    if (markdown === undefined) return undefined
    let set = anchorCache.get(path)
    if (!set) {
      set = anchorsOf(markdown)
      anchorCache.set(path, set)
    }
    return set
  }

  const broken: BrokenLink[] = []
  for (const [file, markdown] of documents) {
    for (const { href, line } of linksOf(markdown)) {
      const problem = linkProblem(file, href, fileSet, dirs, anchors)
      if (problem) broken.push({ file, line, href, problem })
    }
  }
  return broken
}

function linkProblem(
  file: string,
  href: string,
  files: Set<string>,
  dirs: Set<string>,
  anchors: (path: string) => Set<string> | undefined,
): string | undefined {
  if (/^[a-z][a-z\d+.-]*:/i.test(href) || href.startsWith('//')) return undefined
  const hashAt = href.indexOf('#')
  const rawPath = hashAt < 0 ? href : href.slice(0, hashAt)
  const anchor = hashAt < 0 ? undefined : href.slice(hashAt + 1)
  let path: string
  try {
    path = decodeURIComponent(rawPath.split('?')[0] ?? '')
  } catch {
    return 'is not a valid URL'
  }
  let target = file
  if (path !== '') {
    const joined = path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(file), path)
    target = posix.normalize(joined).replace(/\/$/, '')
    if (target === '..' || target.startsWith('../')) return 'leads outside the repository'
    if (!files.has(target) && !dirs.has(target))
      return `names ${target || '.'}, which is not in the repository`
  }
  if (anchor && target.endsWith('.md')) {
    const known = anchors(target)
    const wanted = decodeURIComponent(anchor).toLowerCase()
    if (known && !known.has(wanted)) return `${target} has no heading with anchor #${anchor}`
  }
  return undefined
}

/** Every link target of a Markdown document, with its line; code blocks and code spans hold none. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = []
  for (const placed of lexWithLines(markdown)) {
    for (const t of allTokens(placed.token)) {
      if (t.type === 'link' || t.type === 'image' || t.type === 'def') {
        const href = (t as Tokens.Link | Tokens.Image | Tokens.Def).href
        links.push({ href, line: lineWithin(placed, href) })
      } else if (t.type === 'html') {
        for (const [, href] of t.raw.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/g)) {
          if (href !== undefined) links.push({ href, line: lineWithin(placed, href) })
        }
      }
    }
  }
  return links
}
