// A seeded random source whose whole state is a short array of numbers, so an optimizer's
// checkpoint can carry it and a resumed run draws exactly the numbers the stopped run would have.

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

export class Random {
  #rng: JumpableRandomGenerator

  private constructor(rng: JumpableRandomGenerator) {
    this.#rng = rng
  }

  static fromSeed(seed: number): Random {
    return new Random(xoroshiro128plus(seed | 0))
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
