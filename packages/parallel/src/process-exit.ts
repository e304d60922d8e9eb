// Why a worker process ended, in words a user can act on. An exit code says little ("exit code
// 1" for any uncaught exception) and a signal not much more, while the process itself said why
// on its stderr: the uncaught error and where it was thrown, V8's "FATAL ERROR: ... heap out of
// memory". So the end of what it wrote there is kept, and quoted (fault probe P7).

/** The bytes of stderr kept per worker, enough for a stack and V8's last words. */
const KEPT_BYTES = 16 * 1024
/** The lines quoted, at most, and how long each may be. */
const QUOTED_LINES = 8
const LINE_CHARS = 240

const SIGNALS: Record<string, string> = {
  SIGABRT: 'it aborted, as V8 does when it runs out of memory',
  SIGKILL: "by another process, or by the system's out-of-memory killer",
  SIGSEGV: 'a segmentation fault, in native code',
  SIGBUS: 'a bus error, in native code',
  SIGILL: 'an illegal instruction, in native code',
  SIGFPE: 'an arithmetic fault, in native code',
}

/** The end of what a process wrote to stderr. */
export class StderrTail {
  #kept = Buffer.alloc(0)

  add(chunk: Buffer): void {
    const joined = Buffer.concat([this.#kept, chunk])
    this.#kept = joined.length > KEPT_BYTES ? joined.subarray(joined.length - KEPT_BYTES) : joined
  }

  /** Its last lines worth quoting: no blank lines, native stack frames or Node's version line. */
  lines(): string[] {
    const all = this.#kept.toString('utf8').split(/\r?\n/)
    const native = all.findIndex((line) => line.includes('----- Native stack trace -----'))
    return (native < 0 ? all : all.slice(0, native))
      .filter(
        (line) =>
          line.trim() !== '' &&
          !/^Node\.js v\d/.test(line) &&
          !/^\s*\d+: 0x[0-9a-f]+/.test(line) &&
          !/^\s*at .*node:internal\//.test(line),
      )
      .slice(-QUOTED_LINES)
      .map((line) => (line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}…` : line))
  }
}

/** "exit code 1; the last it wrote to stderr: ..." or "killed by SIGKILL (by another process, ...)". */
export function describeProcessExit(
  code: number | null,
  signal: string | null,
  said: readonly string[],
): string {
  const how =
    signal === null
      ? `exit code ${code}`
      : `killed by ${signal}${SIGNALS[signal] === undefined ? '' : ` (${SIGNALS[signal]})`}`
  if (said.length === 0) return how
  return `${how}; the last it wrote to stderr:\n${said.map((line) => `    ${line}`).join('\n')}`
}
