// Autocovariance of a series by FFT, shared by emcee's τ estimate (ensemble/autocorr.ts) and
// Geyer's ESS (ess.ts). The series is zero-padded to a power of two ≥ 2n so that the circular
// correlation the FFT computes has no wrap-around: lag k sees only pairs (t, t + k) with t + k < n.

import FFT from 'fft.js'

function nextPowerOfTwo(n: number): number {
  let p = 2
  while (p < n) p *= 2
  return p
}

/** An FFT and its buffers for series of one length, reused across series (walkers, chains). */
export class Autocovariance {
  readonly length: number
  readonly #fft: FFT
  readonly #scratch: Float64Array
  readonly #spectrum: number[]
  readonly #transform: number[]

  constructor(length: number) {
    this.length = length
    this.#fft = new FFT(nextPowerOfTwo(2 * length))
    this.#scratch = new Float64Array(this.#fft.size)
    this.#spectrum = this.#fft.createComplexArray()
    this.#transform = this.#fft.createComplexArray()
  }

  /**
   * Writes Σ_t (x_t − x̄)(x_{t+k} − x̄) for k = 0..n−1 into `out` (not divided by n) and returns
   * it. All zeros for a constant series.
   */
  sums(series: ArrayLike<number>, out: Float64Array = new Float64Array(this.length)): Float64Array {
    const n = this.length
    // An internal check: its callers (τ, ESS) size the series and `out` themselves.
    if (series.length !== n || out.length < n)
      throw new RangeError(`Autocovariance of length ${n} given a series of ${series.length}`)
    let mean = 0
    for (let i = 0; i < n; i++) mean += series[i]!
    mean /= n
    const scratch = this.#scratch
    scratch.fill(0)
    for (let i = 0; i < n; i++) scratch[i] = series[i]! - mean
    const fft = this.#fft
    fft.realTransform(this.#spectrum, scratch)
    fft.completeSpectrum(this.#spectrum)
    // The power spectrum is real and even, so its forward transform is its inverse times the size.
    for (let k = 0; k < fft.size; k++) {
      const re = this.#spectrum[2 * k]!
      const im = this.#spectrum[2 * k + 1]!
      scratch[k] = re * re + im * im
    }
    fft.realTransform(this.#transform, scratch)
    // The size is a power of two, so this division is exact: ratios of lags keep every bit.
    for (let k = 0; k < n; k++) out[k] = this.#transform[2 * k]! / fft.size
    return out
  }
}
