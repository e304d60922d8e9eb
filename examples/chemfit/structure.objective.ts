// One term of the chemfit example: how well the Morse potential reproduces the reference energies
// of one structure's frames. The loss is the mean squared energy error in (meV/atom)^2; the
// quantities (RMSE, worst frame) and where the term ran go into the context and come back to
// the caller from whichever thread, process or MPI rank evaluated it.
import { threadId } from 'node:worker_threads'
import { defineObjective, detectMpi, hooks } from '@parafit/core'
import { type MorseParams, morseEnergy, type StructureData } from './morse.ts'

const launch = detectMpi()
const ranOn =
  launch.launcher === null
    ? `pid ${process.pid} thread ${threadId}`
    : `rank ${launch.rank} pid ${process.pid}`

export default defineObjective((data: StructureData) => (p: MorseParams, ctx) => {
  let squares = 0
  let worst = 0
  for (let f = 0; f < data.frames; f++) {
    const error = ((morseEnergy(data.positions, f, data.atoms, p) - data.energies[f]!) / data.atoms) * 1000
    squares += error * error
    worst = Math.max(worst, Math.abs(error))
  }
  const mse = squares / data.frames
  ctx.quantities = {
    rmseMeVPerAtom: Math.sqrt(mse),
    maxErrorMeVPerAtom: worst,
    frames: data.frames,
    atoms: data.atoms,
  }
  ctx.meta.structure = data.name
  ctx.meta.ranOn = ranOn
  return mse
}).withHooks(hooks.timing())
