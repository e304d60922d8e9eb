// A user's model, as a new project would write it: data made once, residuals of y = a·exp(-b·x) + c.
import { defineObjective } from '@parafit/core'

const x = Float64Array.from({ length: 40 }, (_, i) => i / 4)
const y = x.map((t) => 3 * Math.exp(-0.7 * t) + 0.5 + 0.01 * Math.sin(7 * t))

export const initial = { a: 1, b: 0.2, c: 0 }
export const bounds = { a: [0, 10], b: [0, 5], c: [-1, 1] }

export default defineObjective(() => (p: { a: number; b: number; c: number }, ctx) => {
  ctx.meta.points = x.length
  return x.map((t, i) => p.a * Math.exp(-p.b * t) + p.c - y[i]!)
})
