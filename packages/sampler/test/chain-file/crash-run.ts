// Run by crash.test.ts in a child process: samples the shared problem for 30 steps into the
// chain file argv[2], writing every argv[3] steps, and kills itself with SIGKILL (no clean-up,
// no final write) as soon as step argv[4] is done.

import { EnsembleSampler } from '../../src/index.ts'
import { initialWalkers, samplerOptions } from './problem.ts'

const [path, every, killAt] = process.argv.slice(2)
const sampler = new EnsembleSampler(
  samplerOptions(undefined, { chainFile: { path: path!, every: Number(every) } }),
)
await sampler.run(initialWalkers(21), 30, {
  onProgress: ({ step }) => {
    if (step === Number(killAt)) process.kill(process.pid, 'SIGKILL')
  },
})
