// Checks the NIST harness itself: the parser, the hand-written models, the LRE score and the table, so that
// a failing accuracy test points at the solver and not at the harness.
import { inverse, Matrix } from 'ml-matrix'
import { describe, expect, it } from 'vitest'
import {
  formatNistTable,
  LRE_CAP,
  loadNistProblem,
  loadNistProblems,
  lre,
  minLre,
  NIST_PROBLEM_NAMES,
  type NistProblem,
  type NistProblemName,
  type NistRun,
  parseNist,
  RSS_AT_ROUNDING_LEVEL,
  residualSumOfSquares,
  scoreNist,
} from './nist.ts'

const relErr = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected)

// Parameter and observation counts and difficulty as NIST lists them, kept apart from the files so a
// truncated or edited file cannot agree with itself.
const EXPECTED = {
  Misra1a: { n: 2, m: 14, difficulty: 'lower' },
  Chwirut2: { n: 3, m: 54, difficulty: 'lower' },
  Chwirut1: { n: 3, m: 214, difficulty: 'lower' },
  Lanczos3: { n: 6, m: 24, difficulty: 'lower' },
  Gauss1: { n: 8, m: 250, difficulty: 'lower' },
  Gauss2: { n: 8, m: 250, difficulty: 'lower' },
  DanWood: { n: 2, m: 6, difficulty: 'lower' },
  Misra1b: { n: 2, m: 14, difficulty: 'lower' },
  Kirby2: { n: 5, m: 151, difficulty: 'average' },
  Hahn1: { n: 7, m: 236, difficulty: 'average' },
  Nelson: { n: 3, m: 128, difficulty: 'average' },
  MGH17: { n: 5, m: 33, difficulty: 'average' },
  Lanczos1: { n: 6, m: 24, difficulty: 'average' },
  Lanczos2: { n: 6, m: 24, difficulty: 'average' },
  Gauss3: { n: 8, m: 250, difficulty: 'average' },
  Misra1c: { n: 2, m: 14, difficulty: 'average' },
  Misra1d: { n: 2, m: 14, difficulty: 'average' },
  Roszman1: { n: 4, m: 25, difficulty: 'average' },
  ENSO: { n: 9, m: 168, difficulty: 'average' },
  MGH09: { n: 4, m: 11, difficulty: 'higher' },
  Thurber: { n: 7, m: 37, difficulty: 'higher' },
  BoxBOD: { n: 2, m: 6, difficulty: 'higher' },
  Rat42: { n: 3, m: 9, difficulty: 'higher' },
  MGH10: { n: 3, m: 16, difficulty: 'higher' },
  Eckerle4: { n: 3, m: 35, difficulty: 'higher' },
  Rat43: { n: 4, m: 15, difficulty: 'higher' },
  Bennett5: { n: 3, m: 154, difficulty: 'higher' },
} as const

const problems = loadNistProblems()

/** Central-difference Jacobian of the model values with respect to the parameters, m x n. */
function jacobian(p: NistProblem, params: readonly number[]): Matrix {
  const n = params.length
  const J = new Matrix(p.x.length, n)
  for (let j = 0; j < n; j++) {
    // Relative step near the cube root of machine epsilon balances truncation and rounding error.
    const h = 6e-6 * Math.max(Math.abs(params[j]!), 1e-30)
    const plus = Float64Array.from(params)
    const minus = Float64Array.from(params)
    plus[j]! += h
    minus[j]! -= h
    const width = plus[j]! - minus[j]!
    for (let i = 0; i < p.x.length; i++)
      J.set(i, j, (p.model(p.x[i]!, plus) - p.model(p.x[i]!, minus)) / width)
  }
  return J
}

describe('NIST files parse', () => {
  it('loads all 27 problems in order', () => {
    expect(problems.map((p) => p.name)).toEqual([...NIST_PROBLEM_NAMES])
  })

  it.each(problems)('$name: counts, difficulty and finite values', (p) => {
    const expected = EXPECTED[p.name as keyof typeof EXPECTED]
    const n = expected.n
    expect(p.declared).toEqual({ parameters: n, observations: expected.m })
    expect(p.difficulty).toBe(expected.difficulty)
    expect(p.x).toHaveLength(expected.m)
    expect(p.y).toHaveLength(expected.m)
    expect(p.starts[0]).toHaveLength(n)
    expect(p.starts[1]).toHaveLength(n)
    expect(p.certified).toHaveLength(n)
    expect(p.certifiedStdDev).toHaveLength(n)
    // Rat43's file says 9 degrees of freedom, a misprint: its residual standard deviation is √(RSS / 11).
    expect(p.degreesOfFreedom).toBe(p.name === 'Rat43' ? 9 : expected.m - n)
    const all = [...p.x.flat(), ...p.y, ...p.starts[0], ...p.starts[1], ...p.certified, ...p.certifiedStdDev]
    expect(all.every(Number.isFinite)).toBe(true)
    expect(p.certifiedStdDev.every((s) => s > 0)).toBe(true)
    expect(p.certifiedRss).toBeGreaterThan(0)
  })

  it('reads values exactly as written (Thurber spot checks)', () => {
    const t = loadNistProblem('Thurber')
    expect(t.starts).toEqual([
      [1000, 1000, 400, 40, 0.7, 0.3, 0.03],
      [1300, 1500, 500, 75, 1, 0.4, 0.05],
    ])
    expect(t.certified[0]).toBe(1.28813968e3)
    expect(t.certifiedStdDev[6]).toBe(6.5842344623e-3)
    expect(t.certifiedRss).toBe(5.6427082397e3)
    expect(t.residualStdDev).toBe(1.3714600784e1)
    expect([t.y[0], t.x[0]]).toEqual([80.574, -3.067])
    expect([t.y.at(-1), t.x.at(-1)]).toEqual([1457.628, 2.2])
  })

  it('reads two predictors as pairs and fits log(y) where the model is stated for log[y] (Nelson)', () => {
    const nelson = loadNistProblem('Nelson')
    expect(nelson.x[0]).toEqual([1, 180])
    expect(nelson.x.at(-1)).toEqual([64, 275])
    expect(nelson.y[0]).toBe(Math.log(15))
    expect(nelson.y.at(-1)).toBe(Math.log(1.2))
    // The other problems keep y as written.
    expect(loadNistProblem('Misra1a').y[0]).toBe(10.07)
  })
})

describe('parseNist rejects malformed files', () => {
  const text = `NIST/ITL StRD
Dataset Name:  Tiny
               Starting Values   (lines 8 to 8)
               Certified Values  (lines 8 to 8)
               Data              (lines 15 to 16)
               2 Observations
               Lower Level of Difficulty
  b1 =   1     2     3.0E+00  1.0E-01
               1 Parameters (b1)
               1 Predictor (x)
Residual Sum of Squares:     1.0E+00
Residual Standard Deviation: 1.0E+00
Degrees of Freedom:          1
Number of Observations:      2
  1.0E0   2.0E0
  3.0E0   .5E0
`

  it('parses the well-formed sample', () => {
    const d = parseNist(text, 'Tiny')
    expect(d.starts).toEqual([[1], [2]])
    expect(d.certified).toEqual([3])
    expect(d.y).toEqual([1, 3])
    expect(d.x).toEqual([2, 0.5])
    expect(d.difficulty).toBe('lower')
  })

  it('throws on a bad number, a missing data line, a stray line, or a count mismatch', () => {
    expect(() => parseNist(text.replace('.5E0', '.5Q0'), 'Tiny')).toThrow(/not a number/)
    expect(() => parseNist(text.replace('  3.0E0   .5E0\n', ''), 'Tiny')).toThrow(/expected 'y x'/)
    expect(() => parseNist(text + '  5.0E0   6.0E0\n', 'Tiny')).toThrow(/after the data range/)
    expect(() => parseNist(text.replace('2 Observations', '3 Observations'), 'Tiny')).toThrow(/header says/)
    expect(() => parseNist(text.replace('1 Parameters', '2 Parameters'), 'Tiny')).toThrow(/header says/)
    expect(() => parseNist(text.replace('(lines 15 to 16)', ''), 'Tiny')).toThrow(/Data \(lines/)
    expect(() => parseNist(text.replace('1 Predictor (x)', ''), 'Tiny')).toThrow(/Predictor/)
    expect(() => parseNist(text.replace('1 Predictor (x)', '2 Predictors (x1, x2)'), 'Tiny')).toThrow(
      /expected 'y x1 x2'/,
    )
  })
})

describe('models at the certified parameters', () => {
  const reproducible = problems.filter((p) => !RSS_AT_ROUNDING_LEVEL.has(p.name as NistProblemName))

  it.each(reproducible)('$name: residual sum of squares equals the certified RSS to 1e-6', (p) => {
    const rss = residualSumOfSquares(p, p.certified)
    expect(relErr(rss, p.certifiedRss)).toBeLessThan(1e-6)
    const dof = p.x.length - p.certified.length
    expect(relErr(Math.sqrt(rss / dof), p.residualStdDev)).toBeLessThan(1e-6)
  })

  it('a wrong parameter changes the RSS (the RSS check is not vacuous)', () => {
    for (const p of problems) {
      const off = p.certified.map((b, j) => (j === 0 ? b * (1 + 1e-3) : b))
      expect(relErr(residualSumOfSquares(p, off), p.certifiedRss), p.name).toBeGreaterThan(1e-6)
    }
  })

  // Every problem, Hahn1 and Thurber included, came out within ~2e-7 of NIST's values with a plain LU
  // inverse of J^T J, so no rescaling or looser tolerance is needed.
  it('only Lanczos1 is left out of the RSS and standard deviation checks', () => {
    expect(problems.length - reproducible.length).toBe(1)
    const lanczos1 = loadNistProblem('Lanczos1')
    expect(residualSumOfSquares(lanczos1, lanczos1.certified)).toBeGreaterThan(1e3 * lanczos1.certifiedRss)
  })

  it.each(reproducible)(
    '$name: standard deviations from a central-difference Jacobian match to 1e-3',
    (p) => {
      const n = p.certified.length
      const J = jacobian(p, p.certified)
      const cov = inverse(J.transpose().mmul(J))
      const s2 = residualSumOfSquares(p, p.certified) / (p.x.length - n)
      const sd = Array.from({ length: n }, (_, j) => Math.sqrt(s2 * cov.get(j, j)))
      for (let j = 0; j < n; j++) {
        expect(
          relErr(sd[j]!, p.certifiedStdDev[j]!),
          `b${j + 1}: ${sd[j]} vs ${p.certifiedStdDev[j]}`,
        ).toBeLessThan(1e-3)
      }
    },
  )
})

describe('lre', () => {
  it('scores digits of agreement', () => {
    expect(lre(1.0001, 1)).toBeCloseTo(4, 6)
    expect(lre(0.999999, 1)).toBeCloseTo(6, 6)
    expect(lre(1.1, 1)).toBeCloseTo(1, 9)
    expect(lre(-1.01, -1)).toBeCloseTo(2, 9)
    expect(lre(123.456 * (1 + 1e-7), 123.456)).toBeCloseTo(7, 4)
  })

  it('caps exact and near-exact answers and floors wrong or missing ones', () => {
    expect(lre(2.5, 2.5)).toBe(LRE_CAP)
    expect(lre(1 + 1e-14, 1)).toBe(LRE_CAP)
    expect(lre(Number.NaN, 1)).toBe(0)
    expect(lre(Number.POSITIVE_INFINITY, 1)).toBe(0)
    expect(lre(1000, 1)).toBe(0)
    expect(lre(-1, 1)).toBe(0)
    expect(lre(1e-5, 0)).toBeCloseTo(5, 9)
  })

  it('minLre takes the worst parameter and scores a wrong-length estimate 0', () => {
    expect(minLre([1.0001, 2], [1, 2])).toBeCloseTo(4, 6)
    expect(minLre([1, 2], [1, 2])).toBe(LRE_CAP)
    expect(minLre([1, Number.NaN], [1, 2])).toBe(0)
    expect(minLre([1], [1, 2])).toBe(0)
  })
})

describe('scoreNist and formatNistTable', () => {
  it('scores a fit that returns the certified values as exact on all 54 runs', async () => {
    const runs = await scoreNist(async (p, start) => {
      expect(p.starts).toContainEqual(start)
      return { params: p.certified, nfev: 7, success: true, message: 'ok' }
    })
    expect(runs).toHaveLength(54)
    expect(runs.every((r) => r.minLre === LRE_CAP && r.success)).toBe(true)
    expect(runs.map((r) => `${r.problem}/${r.start}`).slice(0, 4)).toEqual([
      'Misra1a/1',
      'Misra1a/2',
      'Chwirut2/1',
      'Chwirut2/2',
    ])
  })

  it('hands each run its own copy of the start and scores the start itself low', async () => {
    const fresh = loadNistProblems()
    const runs = await scoreNist(async (_p, start) => {
      const s = start.slice()
      start.fill(Number.NaN) // must not reach the problem's own starts
      return { params: s, nfev: 0, success: false, message: 'no-op' }
    }, fresh)
    expect(fresh.every((p) => p.starts.flat().every(Number.isFinite))).toBe(true)
    // No start is within 4 digits of the answer, or the problems would be pointless.
    expect(runs.filter((r) => r.minLre >= 4)).toEqual([])
  })

  it('records a throwing fit as a failed run with LRE 0', async () => {
    const runs = await scoreNist(async () => {
      throw new Error('boom')
    }, [loadNistProblem('MGH09')])
    expect(runs).toEqual([
      {
        problem: 'MGH09',
        start: 1,
        minLre: 0,
        nfev: Number.NaN,
        success: false,
        message: 'boom',
        params: [],
      },
      {
        problem: 'MGH09',
        start: 2,
        minLre: 0,
        nfev: Number.NaN,
        success: false,
        message: 'boom',
        params: [],
      },
    ])
  })

  it('prints one row per run and a summary with counts and median nfev', () => {
    const run = (problem: string, start: 1 | 2, minLre: number, nfev: number): NistRun => ({
      problem,
      start,
      minLre,
      nfev,
      success: minLre >= 4,
      message: '',
      params: [],
    })
    const table = formatNistTable([
      run('A', 1, 11, 10),
      run('A', 2, 5, 30),
      run('B', 1, 2, 20),
      run('B', 2, 7, 40),
    ])
    const lines = table.split('\n')
    expect(lines).toHaveLength(2 + 4 + 2)
    expect(lines[0]).toMatch(/problem\s+start\s+min LRE\s+nfev/)
    expect(lines[3]).toMatch(/^A\s+2\s+5\.00\s+30\s+yes/)
    expect(lines.at(-1)).toBe('4 runs: 3 with min LRE >= 4, 2 with min LRE >= 6; median nfev 25')
  })
})
