// A nautilus bound: an envelope (a union of cube/ellipsoid mixtures around the points above the
// threshold, which is what draws come from) intersected with neural regions (non-overlapping
// ellipsoids, each narrowed by an emulator of the likelihood's rank when networks are on).
// Draws from the envelope that no region accepts are rejected; the bound's volume is the
// envelope's times the accepted share, a Monte Carlo estimate that sharpens with every draw.

import { Random } from '@parafit/core'
import type { Pool } from '@parafit/parallel'
import { type BoundData, DrawCache, type NautilusBoundData, type SamplingBound, STREAM } from './bound.ts'
import type { Ellipsoid } from './geometry/ellipsoid.ts'
import { buildEnvelope, splitNonOverlapping } from './geometry/envelope.ts'
import { Union, type UnionData } from './geometry/union.ts'
import { NeuralRegion, type NeuralRegionData, trainRegions } from './neural-region.ts'

const CHUNK = 1000
/** Draws made right after building, so the first volume estimate rests on something. */
const PRIME_DRAWS = 1000

export interface BoundInput {
  readonly points: readonly Float64Array[]
  readonly logL: Float64Array
  readonly logLMin: number
  readonly logVLive: number
  readonly boundIndex: number
  readonly attempt: number
}

export interface BoundBuilderOptions {
  readonly seed: number
  readonly enlargePerDim: number
  readonly nPointsMin: number
  readonly splitThreshold: number
  readonly nNetworks: number
  readonly maxTrainingPoints: number
  /** Where networks are trained (one task per network); the serial pool trains them here. */
  readonly pool: Pool
}

interface Stored extends NautilusBoundData {
  readonly kind: 'nautilus'
  readonly envelope: UnionData
  readonly regions: NeuralRegionData[]
  readonly key: number
  readonly chunks: number
  readonly cache: Float64Array[]
  readonly nSample: number
  readonly nReject: number
}

export class NautilusBound implements SamplingBound {
  readonly kind = 'nautilus'
  readonly dimensions: number
  readonly #envelope: Union
  readonly #regions: NeuralRegion[]
  readonly #draws: DrawCache
  #nSample: number
  #nReject: number

  constructor(
    envelope: Union,
    regions: NeuralRegion[],
    draws: DrawCache,
    counts: { nSample: number; nReject: number } = { nSample: 0, nReject: 0 },
  ) {
    this.dimensions = envelope.dim
    this.#envelope = envelope
    this.#regions = regions
    this.#draws = draws
    this.#nSample = counts.nSample
    this.#nReject = counts.nReject
  }

  #inRegions(x: Float64Array): boolean {
    if (this.#regions.length === 0) return true
    for (const r of this.#regions) if (r.contains(x)) return true
    return false
  }

  contains(x: Float64Array): boolean {
    return this.#envelope.contains(x) && this.#inRegions(x)
  }

  take(n: number): Float64Array[] {
    return this.#draws.take(n, this.#fill)
  }

  #fill = (rng: Random, out: Float64Array[]): void => {
    for (const x of this.#envelope.sample(CHUNK, rng)) {
      if (this.#inRegions(x)) out.push(x)
      else this.#nReject++
    }
    this.#nSample += CHUNK
  }

  /** Draws ahead into the cache, for a first volume estimate. */
  prime(): void {
    this.#draws.fill(PRIME_DRAWS, this.#fill)
  }

  logVolume(): number {
    if (this.#nSample === 0) return this.#envelope.logVolume()
    return (
      this.#envelope.logVolume() +
      Math.log(Math.max(1 - this.#nReject / this.#nSample, 1 / (this.#nSample + 1)))
    )
  }

  /** The accepted share's binomial variance, relative (r / ((1 − r)·N)), plus the envelope's. */
  volumeRelativeVariance(): number {
    const n = this.#nSample
    const r = this.#nReject
    const own = n > 0 && r < n ? r / ((n - r) * n) : 0
    return own + this.#envelope.volumeRelativeVariance()
  }

  toData(): BoundData {
    const data: Stored = {
      kind: 'nautilus',
      envelope: this.#envelope.toData({ points: false }),
      regions: this.#regions.map((r) => r.toData()),
      key: this.#draws.key,
      chunks: this.#draws.chunks,
      cache: this.#draws.cache.slice(),
      nSample: this.#nSample,
      nReject: this.#nReject,
    }
    return data
  }
}

export function restoreNautilusBound(data: BoundData, seed: number): NautilusBound {
  const d = data as Stored
  return new NautilusBound(
    Union.fromData(d.envelope),
    d.regions.map((r) => NeuralRegion.fromData(r)),
    new DrawCache(seed, d.key, d.chunks, d.cache.slice()),
    { nSample: d.nSample, nReject: d.nReject },
  )
}

export interface BoundBuilder {
  readonly nPointsMin: number
  build(input: BoundInput): Promise<SamplingBound | undefined>
}

/** Builds bounds for the sampler: geometry here, networks on the sampler pool. */
export class NautilusBoundBuilder implements BoundBuilder {
  readonly #options: BoundBuilderOptions

  constructor(options: BoundBuilderOptions) {
    this.#options = options
  }

  get nPointsMin(): number {
    return this.#options.nPointsMin
  }

  async build(input: BoundInput): Promise<NautilusBound | undefined> {
    const o = this.#options
    const rng = Random.fromSeed(o.seed, STREAM.boundBuild, input.boundIndex, input.attempt)
    const above: Float64Array[] = []
    for (let i = 0; i < input.points.length; i++)
      if (input.logL[i]! >= input.logLMin) above.push(input.points[i]!)
    if (above.length < o.nPointsMin) return undefined
    const geometry = { enlargePerDim: o.enlargePerDim, nPointsMin: o.nPointsMin }
    const regionShapes: Ellipsoid[] = splitNonOverlapping(above, geometry, rng)
    const regions = await trainRegions(regionShapes, input, {
      nNetworks: o.nNetworks,
      maxTrainingPoints: o.maxTrainingPoints,
      enlargePerDim: o.enlargePerDim,
      seed: o.seed,
      pool: o.pool,
    })
    const envelope = buildEnvelope(
      above,
      { ...geometry, splitThreshold: o.splitThreshold, logVolumeLive: input.logVLive },
      rng,
    )
    const bound = new NautilusBound(envelope, regions, new DrawCache(o.seed, input.boundIndex))
    bound.prime()
    return bound
  }
}
