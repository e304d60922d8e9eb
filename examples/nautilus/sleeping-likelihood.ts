// The likelihood of nautilus's parallelisation guide: 3 parameters a, b, c with a uniform prior on
// the unit cube and a Gaussian likelihood (mean 0.5, σ 0.1) that sleeps `sleepMs` (10 ms by
// default) on every call, as a call to an external code would: the thread waits, using no CPU.
import { defineLikelihood, type LikelihoodFn } from '@parafit/sampler/likelihood'

const sleeper = new Int32Array(new SharedArrayBuffer(4))

export default defineLikelihood(
  (init: { sleepMs?: number } = {}): LikelihoodFn<{ a: number; b: number; c: number }> =>
    ({ a, b, c }, ctx) => {
      Atomics.wait(sleeper, 0, 0, init.sleepMs ?? 10)
      ctx.meta.pid = process.pid
      const chi2 = ((a - 0.5) / 0.1) ** 2 + ((b - 0.5) / 0.1) ** 2 + ((c - 0.5) / 0.1) ** 2
      return -0.5 * chi2
    },
)
