// The shapes of the data the plots take.

/** Samples as columns: one array of draws per parameter. */
export interface ColumnSamples {
  readonly names: readonly string[]
  readonly columns: readonly ArrayLike<number>[]
}

/** Samples as rows: one point per draw (EnsembleSampler.getChain({ flat: true })). */
export interface RowSamples {
  readonly names?: readonly string[]
  readonly rows: readonly ArrayLike<number>[]
}

export type Samples = ColumnSamples | RowSamples | readonly ArrayLike<number>[]

/** An ensemble's chain as EnsembleSampler.getChain() returns it: chain[step][walker][parameter]. */
export type WalkerChain = readonly (readonly ArrayLike<number>[])[]
