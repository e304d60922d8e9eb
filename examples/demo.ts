// parafit demo: a nested combined objective evaluated once, with the context tree it produces.
// Run: npm run demo
//
// Two datasets are fitted by one parameter set. Each term is an objective; terms are combined
// with weights, and combinations nest. Whatever each term writes into its context (quantities,
// meta, timings) ends up in one tree, in term order.

import { combine, EvaluateContext, hooks, type MetaData, objective } from '@parafit/core'

type Params = { amplitude: number; decay: { fast: number; slow: number } }

const t = Float64Array.from({ length: 40 }, (_, i) => i * 0.25)
const truth = (a: number, k: number, x: number) => a * Math.exp(-k * x)
const dataFast = t.map((x) => truth(2, 1.3, x) + 0.01 * Math.sin(7 * x))
const dataSlow = t.map((x) => truth(2, 0.2, x) + 0.01 * Math.cos(5 * x))

// A least-squares term returns residuals; its loss is their sum of squares.
const decayTerm = (data: Float64Array, rate: (p: Params) => number, label: string) =>
  objective<Params>((p, ctx) => {
    const residuals = t.map((x, i) => truth(p.amplitude, rate(p), x) - data[i]!)
    ctx.quantities = { points: data.length, maxAbsResidual: Math.max(...residuals.map(Math.abs)) }
    ctx.meta.dataset = label
    return residuals
  }).withHooks(hooks.timing())

// A prior keeping the two rates apart.
const separation = objective<Params>((p, ctx) => {
  ctx.meta.ratio = p.decay.fast / p.decay.slow
  return (p.decay.fast / p.decay.slow < 2 ? 1 : 0) * 10
})

const data = combine<Params>(
  [decayTerm(dataFast, (p) => p.decay.fast, 'fast'), decayTerm(dataSlow, (p) => p.decay.slow, 'slow')],
  {
    weights: [1, 0.5],
    configureChild: (i, child) => {
      child.config.replica = i
    },
  },
)
const total = combine<Params>([data, separation], { weights: [1, 0.1], reduction: 'sum' }).withHooks(
  hooks.evaluationId(),
)

const ctx = new EvaluateContext()
const params: Params = { amplitude: 1.9, decay: { fast: 1.2, slow: 0.25 } }
const value = await total.evaluate(params, ctx)

function show(node: MetaData, label: string, indent: string): void {
  const { children, ...meta } = node.meta as { children?: MetaData[] } & Record<string, unknown>
  const fields = [
    `loss=${node.loss?.toPrecision(6)}`,
    node.quantities ? `quantities=${JSON.stringify(node.quantities)}` : '',
    Object.keys(meta).length > 0 ? `meta=${JSON.stringify(meta)}` : '',
  ]
  console.log(`${indent}${label}  ${fields.filter(Boolean).join('  ')}`)
  for (const [i, child] of (children ?? []).entries()) show(child, `term ${i}`, `${indent}  `)
}

console.log(`parameters: ${JSON.stringify(params)}`)
console.log(`combined value: ${value.toPrecision(8)}\n`)
console.log('context tree (ctx.toMetaData()):')
show(ctx.toMetaData(), 'root', '  ')
console.log(
  `\nresiduals of the data block: ${ctx.children[0]!.residuals?.length} (scaled so their squares sum to its loss)`,
)
