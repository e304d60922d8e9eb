import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import {
  loadObjective,
  loadObjectiveCached,
  ObjectiveError,
  ObjectiveLoadError,
  objectiveModule,
  ValidationError,
} from '../src/index.ts'

const good = new URL('./fixtures/good.objective.ts', import.meta.url)
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url)

async function loadError(ref: ReturnType<typeof objectiveModule>): Promise<ObjectiveLoadError> {
  const error = await loadObjective(ref).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ObjectiveLoadError)
  return error as ObjectiveLoadError
}

describe('objectiveModule', () => {
  it('is plain data that survives structured cloning', () => {
    const ref = objectiveModule(good, { init: { offset: 1, data: Float64Array.of(1, 2) } })
    expect(structuredClone(ref)).toEqual(ref)
    expect(ref).toEqual({
      kind: 'parafit.ref',
      module: good.href,
      export: undefined,
      init: { offset: 1, data: Float64Array.of(1, 2) },
    })
  })

  it('accepts absolute paths and rejects relative ones with a hint', () => {
    expect(objectiveModule(good.pathname).module).toBe(good.href)
    expect(() => objectiveModule('./peaks.ts')).toThrow(ValidationError)
    expect(() => objectiveModule('./peaks.ts')).toThrow(/new URL\('\.\/peaks\.ts', import\.meta\.url\)/)
  })
})

describe('loadObjective', () => {
  it('imports the module and runs its factory with init', async () => {
    const f = await loadObjective(objectiveModule(good, { init: { offset: 1 } }))
    expect(await f.evaluate({ x: 4 })).toBe(9)
    const named = await loadObjective(objectiveModule(good, { export: 'named' }))
    expect(await named.evaluate({ x: 4 })).toBe(4)
  })

  it('caches per reference object, so the factory runs once', async () => {
    const ref = objectiveModule(good, { init: { offset: 0 } })
    const [a, b] = await Promise.all([loadObjectiveCached(ref), loadObjectiveCached(ref)])
    expect(a).toBe(b)
  })

  it('names the file when it does not exist', async () => {
    const e = await loadError(objectiveModule(new URL('./fixtures/missing.objective.ts', import.meta.url)))
    expect(e.message).toMatch(/missing\.objective\.ts: the file does not exist/)
    expect(e.module).toMatch(/missing\.objective\.ts$/)
  })

  it('lists the exports when the named one is missing', async () => {
    const e = await loadError(objectiveModule(good, { export: 'nope' }))
    expect(e.message).toMatch(/no export named 'nope' \(its exports: .*named.*\)/)
  })

  it('tells how to fix a plain function or another value', async () => {
    expect((await loadError(objectiveModule(good, { export: 'plainFunction' }))).message).toMatch(
      /export defineObjective/,
    )
    expect((await loadError(objectiveModule(good, { export: 'notAnObjective' }))).message).toMatch(
      /make it with defineObjective/,
    )
  })

  it('reports a module that throws while loading, and a factory that throws', async () => {
    const e = await loadError(
      objectiveModule(new URL('./fixtures/throws-on-load.objective.ts', import.meta.url)),
    )
    expect(e.message).toMatch(
      /throws-on-load\.objective\.ts: it threw while loading: Error: cannot open data\.csv/,
    )
    const f = await loadError(objectiveModule(good, { export: 'factoryThrows' }))
    expect(f.message).toMatch(/its factory threw: RangeError: bad init/)
  })
})

describe('which export is the objective', () => {
  it('the default export when it is an objective, whatever else the module exports', async () => {
    const f = await loadObjective(objectiveModule(good, { init: { offset: 0 } }))
    expect(await f.evaluate({ x: 4 })).toBe(16)
  })

  it("else the export named 'objective'", async () => {
    const f = await loadObjective(objectiveModule(fixture('named-objective.objective.ts')))
    expect(await f.evaluate({ x: 4 })).toBe(8)
  })

  it("else the module's only objective", async () => {
    const f = await loadObjective(objectiveModule(fixture('single-named.objective.ts')))
    expect(await f.evaluate({ x: 4 })).toBe(20)
  })

  it('two objectives and neither conventional: lists every export with its kind and how to name one', async () => {
    const e = await loadError(objectiveModule(fixture('two-named.objective.ts')))
    expect(e.message).toContain('it exports 2 objectives (objectiveA, objectiveB)')
    expect(e.message).toContain(
      'its exports: bounds (object), fit (function), initial (object), objectiveA (objective), objectiveB (objective)',
    )
    expect(e.message).toContain("name one with { export: 'objectiveA' }")
    // The library speaks the API; the command maps this to its --export flag (cli/error-report.ts).
    expect(e.message).not.toContain('--export')
    const a = await loadObjective(
      objectiveModule(fixture('two-named.objective.ts'), { export: 'objectiveB' }),
    )
    expect(await a.evaluate({ x: 4 })).toBe(-4)
  })

  it('a wrong name: lists the exports and their kinds', async () => {
    const e = await loadError(objectiveModule(fixture('two-named.objective.ts'), { export: 'objectiveC' }))
    expect(e.message).toMatch(
      /no export named 'objectiveC' \(its exports: bounds \(object\), fit \(function\), initial \(object\), objectiveA \(objective\), objectiveB \(objective\)\); name one with \{ export: 'objectiveA' \}/,
    )
    const f = await loadError(objectiveModule(fixture('two-named.objective.ts'), { export: 'fit' }))
    expect(f.message).toMatch(/export 'fit' is a plain function, not an objective; export defineObjective/)
    expect(f.message).toContain('objectiveA (objective)')
  })

  it('no objective at all: says what the conventional export is instead', async () => {
    const e = await loadError(objectiveModule(fixture('plain-default.objective.ts')))
    expect(e.message).toMatch(
      /it exports no objective made with defineObjective\(\) \(its exports: default \(function\)\): export 'default' is a plain function/,
    )
  })
})

describe('errors point at the user code', () => {
  it('a module that throws: the message and the cause keep the file, line and column', async () => {
    const e = await loadError(objectiveModule(fixture('throws-on-load.objective.ts')))
    expect(e.message).toMatch(/\(at \S*fixtures\/throws-on-load\.objective\.ts:1:7\)$/)
    expect((e.cause as Error).stack).toMatch(/fixtures\/throws-on-load\.objective\.ts:1:7/)
  })

  it('a factory that throws: the cause keeps its frame', async () => {
    const ref = objectiveModule(fixture('throws-in-evaluation.objective.ts'), {
      export: 'badFactory',
      init: { path: 'data.csv' },
    })
    const e = await loadError(ref)
    expect(e.message).toMatch(
      /its factory threw: Error: cannot read data\.csv \(at \S*throws-in-evaluation\.objective\.ts:12:9\)/,
    )
    expect((e.cause as Error).stack).toMatch(/fixtures\/throws-in-evaluation\.objective\.ts:12:9/)
  })

  it("an evaluation that throws: the ObjectiveError's cause has the user's frame", async () => {
    const f = await loadObjective(objectiveModule(fixture('throws-in-evaluation.objective.ts')))
    const e = await f.evaluate({ x: 3 }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(e).toBeInstanceOf(ObjectiveError)
    expect((e as Error).message).toMatch(/RangeError: x=3 is past the model's range/)
    expect(((e as Error).cause as Error).stack).toMatch(
      /at model \(\S*fixtures\/throws-in-evaluation\.objective\.ts:5:20\)/,
    )
  })
})

// Inside vitest, import() goes through vite, which parses and resolves modules its own way; what
// users see comes from Node's loader, so these load in a plain Node process.
describe('under Node: syntax errors and missing packages', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'parafit-loader-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))
  const core = new URL('../src/index.ts', import.meta.url).href

  function write(path: string, text: string): string {
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, text)
    return path
  }

  /** loadObjective of each file in a fresh Node process: the load errors' messages and causes. */
  function loadInNode(files: string[]): { name: string; message: string }[] {
    const script = `
      import { loadObjective, objectiveModule } from ${JSON.stringify(core)}
      const out = []
      for (const url of ${JSON.stringify(files.map((f) => pathToFileURL(f).href))}) {
        try { await loadObjective(objectiveModule(url)); out.push(null) }
        catch (e) { out.push({ name: e.name, message: e.message }) }
      }
      console.log(JSON.stringify(out))`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    return JSON.parse(run.stdout)
  }

  it('a syntax error in .ts and .js (ES module and CommonJS): path:line:column and the line with a caret', () => {
    const source = 'const a = 1\n\nconst x = ;\nexport default a\n'
    const ts = write(join(scratch, 'ts', 'model.ts'), source.replace('const a =', 'const a: number ='))
    write(join(scratch, 'esm', 'package.json'), '{ "type": "module" }')
    const esm = write(join(scratch, 'esm', 'model.js'), source)
    const cjs = write(
      join(scratch, 'cjs', 'model.js'),
      source.replace('export default a', 'module.exports = a'),
    )
    const tabs = write(join(scratch, 'tabs', 'model.ts'), 'const a = 1\n\tconst x = ;\n')
    const [fromTs, fromEsm, fromCjs, fromTabs] = loadInNode([ts, esm, cjs, tabs])
    expect(fromTs!.name).toBe('ObjectiveLoadError')
    expect(fromTs!.message).toContain(`${ts}:3:11: Expression expected`)
    expect(fromTs!.message).toContain('  3 | const x = ;\n    |           ^')
    expect(fromEsm!.message).toContain(`${esm}:3:11: Unexpected token ';'`)
    expect(fromEsm!.message).toContain('  3 | const x = ;\n    |           ^')
    expect(fromCjs!.message).toContain(`${cjs}:3:11: Unexpected token ';'`)
    // Type stripping shows a tab as four spaces; the column counts it as one character.
    expect(fromTabs!.message).toContain(`${tabs}:2:12:`)
    expect(fromTabs!.message).toContain('  2 | \tconst x = ;\n    | \t          ^')
  })

  it('a model outside any project that imports parafit: says where Node looks and what to install', () => {
    const model = write(
      join(scratch, 'elsewhere', 'model.ts'),
      "import { defineObjective } from '@parafit/core'\nexport default defineObjective(() => () => 1)\n",
    )
    const [error] = loadInNode([model])
    expect(error!.message).toContain(
      `cannot load objective module ${model}: it imports '@parafit/core', which Node looks for in ` +
        'node_modules folders above the model file',
    )
    expect(error!.message).toContain('npm install @parafit/core @parafit/fitter')
    expect(error!.message).not.toContain('the file does not exist')
  })

  it('a log-probability outside any project: says to install the sampler', () => {
    const model = write(
      join(scratch, 'elsewhere', 'posterior.ts'),
      "import { defineLogProb } from '@parafit/sampler/log-prob'\nexport default defineLogProb(() => () => 0)\n",
    )
    const [error] = loadInNode([model])
    expect(error!.message).toContain("it imports '@parafit/sampler', which Node looks for in node_modules")
    expect(error!.message).toContain('npm install @parafit/core @parafit/sampler')
  })
})
