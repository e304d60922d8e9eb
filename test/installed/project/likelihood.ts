// A user's log-likelihood module for the nested sampler: a 2-D Gaussian of named parameters.
import { defineLikelihood, type LikelihoodFn } from '@parafit/sampler/likelihood'

export default defineLikelihood(
  (): LikelihoodFn<{ x: number; y: number }> =>
    ({ x, y }) => {
      return -0.5 * (((x - 0.3) / 0.1) ** 2 + ((y - 0.6) / 0.05) ** 2)
    },
)
