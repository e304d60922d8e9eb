// The NIST harness run against ml-levenberg-marquardt at its defaults: proves the harness works end to end
// before curveFit exists, and records the baseline curveFit has to beat.
import { levenbergMarquardt } from 'ml-levenberg-marquardt'
import { expect, it } from 'vitest'
import { formatNistTable, type NistProblem, residualSumOfSquares, scoreNist } from './nist.ts'

async function fitMlLm(p: NistProblem, start: number[]) {
  // ml-levenberg-marquardt reports iterations, not evaluations; each call of the parameterized function is
  // one pass of the model over the data, so count those.
  let nfev = 0
  // It takes one number per data point, so it gets the point's index (Nelson has two predictors).
  const parameterized = (b: number[]) => {
    nfev++
    const fb = Float64Array.from(b)
    return (i: number) => p.model(p.x[i]!, fb)
  }
  const index = p.x.map((_, i) => i)
  try {
    const result = levenbergMarquardt({ x: index, y: p.y }, parameterized, { initialValues: start })
    return {
      params: result.parameterValues,
      nfev,
      success: Number.isFinite(result.parameterError),
      message: `${result.iterations} iterations, rss ${result.parameterError.toPrecision(6)}`,
      rss: result.parameterError,
    }
  } catch (err) {
    // It can throw mid-run (Gauss1 from start 1: 'Matrix is not symmetric'); keep the evaluation count.
    const message = `threw: ${err instanceof Error ? err.message : String(err)}`
    return { params: start.map(() => Number.NaN), nfev, success: false, message, rss: Number.NaN }
  }
}

it('scores ml-levenberg-marquardt (defaults) on all 54 NIST runs', { timeout: 20_000 }, async () => {
  const rssChecks: { problem: string; reported: number; recomputed: number }[] = []
  const runs = await scoreNist(async (p, start) => {
    const r = await fitMlLm(p, start)
    rssChecks.push({ problem: p.name, reported: r.rss, recomputed: residualSumOfSquares(p, r.params) })
    return r
  })
  console.log('ml-levenberg-marquardt, default options\n' + formatNistTable(runs))

  expect(runs).toHaveLength(54)
  for (const r of runs) {
    expect(r.minLre).toBeGreaterThanOrEqual(0)
    expect(r.minLre).toBeLessThanOrEqual(11)
    expect(r.nfev).toBeGreaterThan(0)
  }
  // Its reported error is the plain RSS when unweighted, so the harness and the library agree on the objective.
  for (const { problem, reported, recomputed } of rssChecks) {
    if (Number.isFinite(reported))
      expect(Math.abs(reported - recomputed), problem).toBeLessThanOrEqual(1e-9 * recomputed)
  }
  // The point of curveFit: at its defaults this library does not solve the suite.
  expect(runs.filter((r) => r.minLre >= 4).length).toBeLessThan(54)
})
