// A user's log-probability module: a correlated 2-D Gaussian, loaded once by each worker.
import { defineLogProb } from '@parafit/sampler/log-prob'

export default defineLogProb(() => (theta: Float64Array) => {
  const [x, y] = [theta[0]!, theta[1]!]
  return (-0.5 * (x * x - 1.6 * x * y + y * y)) / (1 - 0.64)
})
