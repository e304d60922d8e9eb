// Where in the user's code an error happened: the file, line and column of a syntax error in a
// module that failed to import, and the stack frames of a thrown error that are the user's own
// (not Node's internals, not node_modules, not parafit's sources).
//
// What Node 22 gives for a module that does not parse (checked on 22.23):
// - TypeScript that type stripping rejects (ERR_INVALID_TYPESCRIPT_SYNTAX,
//   ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX): `error.message` is only "Expression expected", but
//   `error.stack` starts with `<file or file: URL>:<line>`, then up to three source lines with a
//   caret line under the offending one (tabs shown as 4 spaces), a blank line, then the message.
// - A CommonJS .js or .ts file, an early error V8 finds in a CommonJS module, and a link error
//   ("does not provide an export named"): the same header, the source line as it is (tabs
//   kept) and a caret line.
// - An ES module V8 cannot parse (.mjs, .js or .ts under "type": "module"): nothing at all, the
//   stack is "SyntaxError: Unexpected token ';'" and Node internals. Then we run
//   `node --check <file>` once, which prints the same header for the file it checks. When the
//   syntax error is in a module the model imports (not the model itself), --check of the model
//   passes and the location stays unknown: Node does not say which file failed.
// Node gives the column only as the caret's position; the column here is 1-based, in characters.

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface SourceLocation {
  /** The file as a path (a URL when it is not a file: URL). */
  readonly file: string
  /** 1-based. */
  readonly line: number
  /** 1-based, in characters of the line. */
  readonly column: number
  /** The line and a caret under the column, indented, ready to print. */
  readonly frame: string
}

function toPath(file: string): string {
  if (!file.startsWith('file:')) return file
  try {
    return fileURLToPath(file)
  } catch {
    return file
  }
}

function readLine(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)[line - 1]
  } catch {
    return undefined
  }
}

/** `  3 | const x = ;` and a caret line under `column`, tabs kept so the caret lines up. */
function codeFrame(sourceLine: string, line: number, column: number): string {
  const gutter = String(line)
  const under = sourceLine.slice(0, column - 1).replace(/[^\t]/g, ' ')
  return `  ${gutter} | ${sourceLine}\n  ${' '.repeat(gutter.length)} | ${under}^`
}

/** The character column of display column `shown` when `displayed` is `actual` with tabs widened. */
function characterColumn(actual: string | undefined, displayed: string, shown: number): number {
  if (actual === undefined || actual === displayed) return shown + 1
  let width = 0
  for (let i = 0; i < actual.length; i++) {
    if (width >= shown) return i + 1
    width += actual[i] === '\t' ? 4 : 1
  }
  return Math.min(shown, actual.length) + 1
}

/**
 * Parses Node's arrow header: `<file>:<line>\n<source lines>\n<caret line>`. Returns undefined
 * when the text does not start with one.
 */
function parseArrowHeader(text: string): SourceLocation | undefined {
  const lines = text.split('\n')
  const header = /^(.+):(\d+)$/.exec(lines[0] ?? '')
  if (header === null) return undefined
  // The caret line comes within the snippet (at most a few lines), before the message.
  const caretAt = lines.findIndex((l, i) => i >= 2 && i <= 6 && /^[\t ]*\^+[\t ]*$/.test(l))
  if (caretAt < 0) return undefined
  const file = toPath(header[1]!)
  const line = Number(header[2])
  const displayed = lines[caretAt - 1]!
  const shown = lines[caretAt]!.indexOf('^')
  const actual = readLine(file, line)
  const column = characterColumn(actual, displayed, shown)
  return { file, line, column, frame: codeFrame(actual ?? displayed, line, column) }
}

// `node --check` answers per file; a file that failed once fails the same way in this thread.
const checked = new Map<string, SourceLocation | undefined>()

/** Runs `node --check file` and reads the location of its syntax error, if it reports one. */
function checkSyntax(file: string): SourceLocation | undefined {
  if (checked.has(file)) return checked.get(file)
  let location: SourceLocation | undefined
  try {
    const run = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 })
    location = run.status === 0 ? undefined : parseArrowHeader(run.stderr ?? '')
  } catch {
    location = undefined
  }
  checked.set(file, location)
  return location
}

/**
 * Where a SyntaxError thrown by importing `moduleUrl` points: from the error's stack when Node
 * put the location there, else (file: modules only) from `node --check`. Undefined when neither
 * says, or when the error is not a SyntaxError.
 */
export function syntaxErrorLocation(error: unknown, moduleUrl: string): SourceLocation | undefined {
  if (!(error instanceof Error) || error.name !== 'SyntaxError') return undefined
  const fromStack = parseArrowHeader(error.stack ?? '')
  if (fromStack !== undefined) return fromStack
  if (!moduleUrl.startsWith('file:')) return undefined
  return checkSyntax(toPath(moduleUrl))
}

// ------------------------------------------------------------------ stack frames

export interface StackFrame {
  /** The function, when V8 names one. */
  readonly fn: string | undefined
  /** A path for file: URLs and paths; the URL otherwise. */
  readonly file: string
  readonly line: number
  readonly column: number
}

const FRAME = /^\s*at (?:async )?(?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/

/** The frames of a V8 stack trace that name a file, line and column. */
function stackFrames(stack: string | undefined): StackFrame[] {
  const frames: StackFrame[] = []
  for (const text of (stack ?? '').split('\n')) {
    const m = FRAME.exec(text)
    if (m === null) continue
    const location = m[2]!
    if (location.includes('(') || location.startsWith('eval at')) continue
    // `Object.<anonymous>`, `FunctionObjective.<anonymous>`: an unnamed function, say nothing.
    const fn = m[1]
    frames.push({
      fn: fn === undefined || fn.endsWith('<anonymous>') ? undefined : fn,
      file: toPath(location),
      line: Number(m[3]),
      column: Number(m[4]),
    })
  }
  return frames
}

// This file is packages/core/src/source-location.ts in the repository, and
// node_modules/@parafit/core/dist/source-location.js when installed: either way parafit's
// packages are the siblings of core, two folders up.
const packagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const ownSources = new RegExp(
  `^${packagesDir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}[\\\\/](core|parallel|mpi|fitter|sampler|cli)[\\\\/](src|bin|dist)[\\\\/]`,
)

/** Whether a frame is the user's code: not Node's, not a dependency's, not parafit's own. */
function isUserFrame(frame: StackFrame): boolean {
  const file = frame.file
  if (file.startsWith('node:') || file.startsWith('internal/') || file === 'native') return false
  if (file.includes(`${sep}node_modules${sep}`) || file.includes('/node_modules/')) return false
  return !ownSources.test(file)
}

/** The user's frames of an error's own stack, innermost first. */
export function userFrames(error: unknown): StackFrame[] {
  if (!(error instanceof Error)) return []
  return stackFrames(error.stack).filter(isUserFrame)
}

/** `model.ts:12:9` (relative to `cwd` when the file is inside it), with the function when named. */
export function formatFrame(frame: StackFrame, cwd: string = process.cwd()): string {
  const rel = isAbsolute(frame.file) ? relative(cwd, frame.file) : frame.file
  const file = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : frame.file
  const where = `${file}:${frame.line}:${frame.column}`
  return frame.fn === undefined ? where : `${frame.fn} (${where})`
}
