// Checks an initial ensemble before anything is evaluated. The stretch and DE moves only ever
// propose inside the affine span of the walkers, so walkers that span a lower-dimensional space
// (all equal, on a line, one parameter constant) can never leave it: the run would look fine and
// sample the wrong distribution. Same test as emcee: column-scaled condition number ≤ 1e8.

import { ValidationError } from '@parafit/core'
import { describeValue } from '@parafit/core/internal'
import { Matrix, SingularValueDecomposition } from 'ml-matrix'

export function toEnsemble(initial: unknown, nWalkers: number, nDim: number): Float64Array[] {
  if (!Array.isArray(initial) || initial.length !== nWalkers) {
    throw new ValidationError(
      `initial must be an array of ${nWalkers} walkers (one point of ${nDim} numbers each), got ${Array.isArray(initial) ? `${initial.length} walkers` : describeValue(initial)}`,
      'initial',
    )
  }
  return initial.map((walker, k) => {
    if (!((Array.isArray(walker) || walker instanceof Float64Array) && walker.length === nDim)) {
      throw new ValidationError(`walker ${k} must be ${nDim} numbers`, 'initial')
    }
    const point = Float64Array.from(walker as ArrayLike<number>)
    const bad = point.findIndex(
      (v, i) => typeof (walker as ArrayLike<unknown>)[i] !== 'number' || !Number.isFinite(v),
    )
    if (bad >= 0) {
      throw new ValidationError(
        `walker ${k}, parameter ${bad} is ${String((walker as ArrayLike<unknown>)[bad])}; every coordinate must be a finite number`,
        'initial',
      )
    }
    return point
  })
}

/** Throws unless the walkers span all nDim dimensions (well enough to sample). */
export function assertWalkersIndependent(walkers: readonly Float64Array[]): void {
  const n = walkers.length
  const nDim = walkers[0]!.length
  const c = new Matrix(n, nDim)
  for (let d = 0; d < nDim; d++) {
    let mean = 0
    for (const w of walkers) mean += w[d]!
    mean /= n
    let max = 0
    for (const w of walkers) max = Math.max(max, Math.abs(w[d]! - mean))
    if (max === 0) {
      throw new ValidationError(
        `every walker has the same value ${walkers[0]![d]} for parameter ${d}, so the ensemble can never ` +
          'move in it. Start the walkers in a small ball instead, e.g. x0 + 1e-4 * (random normal) per coordinate',
        'initial',
      )
    }
    let norm = 0
    for (let k = 0; k < n; k++) {
      const v = (walkers[k]![d]! - mean) / max
      c.set(k, d, v)
      norm += v * v
    }
    norm = Math.sqrt(norm)
    for (let k = 0; k < n; k++) c.set(k, d, c.get(k, d) / norm)
  }
  const condition = new SingularValueDecomposition(c, { autoTranspose: true }).condition
  if (!(condition <= 1e8)) {
    throw new ValidationError(
      `the initial walkers are not linearly independent (condition number ${condition.toExponential(2)} > 1e8): ` +
        'they lie on a lower-dimensional subspace that the moves can never leave. Start them in a small ' +
        'ball around a point, e.g. x0 + 1e-4 * (random normal) per coordinate, or pass skipInitialStateCheck: true',
      'initial',
    )
  }
}
