// formatSummary: the table's layout and rounding on fixed rows, so any change to either shows.

import { describe, expect, test } from 'vitest'
import { formatSummary, type SummaryRow } from '../../src/index.ts'

const row = (name: string, fields: Partial<SummaryRow>): SummaryRow => ({
  name,
  mean: 0,
  sd: 1,
  hdiLow: -1,
  hdiHigh: 1,
  hdiProb: 0.94,
  mcseMean: 0.01,
  mcseSd: 0.01,
  essBulk: 1000,
  essTail: 1000,
  rHat: 1,
  ...fields,
})

describe('formatSummary', () => {
  test('a fixed example, to the character', () => {
    const rows = [
      // 2·mcse_mean = 0.0246: mean and HDI to 0.01; 2·mcse_sd = 0.0174: sd to 0.01.
      row('mu', {
        mean: 12.3456,
        sd: 1.23456,
        hdiLow: 10.0449,
        hdiHigh: 14.5551,
        mcseMean: 0.01234,
        mcseSd: 0.00871,
        essBulk: 1234.99,
        essTail: 987.2,
        rHat: 1.0049,
      }),
      // 2·mcse_mean = 60.8: mean and HDI to tens; mcse 30.4 to two figures is 30. 2·mcse_sd = 0.52:
      // sd to 0.1. ESS floored (5.9 → 5), R̂ to 2 decimals.
      row('scale', {
        mean: 12345.6,
        sd: 2345.6,
        hdiLow: 8123.4,
        hdiHigh: 16789,
        mcseMean: 30.4,
        mcseSd: 0.26,
        essBulk: 5.9,
        essTail: 12,
        rHat: 1.3149,
      }),
      // 2·mcse_mean ≈ 1e-6 (exponent -7): 7 decimals; tiny MCSEs keep two figures; R̂ NaN (one chain).
      row('tiny', {
        mean: 0.000123456,
        sd: 0.0000234,
        hdiLow: 0.0000812,
        hdiHigh: 0.000167,
        mcseMean: 0.00000049876,
        mcseSd: 0.000000346,
        essBulk: 2000.5,
        essTail: 1500,
        rHat: Number.NaN,
      }),
    ]
    expect(formatSummary(rows).split('\n')).toEqual([
      'Posterior summary (arviz ≤0.23 conventions: sd ddof=1, HDI, rank-normalised R̂ and ESS)',
      '            mean         sd     hdi_3%    hdi_97%   mcse_mean     mcse_sd  ess_bulk  ess_tail  r_hat',
      'mu         12.35       1.23      10.04      14.56       0.012      0.0087      1234       987   1.00',
      'scale      12350     2345.6       8120      16790          30        0.26         5        12   1.31',
      'tiny   0.0001235  0.0000234  0.0000812  0.0001670  0.00000050  0.00000035      2000      1500    NaN',
    ])
  })

  test('the HDI columns follow hdiProb, and notes go under the header', () => {
    const text = formatSummary([row('a', { hdiProb: 0.89 })], { notes: ['walkers treated as chains'] })
    const lines = text.split('\n')
    expect(lines[0]).toContain('arviz ≤0.23 conventions')
    expect(lines[1]).toBe('walkers treated as chains')
    expect(lines[2]!.trim().split(/\s+/)).toEqual([
      'mean',
      'sd',
      'hdi_5.5%',
      'hdi_94.5%',
      'mcse_mean',
      'mcse_sd',
      'ess_bulk',
      'ess_tail',
      'r_hat',
    ])
  })

  test('no usable MCSE: 4 significant figures; infinite R̂ as pandas prints it', () => {
    const line = formatSummary([
      row('c', { mean: 2.5, sd: 0, mcseMean: 0, mcseSd: Number.NaN, rHat: Infinity }),
    ])
      .split('\n')[2]!
      .trim()
      .split(/\s+/)
    expect(line).toEqual(['c', '2.5', '0', '-1', '1', '0', 'NaN', '1000', '1000', 'inf'])
  })

  test('rows with different HDI masses, or none, are refused', () => {
    expect(() => formatSummary([row('a', {}), row('b', { hdiProb: 0.9 })])).toThrow(/different HDI masses/)
    expect(() => formatSummary([])).toThrow(/no rows/)
  })
})
