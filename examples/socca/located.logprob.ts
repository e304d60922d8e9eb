// A 2-D Gaussian log-probability that notes in its context where it ran: process, thread and,
// under mpirun, the MPI rank.
import { threadId } from 'node:worker_threads'
import { detectMpi } from '@parafit/core'
import { defineLogProb } from '@parafit/sampler/log-prob'

export default defineLogProb(() => (theta, ctx) => {
  ctx.meta.ranBy = { pid: process.pid, threadId, rank: detectMpi().rank }
  return -0.5 * ((theta[0]! - 1) ** 2 + ((theta[1]! + 2) / 0.5) ** 2)
})
