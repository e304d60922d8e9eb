// The TypeScript blocks of the READMEs, as files a test can type-check and run.
//
// The rules, so that a README stays easy to write:
// - Every ```ts (or ```typescript) block is checked, unless its info string says `fragment`
//   (```ts fragment): a piece of a program, with names it does not define.
// - A block whose first line is a comment naming a file (`// model.ts`, `// ~/fits/model.ts`) is
//   saved under that base name beside the other blocks of the README, so that they can import it
//   or load it with `new URL('./model.ts', import.meta.url)`. Other blocks are saved as
//   `block-<line>.ts`.
// - Every block is type-checked, and every block is a program run with Node (it must exit with
//   0), except a module that another block of the README names (`./model.ts`): it runs when
//   that block loads it.

import { posix } from 'node:path'
import type { Tokens } from 'marked'
import { allTokens, lexWithLines } from './markdown.ts'

export interface CodeBlock {
  /** The README, from the repository's root. */
  readme: string
  /** The README's line of the block's first line of code. */
  line: number
  /** The file the block is saved as. */
  file: string
  code: string
  /** A program to run (not a module that another block loads). */
  program: boolean
}

const typeScript = new Set(['ts', 'typescript'])

export function typeScriptBlocks(readme: string, markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = []
  for (const placed of lexWithLines(markdown)) {
    // Where the last block of this token was found, so that two blocks that start alike each get
    // their own line.
    let from = 0
    for (const t of allTokens(placed.token)) {
      if (t.type !== 'code') continue
      const { lang = '', text } = t as Tokens.Code
      const [language = '', ...words] = lang.trim().split(/\s+/)
      if (!typeScript.has(language.toLowerCase()) || words.includes('fragment')) continue
      const firstLine = text.split('\n', 1)[0] ?? ''
      const at = placed.token.raw.indexOf(firstLine, from)
      from = at < 0 ? from : at + firstLine.length
      const line = at < 0 ? placed.line : placed.line + countLines(placed.token.raw.slice(0, at))
      const named = /^\/\/ *(\S+\.(?:m?ts|m?js))(?:\s|$)/.exec(text)?.[1]
      blocks.push({
        readme,
        line,
        file: named === undefined ? `block-${line}.ts` : posix.basename(named),
        code: `${text}\n`,
        program: true,
      })
    }
  }
  for (const block of blocks) {
    block.program = !blocks.some((other) => other !== block && other.code.includes(`./${block.file}`))
  }
  return blocks
}

function countLines(text: string): number {
  return text.split('\n').length - 1
}

/** Module names given to two blocks of one README (they would overwrite each other). */
export function duplicateFiles(blocks: readonly CodeBlock[]): string[] {
  const seen = new Set<string>()
  const twice = new Set<string>()
  for (const { file } of blocks) (seen.has(file) ? twice : seen).add(file)
  return [...twice]
}

export interface CompilerError {
  readme: string
  line: number
  message: string
}

/**
 * tsc's errors (`--pretty false`: `dir/file.ts(3,5): error TS2322: ...`), each placed at its
 * README's line; `folders` maps each README to the folder its blocks were written to.
 */
export function placeCompilerErrors(
  output: string,
  blocks: readonly CodeBlock[],
  folderOf: (readme: string) => string,
): { placed: CompilerError[]; unplaced: string[] } {
  const placed: CompilerError[] = []
  const unplaced: string[] = []
  for (const text of output.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): (error TS\d+: .*)$/.exec(text.trim())
    if (!m) {
      if (/error TS\d+/.test(text)) unplaced.push(text.trim())
      continue
    }
    const [, path = '', row = '1', column = '1', message = ''] = m
    const block = blocks.find((b) => posix.join(folderOf(b.readme), b.file) === posix.normalize(path))
    if (block === undefined) unplaced.push(text.trim())
    else
      placed.push({
        readme: block.readme,
        line: block.line + Number(row) - 1,
        message: `${column}: ${message}`,
      })
  }
  return { placed, unplaced }
}
