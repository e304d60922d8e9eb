// A seeded random source whose whole state is a short array of numbers, so a checkpoint can carry
// it and a resumed run draws exactly the numbers the stopped run would have. Optimizers and
// samplers use it; it lives in core because work that runs on workers (a sampler's bound draws)
// needs the same streams there.

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

const MASK64 = (1n << 64n) - 1n

/** One step of splitmix64 on a 64-bit state: the advanced state and its mixed output. */
function splitmix64(state: bigint): [next: bigint, output: bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64
  let z = next
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64
  return [next, z ^ (z >> 31n)]
}

/** A number as 64 bits: integers exactly (negative ones two's complement), others by their float bits. */
function toBits(x: number): bigint {
  if (Number.isSafeInteger(x)) return BigInt(x) & MASK64
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  return view.getBigUint64(0)
}

export class Random {
  #rng: JumpableRandomGenerator

  private constructor(rng: JumpableRandomGenerator) {
    this.#rng = rng
  }

  /**
   * The stream for a seed, and optionally for a key below it (`fromSeed(seed, batch, task)`):
   * the numbers are hashed with splitmix64 into the generator's state, so consecutive seeds and
   * keys give unrelated streams, and a task's stream does not depend on which worker draws it.
   */
  static fromSeed(seed: number, ...key: readonly number[]): Random {
    let h = 0x243f6a8885a308d3n // a fixed start, so seed 0 is not the all-zero state
    for (const part of [seed, ...key]) {
      h = splitmix64(h ^ toBits(part))[1]
    }
    const [next, s0] = splitmix64(h)
    const [, drawn] = splitmix64(next)
    const s1 = s0 === 0n && drawn === 0n ? 1n : drawn // xoroshiro's one forbidden state
    const hi = (x: bigint) => Number(BigInt.asIntN(32, x >> 32n))
    const lo = (x: bigint) => Number(BigInt.asIntN(32, x))
    // The generator's 128-bit state as pure-rand holds it: four 32-bit words.
    return new Random(xoroshiro128plusFromState([hi(s0), lo(s0), hi(s1), lo(s1)]))
  }

  static fromState(state: readonly number[]): Random {
    return new Random(xoroshiro128plusFromState(state))
  }

  /** The generator's state; `Random.fromState(r.state())` continues the same sequence. */
  state(): number[] {
    return [...this.#rng.getState()]
  }

  /** Uniform on [0, 1), 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.#rng)
  }

  /** A standard normal deviate (Box-Muller; the second deviate is dropped to keep no hidden state). */
  normal(): number {
    const u = 1 - this.uniform() // (0, 1], so the logarithm is finite
    const v = this.uniform()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n)
  }
}
