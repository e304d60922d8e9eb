// The nested-seed workload: nautilus's documented example, a 3-D Gaussian (mean 0.5, σ 0.1 on the
// unit cube) whose likelihood sleeps (`sleepMs`, like waiting on an external code) or spins
// (`spinMs` to `spinMs + jitterMs`, varying with the point, like a model evaluation).
import { defineLikelihood, type LikelihoodFn } from '@parafit/sampler/likelihood'

export interface NestedWorkInit {
  readonly sleepMs?: number
  readonly spinMs?: number
  readonly jitterMs?: number
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

export default defineLikelihood(
  (init: NestedWorkInit): LikelihoodFn<Record<string, number>> =>
    (p) => {
      if (init.sleepMs !== undefined) Atomics.wait(sleeper, 0, 0, init.sleepMs)
      let s = 0
      for (const k of ['x0', 'x1', 'x2']) s += (p[k]! - 0.5) ** 2
      if (init.spinMs !== undefined) {
        const end = performance.now() + init.spinMs + (init.jitterMs ?? 0) * ((p.x0! * 7919) % 1)
        let acc = s
        while (performance.now() < end) acc = Math.sin(acc) + 1
        s += acc * 0
      }
      return -s / (2 * 0.01)
    },
)
