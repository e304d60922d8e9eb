// What the sampler's messages say a wrong value is: "returned undefined", "returned null", "got
// a string", never "a undefined" or "a object" (fault probe P7). Each case makes the sampler
// meet the value for real: a log-probability, a likelihood or a factory that returns it.
import { describe, expect, it } from 'vitest'
import { defineLikelihood, defineLogProb, EnsembleSampler, rHat } from '../src/index.ts'
import { likelihoodObjective } from '../src/nested/likelihood.ts'

const messageOf = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  return (error as Error).message
}

const start = [
  [0.1, 0.2],
  [0.3, -0.1],
  [-0.2, 0.4],
  [0.5, 0.1],
]

describe('a value that is not a number, in the messages', () => {
  for (const [returned, shown] of [
    [undefined, 'returned undefined'],
    [null, 'returned null'],
    ['1', 'returned a string'],
    [{ lnp: 1 }, 'returned an object'],
  ] as const) {
    it(`a log-probability that ${shown}: the run's error says so`, async () => {
      const sampler = new EnsembleSampler({ logProb: () => returned as never, nWalkers: 4, nDim: 2 })
      const message = await messageOf(sampler.run(start, 1))
      expect(message).toContain(`the log-probability ${shown};`)
      expect(message).not.toMatch(/ a (undefined|object)\b/)
    })
  }

  it('a vectorised log-probability that returns undefined for its batch', async () => {
    const sampler = new EnsembleSampler({
      logProb: () => undefined as never,
      nWalkers: 4,
      nDim: 2,
      vectorized: true,
    })
    expect(await messageOf(sampler.run(start, 1))).toContain(
      'the log-probability returned undefined for a batch;',
    )
  })

  it('a log-likelihood that returns null', async () => {
    const objective = likelihoodObjective(() => null, false)
    expect(await messageOf(objective.evaluate({ x: 1 }))).toContain('the log-likelihood returned null;')
  })

  it('factories that return something other than a function', async () => {
    const logProb = defineLogProb(() => undefined as never)
    expect(await messageOf(logProb.create(undefined))).toContain(
      'the log-probability factory returned undefined; it must return',
    )
    const likelihood = defineLikelihood(() => null as never)
    expect(await messageOf(likelihood.create({ init: undefined, vectorized: false }))).toContain(
      'the log-likelihood factory returned null; it must return',
    )
    expect(() => defineLogProb(undefined as never)).toThrow(/factory function .* got undefined$/)
    expect(() => defineLikelihood('f' as never)).toThrow(/factory function .* got a string$/)
  })

  it('initial walkers and chains of the wrong kind', async () => {
    const sampler = new EnsembleSampler({ logProb: () => 0, nWalkers: 4, nDim: 2 })
    expect(await messageOf(sampler.run({ walkers: 4 } as never, 1))).toMatch(/got an object \(at 'initial'\)/)
    expect(() => rHat([undefined] as never)).toThrow(/chain 0 is not a Float64Array \(undefined\)/)
  })
})
