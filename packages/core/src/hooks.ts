// Built-in hooks. They run where the objective runs (a worker, for a module objective) and
// report through ctx.meta, which comes back to the caller.

import { ValidationError } from './errors/classes.ts'
import type { Hook } from './lifecycle.ts'

function checkKey(key: string, hook: string): void {
  if (typeof key !== 'string' || key.length === 0)
    throw new ValidationError(`hooks.${hook}(): the meta key must be a non-empty string`)
}

/** Writes `meta[key] = { elapsedSeconds }` after every evaluation, failed ones included. */
function timing(key = 'timing'): Hook {
  checkKey(key, 'timing')
  const startKey = Symbol(`timing:${key}`)
  return {
    pre(ctx) {
      ctx.temp[startKey] = performance.now()
    },
    post(ctx) {
      const start = ctx.temp[startKey]
      if (typeof start === 'number') ctx.meta[key] = { elapsedSeconds: (performance.now() - start) / 1000 }
    },
  }
}

/** Writes a fresh random UUID to `meta[key]` before every evaluation. */
function evaluationId(key = 'evaluationId'): Hook {
  checkKey(key, 'evaluationId')
  return {
    pre(ctx) {
      ctx.meta[key] = crypto.randomUUID()
    },
  }
}

export const hooks = { timing, evaluationId }
