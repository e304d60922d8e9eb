// Both samplers check every option value with core's checks: a bad one fails at once, before
// anything is evaluated, with a ValidationError whose key path is the option and whose message
// says the rule and the value given.
import { rejectedValidationError, validationErrorOf } from '@parafit/core/testing'
import { describe, expect, test } from 'vitest'
import {
  EnsembleSampler,
  type EnsembleSamplerOptions,
  NestedSampler,
  type NestedSamplerOptions,
  Prior,
  uniform,
} from '../src/index.ts'

type Case = [options: Record<string, unknown>, keyPath: string, message: RegExp]

function expectRefused(call: () => unknown, keyPath: string, message: RegExp): void {
  const error = validationErrorOf(call)
  expect(error.keyPath).toBe(keyPath)
  expect(error.message).toMatch(message)
  expect(error.message).toContain(`(at '${keyPath}')`)
}

describe('EnsembleSampler option values', () => {
  let calls = 0
  const base: EnsembleSamplerOptions = {
    logProb: (theta: Float64Array) => {
      calls++
      return -0.5 * theta[0]! ** 2
    },
    nWalkers: 4,
    nDim: 1,
  }
  const cases: Case[] = [
    [{ nDim: 0 }, 'nDim', /^nDim must be a whole number ≥ 1, got 0 /],
    [{ nWalkers: 1.5 }, 'nWalkers', /^nWalkers must be a whole number ≥ 2, got 1.5 /],
    [{ seed: 0.5 }, 'seed', /^seed must be an integer, got 0.5 /],
    [
      { onBadValue: 'rejct' },
      'onBadValue',
      /^onBadValue must be 'raise' or 'reject', got 'rejct'; did you mean 'reject'\?/,
    ],
    [{ retries: -1 }, 'retries', /^retries must be a whole number from 0 to 100, got -1 /],
    [{ timeoutMs: 0 }, 'timeoutMs', /^timeoutMs must be a finite number of milliseconds > 0, got 0 /],
    [{ numWorkers: 0 }, 'numWorkers', /^numWorkers must be a whole number from 1 to \d+ or 'auto'/],
  ]

  test.each(cases)('%j fails at %s', (options, keyPath, message) => {
    expectRefused(() => new EnsembleSampler({ ...base, ...options }), keyPath, message)
    expect(calls).toBe(0)
  })

  test('run() refuses a bad number of steps', async () => {
    const sampler = new EnsembleSampler(base)
    const error = await rejectedValidationError(sampler.run([[0], [0.1], [0.2], [0.3]], -1))
    expect(error.keyPath).toBe('nSteps')
    expect(error.message).toMatch(/^nSteps must be a whole number ≥ 0, got -1 /)
  })
})

describe('NestedSampler option values', () => {
  let calls = 0
  const base: NestedSamplerOptions = {
    prior: new Prior({ a: uniform(0, 1), b: uniform(0, 1) }),
    logLikelihood: () => {
      calls++
      return 0
    },
  }
  const cases: Case[] = [
    [
      { nPointsMin: 2 },
      'nPointsMin',
      /^nPointsMin must be a whole number ≥ 3, got 2: an ellipsoid in 2 dimensions is fitted to more than 2 points/,
    ],
    [{ nNetworks: -1 }, 'nNetworks', /^nNetworks must be a whole number ≥ 0, got -1 /],
    [{ maxTrainingPoints: 5 }, 'maxTrainingPoints', /^maxTrainingPoints must be a whole number ≥ 10, got 5 /],
    [{ enlargePerDim: 0.5 }, 'enlargePerDim', /^enlargePerDim must be a number ≥ 1, got 0.5 /],
    [{ seed: Number.NaN }, 'seed', /^seed must be a finite number, got NaN /],
    [{ onBadValue: 'skip' }, 'onBadValue', /^onBadValue must be 'raise' or 'reject', got 'skip' /],
    [{ retries: 101 }, 'retries', /^retries must be a whole number from 0 to 100, got 101 /],
    [{ timeoutMs: -5 }, 'timeoutMs', /^timeoutMs must be a finite number of milliseconds > 0, got -5 /],
    [
      { checkpoint: { path: 'x.h5', every: 0 } },
      'checkpoint.every',
      /^checkpoint.every must be a whole number ≥ 1, got 0 /,
    ],
  ]

  test.each(cases)('%j fails at %s', (options, keyPath, message) => {
    expectRefused(() => new NestedSampler({ ...base, ...options } as NestedSamplerOptions), keyPath, message)
  })

  const runCases: Case[] = [
    [{ fLive: 0 }, 'fLive', /^fLive must be a number > 0, got 0 /],
    [{ nShell: 1.5 }, 'nShell', /^nShell must be a whole number ≥ 0, got 1.5 /],
    [{ nEff: -1 }, 'nEff', /^nEff must be a number ≥ 0, got -1 /],
    [{ nLikeMax: 0 }, 'nLikeMax', /^nLikeMax must be a number > 0, got 0 /],
    [{ timeoutMs: Number.NaN }, 'timeoutMs', /^timeoutMs must be a number of milliseconds > 0, got NaN /],
  ]

  test.each(runCases)('run(%j) fails at %s before any likelihood call', async (options, keyPath, message) => {
    const sampler = new NestedSampler(base)
    try {
      const error = await rejectedValidationError(sampler.run(options))
      expect(error.keyPath).toBe(keyPath)
      expect(error.message).toMatch(message)
      expect(calls).toBe(0)
    } finally {
      await sampler.close()
    }
  })
})
