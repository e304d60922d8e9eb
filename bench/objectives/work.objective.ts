// Benchmark objectives. `spinMs` burns CPU (like a model evaluation), `sleepMs` blocks the
// thread without CPU (like waiting for an external program), `data` is read on every call.
import { defineObjective } from '@parafit/core'

export interface WorkInit {
  spinMs?: number
  sleepMs?: number
  data?: Float64Array
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

export default defineObjective((init: WorkInit) => (p: { x: number; y?: number }) => {
  if (init.sleepMs !== undefined) Atomics.wait(sleeper, 0, 0, init.sleepMs)
  let acc = p.x
  if (init.spinMs !== undefined) {
    const end = performance.now() + init.spinMs
    while (performance.now() < end) acc = Math.sin(acc) + 1
  }
  if (init.data !== undefined) {
    // Touch the data so a copy, if any, would cost: a strided sum over 8 MB.
    const d = init.data
    for (let i = (p.x * 7919) % 64; i < d.length; i += 64) acc += d[i]!
  }
  return acc * 0 + p.x * p.x
})
