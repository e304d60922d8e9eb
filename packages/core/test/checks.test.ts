// The shared option checks: a value inside the rule comes back unchanged; any other value is
// refused with a ValidationError whose keyPath is the key and whose message says the key, the
// rule and the value given, in one style.
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  finiteNumber,
  givenValue,
  integer,
  type NumberRule,
  numberIn,
  oneOf,
  positiveMs,
  trueOrFalse,
  ValidationError,
  wholeNumber,
} from '../src/index.ts'
import { validationErrorOf } from '../src/testing/index.ts'

/** The error `call` throws, checked to name `key` (path and message) and the value given. */
function refusal(call: () => unknown, key: string, value: unknown): ValidationError {
  const error = validationErrorOf(call)
  expect(error).toBeInstanceOf(ValidationError)
  expect(error.keyPath).toBe(key)
  expect(error.message.startsWith(`${key} must be `)).toBe(true)
  expect(error.message).toContain(`, got ${givenValue(value)}`)
  expect(error.message.endsWith(`(at '${key}')`)).toBe(true)
  return error
}

const key = fc.constantFrom('retries', 'popSize', 'methodOptions.cmaes.tolX', 'resourceLimits.stackSizeMb')
/** Anything at all, numbers of every kind included. */
const anyValue = fc.oneof(
  fc.anything(),
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  fc.constantFrom('1', '', 'auto', null, undefined, true, [], {}),
)
/** A rule: no, one or two bounds (open or closed, low ≤ high), finite or not. */
const numberRule: fc.Arbitrary<NumberRule> = fc
  .tuple(
    fc.double({ noNaN: true }),
    fc.double({ noNaN: true }),
    fc.constantFrom('min', 'above', undefined),
    fc.constantFrom('max', 'below', undefined),
    fc.boolean(),
  )
  .map(([a, b, lowKind, highKind, finite]) => ({
    ...(lowKind === undefined ? {} : { [lowKind]: Math.min(a, b) }),
    ...(highKind === undefined ? {} : { [highKind]: Math.max(a, b) }),
    finite,
  }))

function keeps(value: unknown, rule: NumberRule): boolean {
  if (typeof value !== 'number' || Number.isNaN(value)) return false
  if (rule.finite === true && !Number.isFinite(value)) return false
  return (
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.below === undefined || value < rule.below)
  )
}

/** A rule and a value that is often one of its bounds, or the next double either side of one. */
const ruleAndValue = numberRule.chain((rule) => {
  const bounds = [rule.min, rule.max, rule.above, rule.below].filter((b) => b !== undefined)
  const near = bounds.flatMap((b) => [
    b,
    b + Math.abs(b) * Number.EPSILON || Number.MIN_VALUE,
    b - Math.abs(b) * Number.EPSILON || Number.MIN_VALUE,
  ])
  const value = near.length === 0 ? anyValue : fc.oneof(anyValue, fc.constantFrom(...near))
  return fc.tuple(fc.constant(rule), value)
})

describe('numberIn', () => {
  test.prop([ruleAndValue, key])(
    'passes a value inside the rule unchanged and refuses any other, naming the key',
    ([rule, value], k) => {
      if (keeps(value, rule)) expect(Object.is(numberIn(value, k, rule), value)).toBe(true)
      else refusal(() => numberIn(value, k, rule), k, value)
    },
  )

  test.prop([fc.double({ min: 0, max: 1, noNaN: true }), key])(
    'a value in [0, 1] passes [0, 1]',
    (value, k) => {
      expect(numberIn(value, k, { min: 0, max: 1 })).toBe(value)
    },
  )

  it('says the rule: bounds, open or closed ends, finiteness, the unit and why', () => {
    expect(validationErrorOf(() => numberIn(3, 'mutation', { above: 0, max: 2 })).message).toBe(
      "mutation must be a number in (0, 2], got 3 (at 'mutation')",
    )
    expect(validationErrorOf(() => numberIn(1, 'hdiProb', { above: 0, below: 1 })).message).toBe(
      "hdiProb must be a number in (0, 1), got 1 (at 'hdiProb')",
    )
    expect(validationErrorOf(() => finiteNumber(-1, 'crossover', { min: 0, max: 1 })).message).toBe(
      "crossover must be a finite number from 0 to 1, got -1 (at 'crossover')",
    )
    expect(validationErrorOf(() => finiteNumber(Number.NaN, 'xtol', { min: 0 })).message).toBe(
      "xtol must be a finite number ≥ 0, got NaN (at 'xtol')",
    )
    expect(validationErrorOf(() => numberIn('2', 'fLive', { above: 0 })).message).toBe(
      "fLive must be a number > 0, got '2' (at 'fLive')",
    )
    expect(
      validationErrorOf(() =>
        finiteNumber(0.1, 'resourceLimits.stackSizeMb', {
          min: 0.5,
          max: 1024,
          unit: 'MB',
          why: 'below 0.25 MB Node ends the whole process',
        }),
      ).message,
    ).toBe(
      'resourceLimits.stackSizeMb must be a finite number of MB from 0.5 to 1024, got 0.1: ' +
        "below 0.25 MB Node ends the whole process (at 'resourceLimits.stackSizeMb')",
    )
  })

  it('lets Infinity through unless the rule is finite or a bound refuses it', () => {
    expect(numberIn(Number.POSITIVE_INFINITY, 'nLikeMax', { above: 0 })).toBe(Number.POSITIVE_INFINITY)
    refusal(() => finiteNumber(Number.POSITIVE_INFINITY, 'sigma0', { above: 0 }), 'sigma0', Infinity)
    refusal(() => numberIn(Number.POSITIVE_INFINITY, 'x', { max: 1 }), 'x', Infinity)
  })
})

describe('positiveMs', () => {
  test.prop([anyValue, key])('keeps exactly the finite numbers > 0', (value, k) => {
    if (typeof value === 'number' && Number.isFinite(value) && value > 0)
      expect(positiveMs(value, k)).toBe(value)
    else refusal(() => positiveMs(value, k), k, value)
  })

  it('says milliseconds', () => {
    expect(validationErrorOf(() => positiveMs(0, 'timeoutMs')).message).toBe(
      "timeoutMs must be a finite number of milliseconds > 0, got 0 (at 'timeoutMs')",
    )
  })
})

describe('wholeNumber', () => {
  const range = fc
    .tuple(fc.integer({ min: -50, max: 50 }), fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }))
    .map(([min, span]) => ({ min, ...(span === undefined ? {} : { max: min + span }) }))

  test.prop([anyValue, key, range])(
    'passes a whole number inside [min, max] unchanged and refuses any other, naming the key',
    (value, k, rule) => {
      const inside =
        typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= rule.min &&
        (rule.max === undefined || value <= rule.max)
      if (inside) expect(Object.is(wholeNumber(value, k, rule), value)).toBe(true)
      else refusal(() => wholeNumber(value, k, rule), k, value)
    },
  )

  test.prop([fc.integer({ min: 0, max: 100 }), key])(
    'every whole number from 0 to 100 passes',
    (value, k) => {
      expect(wholeNumber(value, k, { min: 0, max: 100 })).toBe(value)
    },
  )

  it('starts at 0 unless told, and says the range and any other accepted form', () => {
    expect(wholeNumber(0, 'restarts')).toBe(0)
    expect(validationErrorOf(() => wholeNumber(-1, 'restarts')).message).toBe(
      "restarts must be a whole number ≥ 0, got -1 (at 'restarts')",
    )
    expect(validationErrorOf(() => wholeNumber(1.5, 'retries', { min: 0, max: 100 })).message).toBe(
      "retries must be a whole number from 0 to 100, got 1.5 (at 'retries')",
    )
    expect(
      validationErrorOf(() => wholeNumber(0, 'numWorkers', { min: 1, max: 256, or: "'auto'" })).message,
    ).toBe("numWorkers must be a whole number from 1 to 256 or 'auto', got 0 (at 'numWorkers')")
  })
})

describe('integer', () => {
  test.prop([anyValue, key])('keeps exactly the integers, of either sign', (value, k) => {
    if (typeof value === 'number' && Number.isInteger(value))
      expect(Object.is(integer(value, k), value)).toBe(true)
    else refusal(() => integer(value, k), k, value)
  })
})

describe('trueOrFalse', () => {
  test.prop([anyValue, key])('keeps exactly true and false', (value, k) => {
    if (typeof value === 'boolean') expect(trueOrFalse(value, k)).toBe(value)
    else refusal(() => trueOrFalse(value, k), k, value)
  })
})

describe('oneOf', () => {
  const choices = ['forward', 'central'] as const

  test.prop([fc.oneof(anyValue, fc.constantFrom(...choices)), key])(
    'keeps exactly the choices and refuses anything else, naming the key and listing them',
    (value, k) => {
      if (value === 'forward' || value === 'central') expect(oneOf(value, k, choices)).toBe(value)
      else {
        const error = refusal(() => oneOf(value, k, choices), k, value)
        expect(error.message).toContain("must be 'forward' or 'central'")
      }
    },
  )

  it('suggests the closest choice for a near miss, and only then', () => {
    expect(validationErrorOf(() => oneOf('centre', 'differences', choices)).message).toBe(
      "differences must be 'forward' or 'central', got 'centre'; did you mean 'central'? (at 'differences')",
    )
    expect(validationErrorOf(() => oneOf('sideways', 'differences', choices)).message).toBe(
      "differences must be 'forward' or 'central', got 'sideways' (at 'differences')",
    )
    expect(
      validationErrorOf(() =>
        oneOf('rand/1/bim', 'strategy', ['rand/1/bin', 'best/1/bin', 'current-to-best/1/bin']),
      ).message,
    ).toBe(
      "strategy must be 'rand/1/bin', 'best/1/bin' or 'current-to-best/1/bin', got 'rand/1/bim'; " +
        "did you mean 'rand/1/bin'? (at 'strategy')",
    )
  })

  it('names another accepted form', () => {
    expect(validationErrorOf(() => oneOf(3, 'reduction', ['sum', 'mean'], 'a function')).message).toBe(
      "reduction must be 'sum', 'mean' or a function, got 3 (at 'reduction')",
    )
  })
})

describe('givenValue', () => {
  it('shows a number, boolean or string as itself, anything else by its kind', () => {
    expect(givenValue(1.5)).toBe('1.5')
    expect(givenValue(Number.NaN)).toBe('NaN')
    expect(givenValue('x')).toBe("'x'")
    expect(givenValue("it's")).toBe('"it\'s"')
    expect(givenValue(false)).toBe('false')
    expect(givenValue(undefined)).toBe('undefined')
    expect(givenValue(null)).toBe('null')
    expect(givenValue(() => 1)).toBe('a function')
    expect(givenValue(10n)).toBe('10n')
    expect(givenValue([1, 2])).toBe('an array')
    expect(givenValue({ a: 1 })).toBe('an object')
    expect(givenValue(new Date(0))).toBe('an object of class Date')
  })
})
