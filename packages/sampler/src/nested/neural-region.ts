// A neural region of a nautilus bound: an ellipsoid around the region's points above the
// threshold, narrowed (when networks are on) by an emulator of the likelihood's rank. Networks
// are trained on the sampler pool, one task per network for all regions at once.

import { EvaluateContext, objectiveModule } from '@parafit/core'
import { mapWithContextSettled, type Pool } from '@parafit/parallel'
import { Ellipsoid, type EllipsoidData } from './geometry/ellipsoid.ts'
import {
  assembleEmulator,
  type EmulatorData,
  type EmulatorOptions,
  emulatorTrainingSet,
  NeuralEmulator,
} from './neural/emulator.ts'
import type { NetworkWeights } from './neural/mlp.ts'
import type { TrainNetworkConfig } from './worker/train-network.objective.ts'

export interface NeuralRegionData {
  readonly ellipsoid: EllipsoidData
  readonly emulator: EmulatorData | undefined
}

export class NeuralRegion {
  readonly ellipsoid: Ellipsoid
  readonly emulator: NeuralEmulator | undefined
  readonly #frame: Float64Array

  constructor(ellipsoid: Ellipsoid, emulator: NeuralEmulator | undefined) {
    this.ellipsoid = ellipsoid
    this.emulator = emulator
    this.#frame = new Float64Array(ellipsoid.dim)
  }

  contains(x: Float64Array): boolean {
    if (!this.ellipsoid.contains(x)) return false
    return this.emulator === undefined || this.emulator.accepts(this.ellipsoid.toUnitBall(x, this.#frame))
  }

  toData(): NeuralRegionData {
    return { ellipsoid: this.ellipsoid.toData(), emulator: this.emulator?.toData() }
  }

  static fromData(data: NeuralRegionData): NeuralRegion {
    return new NeuralRegion(
      Ellipsoid.fromData(data.ellipsoid),
      data.emulator === undefined ? undefined : NeuralEmulator.fromData(data.emulator),
    )
  }
}

const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
const trainNetwork = objectiveModule(new URL(`./worker/train-network.objective.${ext}`, import.meta.url), {})

export interface RegionOptions {
  readonly nNetworks: number
  readonly maxTrainingPoints: number
  readonly enlargePerDim: number
  readonly seed: number
  readonly pool: Pool
}

/**
 * The regions of a bound, from the non-overlapping ellipsoids around the points above the
 * threshold: each region's ellipsoid is refitted to its own points above the threshold; with
 * networks, its emulator learns the rank of every point inside that ellipsoid.
 */
export async function trainRegions(
  shapes: readonly Ellipsoid[],
  input: { points: readonly Float64Array[]; logL: Float64Array; logLMin: number; boundIndex: number },
  options: RegionOptions,
): Promise<NeuralRegion[]> {
  const d = input.points[0]!.length
  const outers = shapes.map((shape) => {
    const above = input.points.filter((x, i) => input.logL[i]! >= input.logLMin && shape.contains(x))
    return above.length > d ? Ellipsoid.fit(above, options.enlargePerDim) : shape
  })
  if (options.nNetworks === 0) return outers.map((e) => new NeuralRegion(e, undefined))
  const sets = outers.map((outer) => {
    const inside: number[] = []
    for (let i = 0; i < input.points.length; i++) if (outer.contains(input.points[i]!)) inside.push(i)
    const x = new Float64Array(inside.length * d)
    const frame = new Float64Array(d)
    for (let j = 0; j < inside.length; j++) x.set(outer.toUnitBall(input.points[inside[j]!]!, frame), j * d)
    const logL = Float64Array.from(inside, (p) => input.logL[p]!)
    return emulatorTrainingSet(x, d, logL, input.logLMin)
  })
  const tasks: { k: number }[] = []
  const contexts: EvaluateContext[] = []
  sets.forEach((set, r) => {
    const emulatorOptions: EmulatorOptions = {
      seed: options.seed,
      key: [input.boundIndex, r],
      nNetworks: options.nNetworks,
      maxTrainingPoints: options.maxTrainingPoints,
    }
    for (let k = 0; k < options.nNetworks; k++) {
      tasks.push({ k })
      const config: TrainNetworkConfig = { set, options: emulatorOptions }
      contexts.push(new EvaluateContext({ config: config as unknown as Record<string, unknown> }))
    }
  })
  const settled = await mapWithContextSettled(options.pool, trainNetwork, tasks, { contexts })
  const weights: NetworkWeights[] = settled.map((s) => {
    if (!s.ok) throw s.error
    return (s.context.quantities as { weights: NetworkWeights }).weights
  })
  return outers.map(
    (outer, r) =>
      new NeuralRegion(
        outer,
        assembleEmulator(sets[r]!, weights.slice(r * options.nNetworks, (r + 1) * options.nNetworks)),
      ),
  )
}
