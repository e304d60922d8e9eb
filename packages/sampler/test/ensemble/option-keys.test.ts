// The sampler's options are checked at run time, at every level: scripts run with their types
// stripped, so a misspelled option must fail (ValidationError, naming its key path and the
// closest known key) before anything is evaluated, never be silently ignored.
import { assertUnknownOption, rejectedValidationError, validationErrorOf } from '@parafit/core/testing'
import { describe, expect, test } from 'vitest'
import { deMove, EnsembleSampler, integratedTime, type RunOptions, stretchMove } from '../../src/index.ts'

describe('EnsembleSampler options', () => {
  const logProb = (theta: Float64Array) => -0.5 * (theta[0]! ** 2 + theta[1]! ** 2)
  const walkers = Array.from({ length: 6 }, (_, k) => [0.1 * Math.cos(k), 0.1 * Math.sin(k + 0.3)])

  test('a misspelled constructor option fails, suggesting the right one', () => {
    assertUnknownOption(
      validationErrorOf(() => new EnsembleSampler({ logProb, nWalkers: 6, ndims: 2 } as never)),
      'ndims',
      'nDim',
    )
    assertUnknownOption(
      validationErrorOf(
        () => new EnsembleSampler({ logProb, nWalkers: 6, nDim: 2, vectorised: true } as never),
      ),
      'vectorised',
      'vectorized',
    )
    assertUnknownOption(
      validationErrorOf(() => new EnsembleSampler({ logProb, nWalkers: 6, nDim: 2, workers: 1 } as never)),
      'workers',
      'numWorkers',
    )
  })

  test('run(), the chain getters and the moves check their options', async () => {
    let calls = 0
    const sampler = new EnsembleSampler({
      logProb: (theta: Float64Array) => {
        calls++
        return logProb(theta)
      },
      nWalkers: 6,
      nDim: 2,
    })
    assertUnknownOption(
      await rejectedValidationError(sampler.run(walkers, 5, { progres: false } as RunOptions)),
      'progres',
      'progress',
    )
    expect(calls).toBe(0)
    await sampler.run(walkers, 5)
    assertUnknownOption(
      validationErrorOf(() => sampler.getChain({ discrad: 1 } as never)),
      'discrad',
      'discard',
    )
    assertUnknownOption(
      validationErrorOf(() => sampler.getLogProb({ flatten: true } as never)),
      'flatten',
      'flat',
    )
    assertUnknownOption(
      validationErrorOf(() => sampler.getBlobs({ thinn: 2 } as never)),
      'thinn',
      'thin',
    )
    assertUnknownOption(
      validationErrorOf(() => sampler.autocorrTime({ quite: true } as never)),
      'quite',
      'quiet',
    )
    assertUnknownOption(
      validationErrorOf(() => integratedTime(sampler.getChain(), { tole: 1 } as never)),
      'tole',
      'tol',
    )
    assertUnknownOption(
      validationErrorOf(() => stretchMove({ A: 3 } as never)),
      'A',
      'a',
    )
    assertUnknownOption(
      validationErrorOf(() => deMove({ gamma: 1 } as never)),
      'gamma',
      'gamma0',
    )
  })

  test('every option spelled right is accepted', async () => {
    const sampler = new EnsembleSampler({
      logProb,
      nWalkers: 6,
      nDim: 2,
      numWorkers: 1,
      seed: 4,
      moves: [
        [stretchMove({ a: 2 }), 0.8],
        [deMove({ sigma: 1e-5, gamma0: 0.5 }), 0.2],
      ],
      vectorized: false,
      onBadValue: 'raise',
      timeoutMs: 60_000,
      retries: 0,
      pipeline: false,
      skipInitialStateCheck: false,
    })
    const seen: number[] = []
    const summary = await sampler.run(walkers, 20, {
      progress: false,
      onProgress: (p) => seen.push(p.step),
      signal: new AbortController().signal,
    })
    expect(summary.steps).toBe(20)
    expect(seen.at(-1)).toBe(20)
    expect(sampler.getChain({ discard: 5, thin: 3, flat: true })).toHaveLength(5 * 6)
    expect(sampler.getLogProb({ discard: 5, flat: false })).toHaveLength(15)
    expect(sampler.getBlobs({ thin: 2 })).toHaveLength(10)
    expect(sampler.autocorrTime({ discard: 2, thin: 2, c: 5, tol: 50, quiet: true })).toHaveLength(2)
    await sampler.close()
  })
})

describe('EnsembleSampler option values', () => {
  const logProb = (theta: Float64Array) => -0.5 * (theta[0]! ** 2 + theta[1]! ** 2)

  test('a bad value fails naming its key, the rule and the value given', () => {
    const cases: [() => unknown, string, RegExp][] = [
      [() => stretchMove({ a: 1 }), 'a', /^a must be a finite number > 1, got 1 /],
      [() => deMove({ sigma: -1 }), 'sigma', /^sigma must be a finite number ≥ 0, got -1 /],
      [() => deMove({ gamma0: 0 }), 'gamma0', /^gamma0 must be a finite number > 0, got 0 /],
    ]
    const sampler = new EnsembleSampler({ logProb, nWalkers: 6, nDim: 2 })
    cases.push(
      [() => sampler.getChain({ thin: 0 }), 'thin', /^thin must be a whole number ≥ 1, got 0 /],
      [() => sampler.getLogProb({ discard: -1 }), 'discard', /^discard must be a whole number ≥ 0, got -1 /],
    )
    for (const [call, keyPath, message] of cases) {
      const error = validationErrorOf(call)
      expect(error.keyPath).toBe(keyPath)
      expect(error.message).toMatch(message)
    }
  })
})
