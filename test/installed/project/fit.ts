// A user's script: fit model.ts on the pool named by argv[2] (threads, processes, or mpi under
// mpirun) and print the result as one JSON line.
import { objectiveModule } from '@parafit/core'
import { type FitResult, Fitter } from '@parafit/fitter'
import { bounds, initial } from './model.ts'

const pool = process.argv[2] ?? 'threads'
const model = objectiveModule(new URL('./model.ts', import.meta.url))
const fitter = new Fitter(model, {
  initial,
  bounds: bounds as never,
  numWorkers: pool === 'mpi' ? 'auto' : 2,
})
const result: FitResult<typeof initial> = await fitter.fit({ method: 'lm' })
await fitter.close()
console.log(
  JSON.stringify({ pool, params: result.params, loss: result.loss, points: result.bestContext.meta.points }),
)
