import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { removeStaleTemporaries, replaceFile, temporaryPathFor, writeFileAtomic } from '../src/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'parafit-atomic-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const writer = fileURLToPath(new URL('./fixtures/write-forever.ts', import.meta.url))

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })

/** A process that runs until killed. */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
}

describe('writeFileAtomic', () => {
  test('replaces the file whole and leaves no temporary file', async () => {
    const path = join(dir, 'whole.bin')
    writeFileSync(path, 'old')
    await writeFileAtomic(path, 'new content')
    expect(readFileSync(path, 'utf8')).toBe('new content')
    expect(readdirSync(dir).filter((n) => n.startsWith('whole.bin.'))).toEqual([])
  })

  test('a failed write keeps the old file, removes its temporary file and rethrows the cause', async () => {
    const path = join(dir, 'kept.bin')
    writeFileSync(path, 'old')
    const boom = new Error('disk full')
    await expect(
      replaceFile(path, (temporary) => {
        writeFileSync(temporary, 'half')
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(readFileSync(path, 'utf8')).toBe('old')
    expect(existsSync(temporaryPathFor(path))).toBe(false)
    // A rename that fails (the target is a folder) cleans up too.
    const folder = join(dir, 'a-folder')
    mkdirSync(folder)
    await expect(writeFileAtomic(folder, 'x')).rejects.toThrow()
    expect(existsSync(temporaryPathFor(folder))).toBe(false)
  })

  test('a process killed with SIGKILL mid-write leaves the old file whole, and the next writer removes its temporary file', {
    timeout: 60_000,
  }, async () => {
    const path = join(dir, 'killed.bin')
    writeFileSync(path, 'before')
    // Kill while the child's temporary file exists, that is inside a write; try again in the rare
    // case that it was renamed between the look and the kill.
    let left: string | undefined
    for (let attempt = 0; attempt < 5 && left === undefined; attempt++) {
      const child = spawn(process.execPath, [writer, path], { stdio: 'ignore' })
      const temporary = temporaryPathFor(path, child.pid!)
      while (!existsSync(temporary) && child.exitCode === null) await new Promise((r) => setTimeout(r, 2))
      child.kill('SIGKILL')
      await exited(child)
      if (existsSync(temporary)) left = temporary
    }
    expect(left, 'no kill landed inside a write').toBeDefined()
    const content = readFileSync(path)
    expect(content.toString() === 'before' || content.length === 32 * 1024 * 1024).toBe(true)

    await writeFileAtomic(path, 'after')
    expect(existsSync(left!)).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe('after')
    expect(readdirSync(dir).filter((n) => n.startsWith('killed.bin.'))).toEqual([])
  })

  test('the temporary files of running processes are left to them', async () => {
    const path = join(dir, 'shared.bin')
    const running = sleeper()
    const dead = sleeper()
    dead.kill('SIGKILL')
    await exited(dead)
    try {
      writeFileSync(temporaryPathFor(path, running.pid!), 'in progress')
      writeFileSync(temporaryPathFor(path, dead.pid!), 'left behind')
      writeFileSync(`${path}.notapid.tmp`, 'not ours')
      expect(await removeStaleTemporaries(path)).toEqual([temporaryPathFor(path, dead.pid!)])
      expect(existsSync(temporaryPathFor(path, running.pid!))).toBe(true)
      expect(existsSync(`${path}.notapid.tmp`)).toBe(true)
    } finally {
      running.kill('SIGKILL')
      await exited(running)
    }
  })
})
