// ln Σ exp(x) without overflow; -Infinity for no terms or all -Infinity.

export function logSumExp(values: ArrayLike<number>, from = 0, to = values.length): number {
  let max = Number.NEGATIVE_INFINITY
  for (let i = from; i < to; i++) if (values[i]! > max) max = values[i]!
  if (max === Number.NEGATIVE_INFINITY) return max
  let sum = 0
  for (let i = from; i < to; i++) sum += Math.exp(values[i]! - max)
  return max + Math.log(sum)
}

/** ln(e^a + e^b). */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b
  if (b === Number.NEGATIVE_INFINITY) return a
  const max = Math.max(a, b)
  return max + Math.log(Math.exp(a - max) + Math.exp(b - max))
}
