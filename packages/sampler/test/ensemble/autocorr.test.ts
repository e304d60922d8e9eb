// integratedTime on series whose autocorrelation time is known exactly: AR(1) processes
// x_t = φ x_{t-1} + √(1 - φ²) ε_t, whose autocorrelation is φ^|t| and so τ = (1 + φ) / (1 - φ).
// With N steps and W walkers the estimate's relative standard deviation is about
// √(2 (2M + 1) / (N W)) with the window M ≈ 5τ (Sokal), and the window and the subtracted mean
// bias it by ~2M/N: the sizes below keep both under ~3%, so a 10% tolerance is > 3 standard
// deviations, and the seeds are fixed (testRandom), so the outcome is the same on every run.
// That the estimator is emcee's to the last digits is checked in emcee-comparison.test.ts.

import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { AutocorrError, integratedTime } from '../../src/index.ts'
import { testRandom } from './targets.ts'

/** chain[step][walker]: nWalkers independent AR(1) series per parameter, parameter d with φ = phis[d]. */
function ar1Chain(phis: readonly number[], nSteps: number, nWalkers: number, seed: number): Float64Array[][] {
  const random = testRandom(seed)
  const chain = Array.from({ length: nSteps }, () =>
    Array.from({ length: nWalkers }, () => new Float64Array(phis.length)),
  )
  for (let k = 0; k < nWalkers; k++) {
    phis.forEach((phi, d) => {
      const innovation = Math.sqrt(1 - phi * phi)
      let x = random.normal() // stationary from the start: x_0 ~ N(0, 1)
      for (let t = 0; t < nSteps; t++) {
        chain[t]![k]![d] = x
        x = phi * x + innovation * random.normal()
      }
    })
  }
  return chain
}

const exactTau = (phi: number) => (1 + phi) / (1 - phi)

describe('integratedTime on AR(1) series', () => {
  test.each([
    { nWalkers: 32, nSteps: 20_000, seed: 1 },
    { nWalkers: 4, nSteps: 100_000, seed: 2 },
    { nWalkers: 1, nSteps: 200_000, seed: 3 },
  ])(
    'τ = (1 + φ)/(1 - φ) within 10% for φ = 0, 0.5, 0.8, 0.9, one per parameter, $nWalkers walkers × $nSteps steps',
    ({ nWalkers, nSteps, seed }) => {
      const phis = [0, 0.5, 0.8, 0.9]
      const tau = integratedTime(ar1Chain(phis, nSteps, nWalkers, seed))
      expect(tau).toHaveLength(phis.length)
      phis.forEach((phi, d) => {
        const exact = exactTau(phi)
        expect(Math.abs(tau[d]! / exact - 1), `φ = ${phi}: τ = ${tau[d]} vs exact ${exact}`).toBeLessThan(0.1)
      })
    },
    60_000,
  )

  test('a strongly correlated series: φ = 0.97 (τ = 65.7) within 10%', () => {
    const tau = integratedTime(ar1Chain([0.97], 40_000, 32, 4))
    expect(Math.abs(tau[0]! / exactTau(0.97) - 1), `τ = ${tau[0]}`).toBeLessThan(0.1)
  }, 60_000)

  // White noise: the window stops at M = 5, so τ̂ - 1 = 2 Σ_{t=1..5} ρ̂(t), whose standard
  // deviation is 2√5 / √(N W) (0.018 on 2000 steps × 32 walkers) and bias about -10/N.
  test('white noise is not mistaken for a correlated series: τ = 1 within 10%', () => {
    for (const [nSteps, seed] of [
      [2000, 5],
      [5000, 6],
    ] as const) {
      const tau = integratedTime(ar1Chain([0, 0], nSteps, 32, seed))
      for (const t of tau) expect(Math.abs(t - 1), `τ = ${t} on ${nSteps} steps`).toBeLessThan(0.1)
    }
  })
})

describe('a chain too short to trust', () => {
  // φ = 0.9: τ ≈ 19, so 50 τ ≈ 950 steps; 300 steps is far too few.
  const chain = ar1Chain([0.9, 0], 300, 16, 7)

  test('throws AutocorrError with the estimate in .tau', () => {
    let caught: unknown
    try {
      integratedTime(chain)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(AutocorrError)
    const error = caught as AutocorrError
    expect(error.code).toBe('PARAFIT_AUTOCORR')
    expect(error.message).toMatch(/shorter than 50 times the integrated autocorrelation time for 1 of 2/)
    expect(error.tau).toBeInstanceOf(Float64Array)
    expect(error.tau).toHaveLength(2)
    // The estimate is there and roughly right, though not trusted.
    expect(error.tau[0]!).toBeGreaterThan(10)
    expect(error.tau[0]!).toBeLessThan(30)
    expect(error.tau[1]!).toBeLessThan(2)
  })

  test('quiet: true returns the same estimate instead of throwing', () => {
    let thrown: AutocorrError | undefined
    try {
      integratedTime(chain)
    } catch (error) {
      thrown = error as AutocorrError
    }
    expect(thrown).toBeDefined()
    expect(integratedTime(chain, { quiet: true })).toEqual(thrown!.tau)
  })

  test('tol sets what is long enough: 300 steps are more than 10 τ', () => {
    const tau = integratedTime(chain, { tol: 10 })
    expect(tau).toEqual(integratedTime(chain, { quiet: true }))
  })
})

describe('integratedTime properties', () => {
  const base = ar1Chain([0.7, 0.3], 400, 6, 8)

  test.prop(
    [
      fc.double({ min: -1e3, max: 1e3, noNaN: true }).filter((a) => Math.abs(a) > 1e-2),
      fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    ],
    { numRuns: 30 },
  )('is unchanged when a parameter is rescaled and shifted (x → a x + b)', (a, b) => {
    const moved = base.map((row) => row.map((p) => Float64Array.of(a * p[0]! + b, p[1]!)))
    const before = integratedTime(base, { quiet: true })
    const after = integratedTime(moved, { quiet: true })
    expect(Math.abs(after[0]! / before[0]! - 1)).toBeLessThan(1e-6)
    expect(after[1]).toBe(before[1])
  })

  test.prop([fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 })], { numRuns: 20 })(
    'does not depend on the order of the walkers',
    (order) => {
      const permuted = base.map((row) => order.map((k) => row[k]!))
      const before = integratedTime(base, { quiet: true })
      const after = integratedTime(permuted, { quiet: true })
      for (let d = 0; d < 2; d++) expect(Math.abs(after[d]! / before[d]! - 1)).toBeLessThan(1e-12)
    },
  )
})

test('a walker stuck at one value makes τ NaN for that parameter, as in emcee, never 0', () => {
  const chain = Array.from({ length: 400 }, (_, t) =>
    Array.from({ length: 4 }, (_, k) => Float64Array.of(k === 0 ? 1 : Math.sin(t * (k + 1) * 0.37), t % 7)),
  )
  const tau = integratedTime(chain, { quiet: true })
  expect(Number.isNaN(tau[0])).toBe(true)
  expect(Number.isFinite(tau[1])).toBe(true)
})
