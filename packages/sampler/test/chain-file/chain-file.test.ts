// EnsembleSampler's chain file: what it writes (emcee's HDF5 layout, read here with h5wasm
// directly), and resuming from it: a run stopped after any step and resumed from the file in a
// new sampler gives, bit for bit, the chain of a run that was never stopped.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import { afterAll, describe, expect } from 'vitest'
import { type Dataset, type Group, loadHdf5, setAttribute } from '../../src/chain-file/hdf5.ts'
import { deMove, EnsembleSampler, type LogProbFn, stretchMove } from '../../src/index.ts'
import { bits, initialWalkers, nDim, nWalkers, samplerOptions } from './problem.ts'

const dir = mkdtempSync(join(tmpdir(), 'parafit-chain-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newPath = () => join(dir, `chain-${++files}.h5`)

/** Opens `path` read-only for `read`, and closes it. */
async function inFile<T>(path: string, read: (file: Group) => T): Promise<T> {
  const h5wasm = await loadHdf5()
  const file = new h5wasm.File(path, 'r')
  try {
    return read(file)
  } finally {
    file.close()
  }
}

/** Everything a resumed run must reproduce. */
function outcome(sampler: EnsembleSampler) {
  return {
    chain: bits(sampler.getChain()),
    logProb: bits(sampler.getLogProb()),
    acceptance: [...sampler.acceptanceFraction],
    blobs: sampler.getBlobs(),
    last: bits(sampler.lastState!.coords),
    nBadValues: sampler.nBadValues,
  }
}

describe('what the file holds', () => {
  test("emcee's group: attributes, pre-grown chunked datasets, the chain and log-probabilities exactly", async () => {
    const path = newPath()
    const sampler = new EnsembleSampler(samplerOptions(path))
    await sampler.run(initialWalkers(1), 20)
    const chain = sampler.getChain()
    const logProb = sampler.getLogProb()
    await inFile(path, (file) => {
      const mcmc = file.get('mcmc') as Group
      expect(Object.keys(mcmc.attrs).sort()).toEqual([
        'has_blobs',
        'iteration',
        'ndim',
        'nwalkers',
        'version',
      ])
      expect(mcmc.get_attribute('iteration', false)).toBe(20n) // int64
      expect(mcmc.get_attribute('nwalkers', false)).toBe(BigInt(nWalkers))
      expect(mcmc.get_attribute('ndim', false)).toBe(BigInt(nDim))
      expect(mcmc.attrs.has_blobs!.dtype).toBe('<b')
      expect(mcmc.get_attribute('has_blobs', false)).toBe(0)
      expect(mcmc.get_attribute('version', false)).toMatch(/^parafit \d/)
      const data = mcmc.get('chain') as Dataset
      expect(data.dtype).toBe('<d')
      // Grown a block at a time: longer than the 20 steps, which only `iteration` counts.
      expect(data.shape![0]).toBeGreaterThan(20)
      expect(data.shape!.slice(1)).toEqual([nWalkers, nDim])
      expect(data.metadata.maxshape?.[0]).toBe(2 ** 64 - 1) // H5S_UNLIMITED: emcee's grow() resizes it
      expect(data.metadata.chunks?.slice(1)).toEqual([nWalkers, nDim])
      const rows = data.slice([[0, 20]]) as Float64Array
      expect(bits([rows])).toEqual(
        bits([Float64Array.from(chain.flatMap((step) => step.flatMap((p) => [...p])))]),
      )
      const lp = (mcmc.get('log_prob') as Dataset).slice([[0, 20]]) as Float64Array
      expect(bits([lp])).toEqual(bits([Float64Array.from(logProb.flatMap((r) => [...r]))]))
      const accepted = (mcmc.get('accepted') as Dataset).value as Float64Array
      expect([...accepted]).toEqual([...sampler.acceptanceFraction].map((f) => Math.round(f * 20)))
      const parafit = file.get('parafit/mcmc') as Group
      expect(parafit.get_attribute('format', false)).toBe('parafit-chain-file')
      expect(parafit.get_attribute('seed', false)).toBe(11n)
      expect(parafit.get_attribute('moves', false)).toBe('stretch(a=2)')
      expect(parafit.get_attribute('iteration', false)).toBe(20n)
      expect((parafit.get('blobs') as Dataset).get_attribute('names', false)).toEqual(['r2', 'sum'])
    })
  })

  test('every: steps are written `every` at a time, and the end of a run always', async () => {
    const path = newPath()
    const seen: bigint[] = []
    const sampler = new EnsembleSampler(samplerOptions(path, { chainFile: { path, every: 4 } }))
    const h5wasm = await loadHdf5()
    await sampler.run(initialWalkers(2), 10, {
      onProgress: () => {
        const file = new h5wasm.File(path, 'r')
        seen.push((file.get('mcmc') as Group).get_attribute('iteration', false) as bigint)
        file.close()
      },
    })
    expect(seen).toEqual([0n, 0n, 0n, 4n, 4n, 4n, 4n, 8n, 8n, 8n])
    expect(await inFile(path, (f) => (f.get('mcmc') as Group).get_attribute('iteration', false))).toBe(10n)
  })

  test('reset() empties the chain in the file too', async () => {
    const path = newPath()
    const sampler = new EnsembleSampler(samplerOptions(path))
    await sampler.run(initialWalkers(3), 10)
    sampler.reset()
    expect(await inFile(path, (f) => (f.get('mcmc') as Group).get_attribute('iteration', false))).toBe(0n)
    await sampler.run(null, 5)
    const resumed = await EnsembleSampler.resume(samplerOptions(path))
    expect(outcome(resumed)).toEqual(outcome(sampler))
  })

  test('two chains in one file, in groups of their own', async () => {
    const path = newPath()
    const a = new EnsembleSampler(samplerOptions(path, { chainFile: { path, group: 'a' } }))
    const b = new EnsembleSampler(samplerOptions(path, { chainFile: { path, group: 'b' }, seed: 12 }))
    await a.run(initialWalkers(4), 6)
    await b.run(initialWalkers(5), 9)
    const ra = await EnsembleSampler.resume(samplerOptions(path, { chainFile: { path, group: 'a' } }))
    const rb = await EnsembleSampler.resume(
      samplerOptions(path, { chainFile: { path, group: 'b' }, seed: 12 }),
    )
    expect(outcome(ra)).toEqual(outcome(a))
    expect(outcome(rb)).toEqual(outcome(b))
  })
})

describe('resuming', () => {
  test('the brief: 30 steps stopped after 12 and resumed from the file equal 30 uninterrupted', async () => {
    const whole = new EnsembleSampler(samplerOptions(undefined))
    await whole.run(initialWalkers(6), 30)
    const path = newPath()
    const first = new EnsembleSampler(samplerOptions(path))
    await first.run(initialWalkers(6), 12)
    const resumed = await EnsembleSampler.resume(samplerOptions(path))
    expect(resumed.iteration).toBe(12)
    await resumed.run(null, 18)
    expect(outcome(resumed)).toEqual(outcome(whole))
    // The file now holds all 30, as a second resume shows.
    expect(outcome(await EnsembleSampler.resume(samplerOptions(path)))).toEqual(outcome(whole))
  })

  test.prop(
    [
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer({ min: 1, max: 29 }),
      fc.integer({ min: 1, max: 7 }),
      fc.boolean(),
    ],
    { numRuns: 8 },
  )(
    'stopped after any step (by an abort), any `every`, any moves: the same chain bit for bit',
    async (seed, stop, every, mixed) => {
      const moves = mixed
        ? {
            moves: [
              [stretchMove({ a: 2.5 }), 0.6],
              [deMove(), 0.4],
            ] as const,
          }
        : {}
      const options = (path?: string) =>
        samplerOptions(undefined, {
          seed,
          ...moves,
          ...(path === undefined ? {} : { chainFile: { path, every } }),
        })
      const whole = new EnsembleSampler(options())
      await whole.run(initialWalkers(seed), 30)
      const path = newPath()
      const first = new EnsembleSampler(options(path))
      const controller = new AbortController()
      const summary = await first.run(initialWalkers(seed), 30, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.step === stop) controller.abort()
        },
      })
      expect(summary.stop.kind).toBe('aborted')
      const resumed = await EnsembleSampler.resume(options(path))
      // An abort lets the steps already under way finish, and writes every step kept.
      expect(resumed.iteration).toBe(first.iteration)
      expect(resumed.iteration).toBeGreaterThanOrEqual(stop)
      await resumed.run(null, 30 - resumed.iteration)
      expect(outcome(resumed)).toEqual(outcome(whole))
    },
  )

  test('a chain over several blocks (40 walkers × 20 dimensions: 10 rows a block), every 3', async () => {
    const big = (path?: string) =>
      samplerOptions(undefined, {
        nWalkers: 40,
        nDim: 20,
        logProb: (x: Float64Array) => -0.5 * x.reduce((s, v, i) => s + (v * v) / (i + 1), 0),
        ...(path === undefined ? {} : { chainFile: { path, every: 3 } }),
      })
    const whole = new EnsembleSampler(big())
    await whole.run(initialWalkers(7, 40, 20), 30)
    const path = newPath()
    const first = new EnsembleSampler(big(path))
    await first.run(initialWalkers(7, 40, 20), 25)
    const shape = await inFile(path, (f) => (f.get('mcmc/chain') as Dataset).shape)
    expect(shape).toEqual([30, 40, 20])
    const resumed = await EnsembleSampler.resume(big(path))
    await resumed.run(null, 5)
    expect(outcome(resumed)).toEqual(outcome(whole))
  })

  test("emcee's iteration behind the rows written (a crash between the counts): resumes from it", async () => {
    const whole = new EnsembleSampler(samplerOptions(undefined))
    await whole.run(initialWalkers(9), 30)
    const path = newPath()
    await new EnsembleSampler(samplerOptions(path)).run(initialWalkers(9), 10)
    const h5wasm = await loadHdf5()
    const file = new h5wasm.File(path, 'a')
    setAttribute(file.get('mcmc') as Group, 'iteration', { int64: 7 })
    file.close()
    const resumed = await EnsembleSampler.resume(samplerOptions(path))
    expect(resumed.iteration).toBe(7)
    await resumed.run(null, 23)
    expect(outcome(resumed)).toEqual(outcome(whole))
  })

  test('blobs: numbers-only blobs come back equal; others are not saved and come back undefined', async () => {
    const logProb: LogProbFn = (x, ctx) => {
      ctx.quantities = { r2: x[0]! ** 2 + x[1]! ** 2 + x[2]! ** 2 }
      if (x[0]! > 0.15) ctx.meta.note = 'far'
      return -0.5 * (x[0]! ** 2 + x[1]! ** 2 + x[2]! ** 2)
    }
    const path = newPath()
    const first = new EnsembleSampler(samplerOptions(path, { logProb }))
    await first.run(initialWalkers(8), 15)
    const resumed = await EnsembleSampler.resume(samplerOptions(path, { logProb }))
    const expected = first
      .getBlobs()
      .map((row) => row.map((b) => (b?.meta.note === undefined ? b : undefined)))
    expect(resumed.getBlobs()).toEqual(expected)
    // The test means something: both kinds occur.
    expect(expected.flat().some((b) => b === undefined)).toBe(true)
    expect(expected.flat().some((b) => b !== undefined)).toBe(true)
    const kinds = await inFile(path, (f) => [
      ...((f.get('parafit/mcmc/blob_kind') as Dataset).slice([[0, 15]]) as Int8Array),
    ])
    expect(kinds).toEqual(
      first.getBlobs().flatMap((row) => row.map((b) => (b?.meta.note === undefined ? 1 : 2))),
    )
  })
})
