// Acceptance test for curveFit: the 11 NIST StRD problems from both starts, with curveFit's defaults and
// nothing tuned per problem.
import { expect, it } from 'vitest'
import { curveFit } from '../../src/index.ts'
import { formatNistTable, scoreNist } from './nist.ts'

const relErr = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected)

it('curveFit reaches the certified values on the NIST problems', { timeout: 60_000 }, async () => {
  const checks: {
    run: string
    stderr: ArrayLike<number>
    rss: number
    certifiedSd: number[]
    rssCert: number
  }[] = []
  const runs = await scoreNist(async (p, start) => {
    const result = await curveFit({ model: p.model, x: p.x, y: p.y, initial: start })
    checks.push({
      run: `${p.name}/${p.starts[0].every((v, i) => v === start[i]) ? 1 : 2}`,
      stderr: result.stderr,
      rss: result.rss,
      certifiedSd: p.certifiedStdDev,
      rssCert: p.certifiedRss,
    })
    return result
  })
  console.log('curveFit, default options\n' + formatNistTable(runs))

  expect(runs).toHaveLength(22)
  const weak = runs.filter((r) => r.minLre < 4).map((r) => `${r.problem}/${r.start}: ${r.minLre.toFixed(2)}`)
  expect(weak, 'runs with min LRE < 4').toEqual([])
  expect(runs.filter((r) => r.minLre >= 6).length).toBeGreaterThanOrEqual(21)

  // Where the estimate is the certified one (6+ digits), so must be its uncertainty and residual.
  const reached = new Set(runs.filter((r) => r.minLre >= 6).map((r) => `${r.problem}/${r.start}`))
  const mismatches: string[] = []
  for (const c of checks) {
    if (!reached.has(c.run)) continue
    if (!(relErr(c.rss, c.rssCert) <= 1e-6)) mismatches.push(`${c.run} rss ${c.rss} vs ${c.rssCert}`)
    for (let j = 0; j < c.certifiedSd.length; j++) {
      const sd = c.stderr[j]!
      if (!(relErr(sd, c.certifiedSd[j]!) <= 1e-3))
        mismatches.push(`${c.run} stderr b${j + 1} ${sd} vs ${c.certifiedSd[j]}`)
    }
  }
  expect(mismatches).toEqual([])
  // Guards the run keys above: every reached run was checked.
  expect(reached.size).toBe(checks.filter((c) => reached.has(c.run)).length)
})
