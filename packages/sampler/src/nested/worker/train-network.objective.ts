// One network of a region's emulator, as a task on the sampler pool: the training set and the
// options travel in the context's config, the network index as the parameter, and the weights
// come back in the context's quantities. Training is a pure function of those, so any worker
// (thread, process, MPI rank) gives the same weights.

import { defineObjective } from '@parafit/core'
import { type EmulatorOptions, type EmulatorTrainingSet, trainEmulatorNetwork } from '../neural/emulator.ts'

export interface TrainNetworkConfig {
  readonly set: EmulatorTrainingSet
  readonly options: EmulatorOptions
}

export default defineObjective<unknown, { k: number }>(() => (params, ctx) => {
  const { set, options } = ctx.config as unknown as TrainNetworkConfig
  ctx.quantities = { weights: trainEmulatorNetwork(set, params.k, options) }
  return 0
})
