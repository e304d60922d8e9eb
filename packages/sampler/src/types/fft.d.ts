// fft.js ships no types; the part of its API the autocorrelation estimate uses.
declare module 'fft.js' {
  export default class FFT {
    constructor(size: number)
    readonly size: number
    createComplexArray(): number[]
    /** Fills the left half of `out` (interleaved re, im) with the transform of real `input`. */
    realTransform(out: number[], input: ArrayLike<number>): void
    completeSpectrum(spectrum: number[]): void
  }
}
