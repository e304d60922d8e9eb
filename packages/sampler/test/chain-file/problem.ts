// The problem the chain-file tests sample, shared with crash-run.ts (a child process): a
// correlated 3-D Gaussian whose log-probability also writes a numeric blob.

import { Random } from '@parafit/core'
import type { EnsembleSamplerOptions, LogProbFn } from '../../src/index.ts'

export const nWalkers = 8
export const nDim = 3

export const logProb: LogProbFn = (x, ctx) => {
  const [a, b, c] = [x[0]!, x[1]!, x[2]!]
  const r2 = a * a + ((b - 0.5 * a) / 0.5) ** 2 + (c * c) / 4
  ctx.quantities = { r2, sum: a + b + c }
  return -0.5 * r2
}

/** nWalkers seeded points in a small ball (any dimension). */
export function initialWalkers(seed: number, walkers = nWalkers, dims = nDim): number[][] {
  const random = Random.fromSeed(seed, 99)
  return Array.from({ length: walkers }, () => Array.from({ length: dims }, () => 0.1 * random.normal()))
}

export function samplerOptions(
  path: string | undefined,
  extra: Partial<EnsembleSamplerOptions> = {},
): EnsembleSamplerOptions {
  return {
    logProb,
    nWalkers,
    nDim,
    seed: 11,
    ...(path === undefined ? {} : { chainFile: { path } }),
    ...extra,
  }
}

/** Each row's float64 bits as hex: equal strings mean bit-identical numbers. */
export function bits(rows: readonly (Float64Array | readonly Float64Array[])[]): string[] {
  return rows.map((row) =>
    (Array.isArray(row) ? row : [row as Float64Array])
      .map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('hex'))
      .join(' '),
  )
}
