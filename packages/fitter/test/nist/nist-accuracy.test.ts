// Acceptance test for curveFit: all 27 NIST StRD nonlinear problems from both starts, with
// curveFit's defaults and nothing tuned per problem. The bar is MINPACK's (scipy's
// least_squares(method='lm') with ftol = xtol = gtol = 1e-15 and no evaluation limit, run by
// ./minpack-reference.py): it reaches a min LRE of 6 on 49 of the 54 runs with a median of 75
// evaluations, counting, as curveFit does, every evaluation of the model over the data set,
// those of the finite-difference Jacobians included. curveFit must reach 6 on all 54 within that
// median, and its count also includes the Jacobian the standard errors come from, which MINPACK's
// leaves to the caller.
import { expect, it } from 'vitest'
import { curveFit } from '../../src/index.ts'
import { formatNistTable, type NistProblemName, RSS_AT_ROUNDING_LEVEL, scoreNist } from './nist.ts'

/** MINPACK's median evaluations per run on these 54 runs (see above). */
const MINPACK_MEDIAN_EVALUATIONS = 75

const relErr = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected)

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

it('curveFit reaches the certified values of all 27 NIST problems from both starts', async () => {
  const checks: {
    run: string
    stderr: ArrayLike<number>
    rss: number
    certifiedSd: number[]
    rssCert: number
  }[] = []
  const runs = await scoreNist(async (p, start) => {
    const result = await curveFit({ model: p.model, x: p.x, y: p.y, initial: start })
    if (!RSS_AT_ROUNDING_LEVEL.has(p.name as NistProblemName)) {
      checks.push({
        run: `${p.name}/${p.starts[0].every((v, i) => v === start[i]) ? 1 : 2}`,
        stderr: result.stderr,
        rss: result.rss,
        certifiedSd: p.certifiedStdDev,
        rssCert: p.certifiedRss,
      })
    }
    return result
  })
  console.log('curveFit, default options\n' + formatNistTable(runs))

  expect(runs).toHaveLength(54)
  const short = runs
    .filter((r) => !(r.minLre >= 6))
    .map((r) => `${r.problem}/${r.start}: ${r.minLre.toFixed(2)}`)
  expect(short, 'runs with min LRE < 6').toEqual([])
  expect(runs.every((r) => r.success)).toBe(true)
  expect(median(runs.map((r) => r.nfev))).toBeLessThanOrEqual(MINPACK_MEDIAN_EVALUATIONS)

  // Where the estimate is the certified one, so must be its uncertainty and residual.
  const mismatches: string[] = []
  for (const c of checks) {
    if (!(relErr(c.rss, c.rssCert) <= 1e-6)) mismatches.push(`${c.run} rss ${c.rss} vs ${c.rssCert}`)
    for (let j = 0; j < c.certifiedSd.length; j++) {
      const sd = c.stderr[j]!
      if (!(relErr(sd, c.certifiedSd[j]!) <= 1e-3))
        mismatches.push(`${c.run} stderr b${j + 1} ${sd} vs ${c.certifiedSd[j]}`)
    }
  }
  expect(mismatches).toEqual([])
  // Guards the run keys above: every run but Lanczos1's two was checked.
  expect(new Set(checks.map((c) => c.run)).size).toBe(52)
})
