// The same 2-D Gaussian as located.logprob.ts, as a likelihood of named parameters for the nested
// sampler; it too notes in its context where it ran.
import { threadId } from 'node:worker_threads'
import { detectMpi } from '@parafit/core'
import { defineLikelihood, type LikelihoodFn } from '@parafit/sampler/likelihood'

export default defineLikelihood(
  (): LikelihoodFn<{ x: number; y: number }> =>
    ({ x, y }, ctx) => {
      ctx.meta.ranBy = { pid: process.pid, threadId, rank: detectMpi().rank }
      return -0.5 * ((x - 1) ** 2 + ((y + 2) / 0.5) ** 2)
    },
)
