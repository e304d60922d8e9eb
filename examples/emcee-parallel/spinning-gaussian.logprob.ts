// The log-probability of emcee's parallel tutorial: a 5-D standard normal that keeps the CPU busy
// for 5-8 ms per call, like a model evaluation. The duration comes from a hash of θ rather than a
// random generator, so the same θ always costs the same and chains stay reproducible. With
// `data`, every call also reads the 8 MB array (emcee's tutorial passed it with every call).
import { defineLogProb } from '@parafit/sampler/log-prob'

export interface EmceeInit {
  /** Busy-wait between these many milliseconds per call (default 5 to 8). */
  minMs?: number
  maxMs?: number
  data?: Float64Array
}

/** A number in [0, 1) from the bits of θ. */
function hashUnit(theta: Float64Array): number {
  const bits = new Uint32Array(theta.buffer, theta.byteOffset, theta.length * 2)
  let h = 2166136261
  for (const b of bits) h = Math.imul(h ^ b, 16777619)
  return (h >>> 0) / 4294967296
}

export default defineLogProb((init: EmceeInit = {}) => (theta) => {
  const minMs = init.minMs ?? 5
  const maxMs = init.maxMs ?? 8
  const until = performance.now() + minMs + (maxMs - minMs) * hashUnit(theta)
  let acc = 0
  while (performance.now() < until) acc = Math.sin(acc) + 1
  if (init.data !== undefined) {
    const d = init.data
    for (let i = Math.floor(hashUnit(theta) * 64); i < d.length; i += 64) acc += d[i]!
  }
  let r2 = 0
  for (const v of theta) r2 += v * v
  return -0.5 * r2 + acc * 0
})
