import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  CombinedObjective,
  combine,
  EvaluateContext,
  type Hook,
  isObjectiveRef,
  loadObjectiveCached,
  type Objective,
  type ObjectiveError,
  objective,
  objectiveModule,
  type ParamTree,
  type Term,
  type TermOutcome,
  ValidationError,
} from '../src/index.ts'
import { objectiveTree, specParams } from '../src/testing/index.ts'
import { failure } from './helpers.ts'
import { expectSameData } from './same-data.ts'

type XY = { x: number; y: number }

const term = (i: number) =>
  objective<XY>((p, ctx) => {
    ctx.meta.term = i
    return p.x ** 2 - i * p.y
  })

describe('combine', () => {
  it('evaluates the weighted sum of its terms and records children in term order', async () => {
    const terms = Array.from({ length: 10 }, (_, i) => term(i))
    const cob = combine(terms, {
      weights: terms.map((_, i) => i),
      configureChild: (i, child) => {
        child.meta.configured = i + 10
      },
    })
    const ctx = new EvaluateContext()
    const expected = terms.reduce((sum, _, i) => sum + i * (4 - i), 0)
    expect(await cob.evaluate({ x: 2, y: 1 }, ctx)).toBe(expected)
    expect(ctx.loss).toBe(expected)
    const children = ctx.meta.children as { loss: number; meta: Record<string, unknown> }[]
    expect(children.map((c) => c.loss)).toEqual(terms.map((_, i) => 4 - i))
    expect(children.map((c) => c.meta)).toEqual(terms.map((_, i) => ({ configured: i + 10, term: i })))
    expect(ctx.meta.nTerms).toBe(10)
    expect(ctx.meta.skippedIndices).toEqual([])
  })

  it('supports mean, rootMean and custom reductions', async () => {
    const cob = combine([term(0), term(1), term(2)])
    expect(await cob.evaluate({ x: 2, y: 1 })).toBe(9)
    expect(await cob.withReduction('mean').evaluate({ x: 2, y: 1 })).toBe(3)
    expect(await cob.withReduction('rootMean').evaluate({ x: 2, y: 1 })).toBe(Math.sqrt(3))
    expect(await cob.withReduction((v) => Math.max(...v) + 10).evaluate({ x: 2, y: 1 })).toBe(14)
  })

  it('with-methods return copies and leave the original unchanged', async () => {
    const cob = combine([term(0), term(1)])
    const weighted = cob.withWeights([1, 0.5])
    expect(await weighted.evaluate({ x: 2, y: 1 })).toBe(5.5)
    expect(await cob.evaluate({ x: 2, y: 1 })).toBe(7)
    expect(cob.weights).toEqual([1, 1])
    expect(weighted.terms).toBe(cob.terms)
    const log: string[] = []
    const hooked = cob.withHooks({ pre: () => void log.push('pre') })
    await cob.evaluate({ x: 1, y: 1 })
    expect(log).toEqual([])
    await hooked.evaluate({ x: 1, y: 1 })
    expect(log).toEqual(['pre'])
    expect(cob.withOnError('skip').onError).toBe('skip')
    expect(cob.onError).toBe('raise')
  })

  it('accepts plain functions, generators and module references as terms', async () => {
    const ref = objectiveModule(new URL('./fixtures/good.objective.ts', import.meta.url), {
      init: { offset: 1 },
    })
    function* terms() {
      yield (p: { x: number }) => p.x
      yield ref as Term<{ x: number }>
    }
    expect(await combine(terms()).evaluate({ x: 3 })).toBe(3 + 4)
  })

  it.each([
    [() => combine([]), /zero terms/],
    [() => combine([term(0), term(1)], { weights: [1] }), /expected 2, got 1/],
    [() => combine([term(0)], { weights: [-1] }), /weights\[0\] must be a finite number ≥ 0, got -1/],
    [
      () => combine([term(0)], { weights: [Number.NaN] }),
      /weights\[0\] must be a finite number ≥ 0, got NaN/,
    ],
    [
      () => combine([term(0), term(1)], { weights: [1, Number.POSITIVE_INFINITY] }),
      /weights\[1\] must be a finite number ≥ 0, got Infinity/,
    ],
    [() => combine([term(0), 5 as never]), /term 1 is not an objective/],
    [
      () => combine([term(0)], { reduction: 'median' as never }),
      /reduction must be 'sum', 'mean', 'rootMean' or a function, got 'median'/,
    ],
    [
      () => combine([term(0)], { onError: 'ignore' as never }),
      /onError must be 'raise', 'nan', 'skip' or a function, got 'ignore'/,
    ],
    [() => combine([term(0)], { reduction: 'meen' as never }), /did you mean 'mean'\?/],
    [() => combine(5 as never), /array \(or iterable\) of terms/],
    [() => combine([term(0)]).withWeights([1, 2]), /expected 1, got 2/],
  ])('rejects bad construction: %#', (make, message) => {
    expect(make).toThrow(ValidationError)
    expect(make).toThrow(message)
  })
})

describe('term failures', () => {
  const failing = objective<XY>(() => {
    throw new Error('Whoops')
  })

  it("'raise' fails the combination with the term path and parameters", async () => {
    const inner = combine([term(1), failing])
    const outer = combine([term(0), inner])
    const error = await failure(outer.evaluate({ x: 2, y: 1 }))
    expect(error.termPath).toEqual([1, 1])
    expect(error.params).toEqual({ x: 2, y: 1 })
    expect(error.message).toBe('term 1 > 1 failed with parameters {"x":2,"y":1}: Error: Whoops')
  })

  it("'nan' makes the value NaN; 'skip' drops the term and records it", async () => {
    expect(await combine([term(0), failing], { onError: 'nan' }).evaluate({ x: 2, y: 1 })).toBeNaN()
    const ctx = new EvaluateContext()
    expect(
      await combine([term(0), failing, term(2)], { onError: 'skip' }).evaluate({ x: 2, y: 1 }, ctx),
    ).toBe(4 + 2)
    expect(ctx.meta.skippedIndices).toEqual([1])
    expect((ctx.meta.children as unknown[]).length).toBe(3)
  })

  it('a custom handler gets the error, the term context and index, and may replace or skip', async () => {
    const ctx = new EvaluateContext()
    const handler = (error: unknown, child: EvaluateContext, index: number) => {
      child.meta.handled = { index, message: (error as ObjectiveError).detail }
      return index === 1 ? 100 : undefined
    }
    expect(
      await combine([term(0), failing, failing], { onError: handler }).evaluate({ x: 2, y: 1 }, ctx),
    ).toBe(104)
    const children = ctx.meta.children as { meta: Record<string, unknown> }[]
    expect(children[1]!.meta.handled).toEqual({ index: 1, message: 'Error: Whoops' })
    expect(ctx.meta.skippedIndices).toEqual([2])
  })

  it('a handler that throws fails the combination at that term', async () => {
    const error = await failure(
      combine([failing], {
        onError: () => {
          throw new Error('handler gave up')
        },
      }).evaluate({ x: 1, y: 1 }),
    )
    expect(error.termPath).toEqual([0])
    expect(error.message).toMatch(/handler gave up/)
  })

  it('fails clearly when every term was skipped', async () => {
    const error = await failure(combine([failing, failing], { onError: 'skip' }).evaluate({ x: 1, y: 1 }))
    expect(error.message).toMatch(/all 2 terms failed and were skipped/)
  })

  it('a failing configurator or reduction fails the combination, after its post-hooks ran', async () => {
    const log: string[] = []
    const post: Hook = { post: (_ctx, error) => void log.push(`post ${(error as Error | undefined)?.name}`) }
    const ctx = new EvaluateContext()
    const configureFails = combine([term(0), term(1)], {
      configureChild: (i) => {
        if (i === 1) throw new Error('no config for 1')
      },
    }).withHooks(post)
    const e1 = await failure(configureFails.evaluate({ x: 1, y: 1 }, ctx))
    expect(e1.termPath).toEqual([])
    expect(e1.message).toMatch(/no config for 1/)
    expect((ctx.meta.children as unknown[]).length).toBe(2)
    const reductionFails = combine([term(0)], {
      reduction: () => {
        throw new RangeError('bad reduction')
      },
    }).withHooks(post)
    expect((await failure(reductionFails.evaluate({ x: 1, y: 1 }))).message).toMatch(
      /RangeError: bad reduction/,
    )
    const notNumber = combine([term(0)], { reduction: () => 'x' as never })
    expect((await failure(notNumber.evaluate({ x: 1, y: 1 }))).message).toMatch(/reduction returned a string/)
    expect(log).toEqual(['post ObjectiveError', 'post ObjectiveError'])
  })
})

describe('residuals of combined objectives', () => {
  const residualTerm = (r: number[]) => objective(() => Float64Array.from(r))

  it.each(['sum', 'mean'] as const)(
    '%s: concatenated, scaled so their squares sum to the value',
    async (reduction) => {
      const ctx = new EvaluateContext()
      const cob = combine(
        [residualTerm([1, 2]), combine([residualTerm([3]), residualTerm([0.5, 0.5])], { weights: [2, 4] })],
        {
          weights: [3, 0.5],
          reduction,
        },
      )
      const value = await cob.evaluate({ x: 0 }, ctx)
      expect(ctx.residuals).toHaveLength(5)
      expect(ctx.residuals!.reduce((a, r) => a + r * r, 0)).toBeCloseTo(value, 12)
    },
  )

  it('are absent when a term returned a plain number or the reduction is not sum or mean', async () => {
    const ctx = new EvaluateContext()
    await combine([residualTerm([1]), objective(() => 1)]).evaluate({ x: 0 }, ctx)
    expect(ctx.residuals).toBeUndefined()
    await combine([residualTerm([1])], { reduction: 'rootMean' }).evaluate({ x: 0 }, ctx)
    expect(ctx.residuals).toBeUndefined()
  })
})

/**
 * Evaluates a tree the way a parallel scheduler does: setup and finish of each combined node
 * here, every term of every node in flight at once, and fast-check's scheduler deciding the
 * order in which the leaves finish.
 */
async function evaluateConcurrently(
  t: Term,
  params: ParamTree,
  ctx: EvaluateContext,
  s: fc.Scheduler,
): Promise<number> {
  if (t instanceof CombinedObjective) {
    const children = t.setup(params, ctx)
    const outcomes = await Promise.all(
      t.terms.map((child, i) =>
        evaluateConcurrently(child, params, children[i]!, s).then(
          (value): TermOutcome => ({ ok: true, value }),
          (error: unknown): TermOutcome => ({ ok: false, error }),
        ),
      ),
    )
    return t.finish(ctx, outcomes)
  }
  const leaf: Objective = isObjectiveRef(t) ? await loadObjectiveCached(t) : (t as Objective)
  await s.schedule(Promise.resolve(), 'leaf')
  return leaf.evaluate(params, ctx)
}

async function settle(
  run: () => Promise<number>,
): Promise<{ value?: number; error?: [string, string, readonly number[]] }> {
  try {
    return { value: await run() }
  } catch (error) {
    const e = error as ObjectiveError
    return { error: [e.name, e.message, e.termPath] }
  }
}

describe('combined objectives under any completion order', () => {
  test.prop([objectiveTree(), specParams(), fc.scheduler()], { numRuns: 150 })(
    'give the same value or error and the same metadata tree as sequential evaluation',
    async ({ objective: tree }, params, s) => {
      const sequentialCtx = new EvaluateContext()
      const sequential = await settle(() => (tree as Objective).evaluate(params, sequentialCtx))
      const concurrentCtx = new EvaluateContext()
      const running = settle(() => evaluateConcurrently(tree, params, concurrentCtx, s))
      await s.waitFor(running)
      const concurrent = await running
      expect(concurrent).toEqual(sequential)
      expectSameData(concurrentCtx.toMetaData(), sequentialCtx.toMetaData())
    },
  )

  test.prop([objectiveTree(), specParams()], { numRuns: 150 })(
    'fail only with ObjectiveError, and record one child per term at every level',
    async ({ objective: tree, spec }, params) => {
      const ctx = new EvaluateContext()
      const outcome = await settle(() => (tree as Objective).evaluate(params, ctx))
      if (outcome.error !== undefined) expect(outcome.error[0]).toMatch(/^Objective(Value)?Error$/)
      else expect(typeof outcome.value).toBe('number')
      const check = (node: typeof spec, meta: { meta: Record<string, unknown> }) => {
        if (node.kind === 'leaf') return
        const children = meta.meta.children as { meta: Record<string, unknown> }[] | undefined
        if (children === undefined) return // setup failed before children existed
        expect(children).toHaveLength(node.terms.length)
        for (const [i, t] of node.terms.entries()) check(t, children[i]!)
      }
      check(spec, ctx.toMetaData())
    },
  )
})
