import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  type CombineOptions,
  checkOptionKeys,
  closestName,
  combine,
  objective,
  optionKeys,
  underKeyPath,
  ValidationError,
} from '../src/index.ts'
import { editDistance } from '../src/option-keys.ts'
import { validationErrorOf } from '../src/testing/index.ts'

const FITTER_KEYS = ['initial', 'bounds', 'numWorkers', 'pool', 'timeoutMs', 'retries']
const LM_KEYS = ['differences', 'relativeStep', 'ftol', 'xtol', 'gtol', 'prefetchJacobian', 'polish']

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps, ignoring case', () => {
    expect(editDistance('xtol', 'xtol')).toBe(0)
    expect(editDistance('popsize', 'popSize')).toBe(0)
    expect(editDistance('xtl', 'xtol')).toBe(1)
    expect(editDistance('budjet', 'budget')).toBe(1)
    expect(editDistance('ftlo', 'ftol')).toBe(1)
    expect(editDistance('workers', 'numWorkers')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })

  test.prop([fc.string(), fc.string()])(
    'is symmetric, zero on equal names, at most the longer length',
    (a, b) => {
      expect(editDistance(a, b)).toBe(editDistance(b, a))
      expect(editDistance(a, a)).toBe(0)
      expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length))
      expect(editDistance(a, b)).toBeGreaterThanOrEqual(Math.abs(a.length - b.length))
    },
  )
})

describe('closestName', () => {
  it('suggests the known name a typo was meant to be', () => {
    expect(closestName('workers', FITTER_KEYS)).toBe('numWorkers')
    expect(closestName('timeout', FITTER_KEYS)).toBe('timeoutMs')
    expect(closestName('xtl', LM_KEYS)).toBe('xtol')
    expect(closestName('popsize', ['sigma0', 'popSize', 'restarts'])).toBe('popSize')
    expect(closestName('budjet', ['method', 'budget', 'seed'])).toBe('budget')
  })

  it('suggests nothing when no name is close', () => {
    expect(closestName('foo', FITTER_KEYS)).toBeUndefined()
    expect(closestName('verbose', LM_KEYS)).toBeUndefined()
    expect(closestName('x', [])).toBeUndefined()
  })

  it('prefers the nearest name', () => {
    expect(closestName('ftoll', ['xtol', 'ftol'])).toBe('ftol')
    expect(closestName('gtl', LM_KEYS)).toBe('gtol')
  })
})

describe('checkOptionKeys', () => {
  it('accepts known keys, including ones set to undefined, and an empty object', () => {
    expect(() => checkOptionKeys({ initial: 1, numWorkers: 4 }, FITTER_KEYS, 'Fitter options')).not.toThrow()
    expect(() => checkOptionKeys({ bounds: undefined }, FITTER_KEYS, 'Fitter options')).not.toThrow()
    expect(() => checkOptionKeys({}, [], 'nothing')).not.toThrow()
  })

  it('refuses an unknown key, naming it, its key path, the closest known key and all of them', () => {
    const error = validationErrorOf(() =>
      checkOptionKeys({ xtol: 1, xtl: 1e-10 }, LM_KEYS, 'methodOptions.lm', 'methodOptions.lm'),
    )
    expect(error.keyPath).toBe('methodOptions.lm.xtl')
    expect(error.code).toBe('PARAFIT_VALIDATION')
    expect(error.message).toContain("unknown option 'xtl' in methodOptions.lm")
    expect(error.message).toContain("did you mean 'xtol'?")
    expect(error.message).toContain("'differences', 'relativeStep', 'ftol', 'xtol', 'gtol'")
    expect(error.message).toContain("(at 'methodOptions.lm.xtl')")
  })

  it('names a top-level key without a prefix, and suggests nothing for a far-off key', () => {
    const error = validationErrorOf(() =>
      checkOptionKeys({ frobnicate: true }, FITTER_KEYS, 'Fitter options'),
    )
    expect(error.keyPath).toBe('frobnicate')
    expect(error.message).not.toContain('did you mean')
    expect(error.message).toContain("Known options: 'initial', 'bounds'")
  })

  it('refuses what is not an object', () => {
    expect(validationErrorOf(() => checkOptionKeys(null, FITTER_KEYS, 'Fitter options')).message).toMatch(
      /Fitter options must be an object, got null/,
    )
    expect(validationErrorOf(() => checkOptionKeys([1], LM_KEYS, 'x', 'a.b')).keyPath).toBe('a.b')
    expect(() => checkOptionKeys(3, LM_KEYS, 'x')).toThrow(/got number/)
  })

  const identifier = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,11}$/)
  const knownKeys = fc.uniqueArray(identifier, { minLength: 1, maxLength: 8 })
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: fc.constantFrom(...'aZq0_x') }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.constantFrom(...'aZq0_x') }),
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  )
  type Edit =
    | { kind: 'insert' | 'replace'; at: number; char: string }
    | { kind: 'delete' | 'swap'; at: number }
  function applyEdit(name: string, e: Edit): string {
    const at = e.at % (name.length + (e.kind === 'insert' ? 1 : 0))
    switch (e.kind) {
      case 'insert':
        return name.slice(0, at) + e.char + name.slice(at)
      case 'delete':
        return name.slice(0, at) + name.slice(at + 1)
      case 'replace':
        return name.slice(0, at) + e.char + name.slice(at + 1)
      case 'swap':
        return at + 1 < name.length ? name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2) : name
    }
  }

  test.prop([knownKeys])('every known key passes', (known) => {
    checkOptionKeys(Object.fromEntries(known.map((k) => [k, 1])), known, 'options')
  })

  test.prop([knownKeys, fc.nat(), edit])(
    'a key one edit from a known key, not itself known, is refused with a known key suggested',
    (known, pick, e) => {
      const typo = applyEdit(known[pick % known.length]!, e)
      fc.pre(!known.includes(typo))
      const error = validationErrorOf(() => checkOptionKeys({ [typo]: 1 }, known, 'options', 'top'))
      expect(error.keyPath).toBe(`top.${typo}`)
      const suggested = /did you mean '([^']*)'\?/.exec(error.message)?.[1]
      expect(known).toContain(suggested)
      expect(editDistance(typo, suggested!)).toBeLessThanOrEqual(1)
    },
  )
})

describe('underKeyPath', () => {
  it('puts a prefix in front of the key path of a ValidationError', () => {
    const error = validationErrorOf(() =>
      underKeyPath('methodOptions.cmaes', () => {
        throw new ValidationError('popSize must be an integer >= 2', 'popSize')
      }),
    )
    expect(error.keyPath).toBe('methodOptions.cmaes.popSize')
    expect(error.message).toBe("popSize must be an integer >= 2 (at 'methodOptions.cmaes.popSize')")
  })

  it('passes other errors and results through', () => {
    expect(underKeyPath('a', () => 7)).toBe(7)
    const plain = new Error('x')
    expect(() =>
      underKeyPath('a', () => {
        throw plain
      }),
    ).toThrow(plain)
    expect(
      validationErrorOf(() =>
        underKeyPath('a', () => {
          throw new ValidationError('no key')
        }),
      ).keyPath,
    ).toBeUndefined()
  })
})

describe('optionKeys', () => {
  it('returns the list it is given', () => {
    interface Options {
      readonly a?: number
      readonly b?: string
    }
    expect(optionKeys<Options>()(['a', 'b'])).toEqual(['a', 'b'])
    // The compiler refuses a list that misses a key or has one too many (checked by tsc).
    // @ts-expect-error 'b' is missing
    optionKeys<Options>()(['a'])
    // @ts-expect-error 'c' is not a key of Options
    optionKeys<Options>()(['a', 'b', 'c'])
  })
})

describe('combine() options', () => {
  const term = objective((p: { x: number }) => p.x)

  it('refuses a misspelled option, suggesting the right one', () => {
    const error = validationErrorOf(() => combine([term], { weigths: [2] } as CombineOptions))
    expect(error.keyPath).toBe('weigths')
    expect(error.message).toContain("did you mean 'weights'?")
    expect(() => combine([term], { onErorr: 'skip' } as CombineOptions)).toThrow(/did you mean 'onError'\?/)
  })

  it('accepts the right spelling', async () => {
    const combined = combine([term, term], { weights: [2, 3], reduction: 'sum', onError: 'raise' })
    expect(await combined.evaluate({ x: 1 })).toBe(5)
  })
})
