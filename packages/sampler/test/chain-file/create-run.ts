// Run by crash.test.ts in a child process: creates chain files argv[2]/chain-<n>.h5, n = 1, 2,
// ..., one after another, until it is killed (a kill while a file is being made is the point).

import { join } from 'node:path'
import { ChainFileWriter } from '../../src/chain-file/chain-file-writer.ts'
import { nDim, nWalkers } from './problem.ts'

const folder = process.argv[2]!
const problem = { nWalkers, nDim, moves: 'stretch', parameterNames: undefined, seed: 11 }
for (let n = 1; ; n++) {
  const writer = new ChainFileWriter(join(folder, `chain-${n}.h5`), 'mcmc', problem)
  await writer.open()
  writer.close()
}
