import type { ValidationError } from '@parafit/core'
import { validationErrorOf } from '@parafit/core/testing'
import { describe, expect, it } from 'vitest'
import { custom, logUniform, normal, truncatedNormal, uniform } from '../../src/prior/distributions.ts'
import { Prior, type PriorSpec } from '../../src/prior/prior.ts'

/** The ValidationError of a prior whose entry at b.c is `entry`, with a sound neighbour. */
function errorAtBC(entry: unknown): ValidationError {
  return validationErrorOf(() => new Prior({ a: uniform(0, 1), b: { c: entry } } as unknown as PriorSpec))
}

function example() {
  return new Prior({ a: uniform(0, 1), b: { c: normal(0, 2), e: logUniform(1e-3, 1) }, d: 0.5 })
}

describe('Prior: bad distributions name the key and the problem', () => {
  const cases: [string, unknown, RegExp][] = [
    ['uniform low >= high', uniform(1, 0), /uniform's low \(1\) must be less than its high \(0\); swap them/],
    ['uniform low = high', uniform(2, 2), /low \(2\) must be less than its high \(2\)/],
    [
      'uniform infinite high',
      uniform(0, Number.POSITIVE_INFINITY),
      /uniform's high is Infinity; it must be a finite number/,
    ],
    ['uniform NaN low', uniform(Number.NaN, 1), /uniform's low is NaN; it must be a finite number/],
    ['uniform string bound', uniform('0' as unknown as number, 1), /uniform's low is the string '0'/],
    [
      'logUniform low 0',
      logUniform(0, 1),
      /logUniform's low is 0, but a log-uniform distribution needs 0 < low < high/,
    ],
    ['logUniform negative low', logUniform(-1, 1), /needs 0 < low < high; give a positive low/],
    ['logUniform low >= high', logUniform(2, 1), /logUniform's low \(2\) must be less than its high \(1\)/],
    ['normal sd 0', normal(0, 0), /normal's sd is 0; a standard deviation must be greater than 0/],
    ['normal negative sd', normal(0, -1), /normal's sd is -1; a standard deviation must be greater than 0/],
    [
      'normal infinite mean',
      normal(Number.POSITIVE_INFINITY, 1),
      /normal's mean is Infinity; it must be a finite number/,
    ],
    ['normal NaN sd', normal(0, Number.NaN), /normal's sd is NaN/],
    ['normal too wide for doubles', normal(0, 1e307), /reaches beyond the largest double within 40 sd/],
    [
      'truncatedNormal low >= high',
      truncatedNormal(0, 1, 2, 1),
      /truncatedNormal's low \(2\) must be less than its high \(1\)/,
    ],
    [
      'truncatedNormal both bounds -Infinity',
      truncatedNormal(0, 1, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY),
      /low \(-Infinity\) must be less than its high \(-Infinity\)/,
    ],
    [
      'truncatedNormal NaN bound',
      truncatedNormal(0, 1, Number.NaN, 1),
      /truncatedNormal's low is NaN; give a number \(-Infinity or Infinity for no bound\)/,
    ],
    ['truncatedNormal sd 0', truncatedNormal(0, 0, 0, 1), /truncatedNormal's sd is 0/],
    [
      'truncatedNormal too far',
      truncatedNormal(0, 1e-300, 1e10, Number.POSITIVE_INFINITY),
      /low is Infinity standard deviations from the mean, too far to represent/,
    ],
    [
      'truncatedNormal narrower than rounding',
      truncatedNormal(1e20, 1, 0, 1),
      /narrower than the rounding of its mean/,
    ],
    [
      'custom without a function',
      custom('x' as unknown as (u: number) => number),
      /custom\(\) takes the inverse CDF, a function from u in \(0, 1\)/,
    ],
    [
      'custom name not a string',
      custom((u) => u, { name: 3 as unknown as string }),
      /custom\(\)'s name must be a string, got 3/,
    ],
    [
      'an unknown kind',
      { kind: 'unifrom', low: 0, high: 1 },
      /unknown distribution kind 'unifrom'; did you mean 'uniform'\?/,
    ],
    [
      'an unknown kind, nothing close',
      { kind: 'beta', a: 1, b: 1 },
      /unknown distribution kind 'beta'\. Make distributions with uniform\(\)/,
    ],
    [
      'a field too many',
      { kind: 'uniform', low: 0, high: 1, sd: 2 },
      /a uniform distribution has no field 'sd' \(its fields: kind, low, high\)/,
    ],
  ]
  for (const [what, entry, message] of cases) {
    it(what, () => {
      const error = errorAtBC(entry)
      expect(error.keyPath).toBe('b.c')
      expect(error.message).toMatch(message)
      expect(error.message).toContain("(at 'b.c')")
    })
  }

  it('custom() refuses an unknown option at once, suggesting the known one', () => {
    const error = validationErrorOf(() => custom((u) => u, { nmae: 'x' } as never))
    expect(error.message).toMatch(/unknown option 'nmae' in custom\(\) options; did you mean 'name'\?/)
  })

  it('names the escaped key path of a key with a dot in it', () => {
    const error = validationErrorOf(() => new Prior({ 'x.y': { z: uniform(1, 0) } }))
    expect(error.keyPath).toBe('x\\.y.z')
  })
})

describe('Prior: bad spec entries', () => {
  for (const [what, entry, got] of [
    ['a string', 'x', "the string 'x'"],
    ['null', null, 'null'],
    ['an array', [uniform(0, 1)], 'an array'],
    ['a boolean', true, 'true'],
    ['a function', (u: number) => u, 'a function'],
    ['a class instance', new Date(0), 'an object of class Date'],
    ['undefined', undefined, 'undefined'],
  ] as const) {
    it(`refuses ${what}, saying what an entry may be`, () => {
      const error = errorAtBC(entry)
      expect(error.keyPath).toBe('b.c')
      expect(error.message).toContain(
        'a prior entry must be a distribution (uniform(), logUniform(), normal(), truncatedNormal(), custom()), ' +
          'a finite number (a fixed value) or a group of entries',
      )
      expect(error.message).toContain(`got ${got}`)
    })
  }

  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`refuses the fixed value ${value}`, () => {
      const error = errorAtBC(value)
      expect(error.keyPath).toBe('b.c')
      expect(error.message).toMatch(
        new RegExp(`a fixed value must be a finite number, got ${value}; give a number, or a distribution`),
      )
    })
  }

  it('refuses an empty group, naming it', () => {
    const error = errorAtBC({})
    expect(error.keyPath).toBe('b.c')
    expect(error.message).toMatch(
      /an empty group has no parameters; remove it, or put distributions or fixed values in it/,
    )
  })

  it('refuses a prior with no free parameters, naming the fixed ones', () => {
    const error = validationErrorOf(() => new Prior({ a: 1, b: { c: 2, 'd.e': 3 } }))
    expect(error.keyPath).toBeUndefined()
    expect(error.message).toMatch(
      /the prior has no free parameters: every entry is a fixed value \(a, b\.c, b\.d\\\.e\)/,
    )
    expect(error.message).toMatch(/give at least one a distribution/)
  })

  it('refuses an empty prior', () => {
    expect(validationErrorOf(() => new Prior({})).message).toMatch(
      /the prior has no parameters; give it at least one distribution/,
    )
  })

  it('refuses a spec that is not a record of parameters', () => {
    expect(validationErrorOf(() => new Prior(uniform(0, 1) as unknown as PriorSpec)).message).toMatch(
      /a prior is made from a record of parameters, such as \{ a: uniform\(0, 1\).*got a single distribution/,
    )
    expect(validationErrorOf(() => new Prior(null as unknown as PriorSpec)).message).toMatch(/got null/)
    expect(validationErrorOf(() => new Prior([] as unknown as PriorSpec)).message).toMatch(/got an array/)
  })
})

describe('Prior: bad points', () => {
  it('refuses a point of the wrong length, listing the keys', () => {
    for (const u of [[0.5], new Float64Array(4)]) {
      const error = validationErrorOf(() => example().transform(u))
      expect(error.message).toMatch(
        new RegExp(
          `the point u has ${u.length} values?, but the prior has 3 free parameters \\(a, b\\.c, b\\.e\\); give one value per entry of prior\\.keys`,
        ),
      )
    }
  })

  for (const value of [1.5, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`refuses the coordinate ${value}, outside the unit cube, naming its key`, () => {
      const error = validationErrorOf(() => example().transform([0.5, value, 0.5]))
      expect(error.keyPath).toBe('b.c')
      expect(error.message).toMatch(
        new RegExp(`coordinate 1 of the point u is ${value}, outside the unit cube \\[0, 1\\]`),
      )
    })
  }

  it('refuses a point that is not a list of numbers', () => {
    expect(validationErrorOf(() => example().transform('abc' as never)).message).toMatch(
      /the point u must be a Float64Array \(or an array of numbers\) of prior\.dimensions \(3\) values; got the string 'abc'/,
    )
    expect(validationErrorOf(() => example().transform([0.5, '0.5', 0.5] as never)).keyPath).toBe('b.c')
  })

  it('refuses an out of the wrong length or type in transformInto', () => {
    expect(
      validationErrorOf(() => example().transformInto([0.5, 0.5, 0.5], new Float64Array(2))).message,
    ).toMatch(
      /transformInto\(\) writes into a Float64Array of prior\.dimensions \(3\) values; got one of length 2/,
    )
    expect(
      validationErrorOf(() => example().transformInto([0.5, 0.5, 0.5], [0, 0, 0] as never)).message,
    ).toMatch(/got an array/)
  })

  it('refuses values of toTree that are missing or not finite, naming the key', () => {
    expect(validationErrorOf(() => example().toTree([1, 2])).message).toMatch(
      /x has 2 values, but the prior has 3/,
    )
    const error = validationErrorOf(() => example().toTree([1, 2, Number.NaN]))
    expect(error.keyPath).toBe('b.e')
    expect(error.message).toMatch(/value 2 of x is NaN; toTree\(\) takes finite numbers/)
  })

  it('names the key when a custom inverse CDF returns something other than a finite number', () => {
    for (const [returned, shown] of [
      [Number.NaN, 'NaN'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
      ['1', "the string '1'"],
      [undefined, 'undefined'],
    ] as const) {
      const prior = new Prior({
        a: uniform(0, 1),
        b: { c: custom(() => returned as unknown as number, { name: 'broken' }) },
      })
      const error = validationErrorOf(() => prior.transform([0.5, 0.25]))
      expect(error.keyPath).toBe('b.c')
      expect(error.message).toContain(
        `the inverse CDF of the custom distribution 'broken' returned ${shown} for u = 0.25; it must return a finite number for every u in (0, 1)`,
      )
    }
  })
})
