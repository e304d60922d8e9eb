import { EvaluateContext } from '@parafit/core'
import { correlationMatrix, type FitResult, fitStatistics } from '@parafit/fitter'
import { expect, test } from 'vitest'
import { formatReport } from '../src/report.ts'

const covariance = [
  [0.04, -0.0396, 0.001],
  [-0.0396, 0.04, 0],
  [0.001, 0, 0.01],
]
const result: FitResult = {
  params: { a: 1, b: 2, c: 0 },
  loss: 12,
  method: 'lm',
  nEvals: 40,
  nFailed: 0,
  bestContext: new EvaluateContext(),
  history: [],
  steps: 8,
  seconds: 0.5,
  stopKind: 'converged',
  stopReason: 'converged: test',
  success: true,
  stderr: { a: 0.2, b: 0.2, c: 0.1 },
  covariance,
  correlation: correlationMatrix(covariance),
  statistics: fitStatistics(20, 3, 12),
  absoluteSigma: false,
  atBound: ['c'],
  keys: ['a', 'b', 'c'],
}

test('the report lists strong correlations strongest first and flags a parameter on a bound', () => {
  const text = formatReport(result, { module: 'model.ts', pool: 'this thread', flat: { a: 1, b: 2, c: 0 } })
  expect(text).toMatch(/data points +20, 3 variables, 17 degrees of freedom/)
  expect(text).toMatch(/chi-square +12\.000000 +reduced chi-square 0\.70588235/)
  const lines = text.split('\n')
  const header = lines.findIndex((l) => l.includes('correlations (|r| >= 0.1'))
  // a–b: -0.99 (strong), then none else reaches 0.1 (a–c is 0.05).
  expect(lines[header + 1]).toMatch(/^ {4}a, b +-0\.9900 +strong$/)
  expect(lines[header + 2]).toBe('')
  expect(text).toMatch(/^ {2}c +0 +0\.10000000 .*\(at a bound\)$/m)
  expect(text).toMatch(/c ended on a bound/)
})

test('no least squares: no statistics, errors or correlations, only the parameters', () => {
  const { stderr, covariance: _, correlation, statistics, absoluteSigma, ...plain } = result
  const text = formatReport(
    { ...plain, atBound: [] },
    { module: 'm.ts', pool: 'p', flat: { a: 1, b: 2, c: 0 } },
  )
  expect(text).not.toMatch(/chi-square|correlations|std\. error|bound/)
  expect(text).toMatch(/^ {2}a +1\.0000000$/m)
})

test("a fit that ended before 'auto' chose a method says so instead of naming one", () => {
  const { stderr, covariance: _, correlation, statistics, absoluteSigma, ...plain } = result
  const ended = { ...plain, method: 'auto' as const, success: false, stopReason: 'failed: boom', atBound: [] }
  const text = formatReport(ended, { module: 'm.ts', pool: 'p', flat: { a: 1, b: 2, c: 0 } })
  expect(text).toMatch(
    /^ {2}method +auto \(none chosen: the fit ended before its start point told which\) on p$/m,
  )
  expect(text).not.toMatch(/Levenberg-Marquardt/)
  expect(formatReport(result, { module: 'm.ts', pool: 'p', flat: {} })).toMatch(
    /method +lm \(Levenberg-Marquardt\)/,
  )
})
