// The bounds shells are drawn from. Bound 0 is the unit cube; later ones approximate
// {ln L > threshold} (nautilus-bound.ts). Every bound draws its points in chunks whose random
// stream is keyed by (seed, bound, chunk), and keeps the accepted draws it has not handed out, so
// which points a batch gets depends only on the seed and the order of requests, never on which
// worker or how many there are.

import { Random } from '@parafit/core'

/** Stream keys under the run's seed; fixed, since checkpoints and reproducibility rest on them. */
export const STREAM = { boundDraws: 1, boundBuild: 2, batch: 3, posterior: 4, networks: 5 } as const

export interface SamplingBound {
  readonly kind: 'cube' | 'nautilus'
  readonly dimensions: number
  contains(x: Float64Array): boolean
  /** n uniform draws from the bound (within the unit cube). */
  take(n: number): Float64Array[]
  /** ln of the bound's volume: exact for the cube, a Monte Carlo estimate that sharpens with draws otherwise. */
  logVolume(): number
  /** The relative variance of that volume estimate. */
  volumeRelativeVariance(): number
  /** Plain data for checkpoints (nautilus-bound.ts and cube-bound restore it). */
  toData(): BoundData
}

export type BoundData =
  | {
      readonly kind: 'cube'
      readonly dimensions: number
      readonly chunks: number
      readonly cache: Float64Array[]
    }
  | NautilusBoundData

// Declared here, defined by nautilus-bound.ts, so the checkpoint can hold either without a cycle.
export interface NautilusBoundData {
  readonly kind: 'nautilus'
  readonly [key: string]: unknown
}

/** Chunked, keyed draws with a cache of what has been accepted and not yet taken. */
export class DrawCache {
  readonly #seed: number
  /** The bound's number when it was made: its stream key, kept when empty shells are dropped. */
  readonly key: number
  chunks: number
  cache: Float64Array[]

  constructor(seed: number, bound: number, chunks = 0, cache: Float64Array[] = []) {
    this.#seed = seed
    this.key = bound
    this.chunks = chunks
    this.cache = cache
  }

  /** Draws chunks with `draw(rng, out)` until at least n points are cached. */
  fill(n: number, draw: (rng: Random, out: Float64Array[]) => void): void {
    while (this.cache.length < n) {
      const rng = Random.fromSeed(this.#seed, STREAM.boundDraws, this.key, this.chunks++)
      draw(rng, this.cache)
    }
  }

  /** Takes the first n cached points, drawing more first if needed. */
  take(n: number, draw: (rng: Random, out: Float64Array[]) => void): Float64Array[] {
    this.fill(n, draw)
    return this.cache.splice(0, n)
  }
}

const CHUNK = 1000

export class CubeBound implements SamplingBound {
  readonly kind = 'cube'
  readonly dimensions: number
  readonly #draws: DrawCache

  constructor(dimensions: number, seed: number, data?: Extract<BoundData, { kind: 'cube' }>) {
    this.dimensions = dimensions
    this.#draws = new DrawCache(seed, 0, data?.chunks, data?.cache.slice())
  }

  contains(x: Float64Array): boolean {
    for (let i = 0; i < x.length; i++) if (!(x[i]! >= 0 && x[i]! < 1)) return false
    return true
  }

  take(n: number): Float64Array[] {
    const d = this.dimensions
    return this.#draws.take(n, (rng, out) => {
      for (let k = 0; k < CHUNK; k++) {
        const x = new Float64Array(d)
        for (let i = 0; i < d; i++) x[i] = rng.uniform()
        out.push(x)
      }
    })
  }

  logVolume(): number {
    return 0
  }

  volumeRelativeVariance(): number {
    return 0
  }

  toData(): BoundData {
    return {
      kind: 'cube',
      dimensions: this.dimensions,
      chunks: this.#draws.chunks,
      cache: this.#draws.cache.slice(),
    }
  }
}
