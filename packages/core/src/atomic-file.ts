// Files replaced whole or not at all: checkpoints, chain states and results are written into a
// temporary file beside the target, flushed to disk, then renamed over it, so a crash or a kill
// at any moment leaves either the old file or the new one. The temporary file is named after the
// writing process (`<path>.<pid>.tmp`): two processes never write into the same one. A process
// killed mid-write leaves its temporary file behind; the next process that writes the same path
// removes those of processes that no longer run.

import { open, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** The temporary file process `pid` writes before renaming it over `path`. */
export function temporaryPathFor(path: string, pid: number = process.pid): string {
  return `${path}.${pid}.tmp`
}

/** Whether process `pid` runs (on this machine); EPERM means it runs as another user. */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes the temporary files of `path` that processes which no longer run left behind (killed
 * mid-write). Those of running processes are theirs to finish. Resolves to the files removed.
 */
export async function removeStaleTemporaries(path: string): Promise<string[]> {
  const folder = dirname(path)
  const prefix = `${basename(path)}.`
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return [] // no folder yet: nothing left behind
  }
  const removed: string[] = []
  for (const name of names) {
    if (!(name.startsWith(prefix) && name.endsWith('.tmp'))) continue
    const pid = name.slice(prefix.length, -'.tmp'.length)
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid || processRuns(Number(pid))) continue
    const file = join(folder, name)
    await rm(file, { force: true })
    removed.push(file)
  }
  return removed
}

// Paths whose leftovers this process has removed already: once per path is enough, as only a
// process killed before this one started can have left them.
const swept = new Set<string>()

/**
 * Replaces `path` whole: `write` writes the new content into the temporary path it is given,
 * which is then flushed to disk and renamed over `path`. On any failure the temporary file is
 * removed, `path` keeps its old content, and the error is rethrown as it came (callers wrap it in
 * their own typed error).
 */
export async function replaceFile(
  path: string,
  write: (temporary: string) => Promise<void> | void,
): Promise<void> {
  if (!swept.has(path)) {
    await removeStaleTemporaries(path)
    swept.add(path)
  }
  const temporary = temporaryPathFor(path)
  try {
    await write(temporary)
    // On disk before the rename: after a power loss the file is the old one or the new one.
    const handle = await open(temporary, 'r+')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {})
    throw error
  }
}

/** Writes `data` to `path` whole or not at all (see replaceFile). */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  return replaceFile(path, async (temporary) => {
    const handle = await open(temporary, 'w')
    try {
      await handle.writeFile(data)
    } finally {
      await handle.close()
    }
  })
}
