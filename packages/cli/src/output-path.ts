// The files a run will write (--out, --checkpoint) are checked before it starts, so that a typo
// in a folder name fails in a second, not after an hour of fitting. A missing folder is made.

import { constants } from 'node:fs'
import { access, mkdir, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ValidationError, writeFileAtomic } from '@parafit/core'

/**
 * Makes the missing folders of `folder` one level at a time. (Not mkdir's recursive option: in
 * Node 22 it loops forever on a path under /proc, where mkdir fails with ENOENT.)
 */
async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = []
  let at = folder
  while ((await stat(at).catch(() => undefined)) === undefined && dirname(at) !== at) {
    missing.unshift(at)
    at = dirname(at)
  }
  for (const dir of missing) await mkdir(dir)
}

export async function prepareOutputPath(path: string, flag: string): Promise<void> {
  const file = resolve(path)
  const folder = dirname(file)
  try {
    await makeFolders(folder)
    if (!(await stat(folder)).isDirectory()) throw new Error(`${folder} is not a folder`)
    await access(folder, constants.W_OK)
  } catch (error) {
    throw new ValidationError(
      `cannot write ${flag} ${path}: the folder ${folder} cannot be made or written ` +
        `(${(error as Error).message}); choose another path`,
    )
  }
  const existing = await stat(file).catch(() => undefined)
  if (existing?.isDirectory()) {
    throw new ValidationError(`cannot write ${flag} ${path}: it is a folder; give a file name`)
  }
  if (existing !== undefined) {
    await access(file, constants.W_OK).catch((error: Error) => {
      throw new ValidationError(`cannot write ${flag} ${path}: ${error.message}; choose another path`)
    })
  }
}

/**
 * Writes a file the run made, whole or not at all (a kill mid-write leaves the previous one); a
 * failure at the end says so without a stack trace.
 */
export async function writeOutput(path: string, flag: string, text: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, text)
  } catch (error) {
    throw new ValidationError(`cannot write ${flag} ${path}: ${(error as Error).message}`)
  }
}

/** Plain JSON: typed arrays become arrays, infinities become strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView))
        return Array.from(v as unknown as ArrayLike<number>)
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
      return v
    },
    2,
  )
}
