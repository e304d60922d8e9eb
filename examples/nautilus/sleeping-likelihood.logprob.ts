// The likelihood of nautilus's parallelisation guide: 3 parameters with a uniform prior on the
// unit cube and a likelihood that sleeps 10 ms, as a call to an external code would (the thread
// waits, using no CPU).
import { defineLogProb } from '@parafit/sampler/log-prob'

const sleeper = new Int32Array(new SharedArrayBuffer(4))

export default defineLogProb(() => (theta) => {
  if (theta.some((v) => v < 0 || v > 1)) return Number.NEGATIVE_INFINITY // outside the prior
  Atomics.wait(sleeper, 0, 0, 10)
  let chi2 = 0
  for (const v of theta) chi2 += ((v - 0.5) / 0.1) ** 2
  return -0.5 * chi2
})
