// cornerSvg's options and their defaults, which are corner.py's where corner.py has one.

export interface CornerOptions {
  /** Importance weights of the samples (nested sampling): histograms, levels and quantiles weighted. */
  readonly weights?: ArrayLike<number>
  /** Bins per axis of every histogram, or one number per parameter (default 20). */
  readonly bins?: number | readonly number[]
  /** The diagonal histograms have round(histBinFactor · bins) bins (default 1). */
  readonly histBinFactor?: number
  /** σ, in bins, of the Gaussian smoothing of the 2-D histograms (default none). */
  readonly smooth?: number
  /** σ, in bins, of the smoothing of the diagonal histograms (default none). */
  readonly smooth1d?: number
  /**
   * The masses the contours enclose. Default 1 - exp(-s²/2) for s = 0.5, 1, 1.5, 2: the
   * masses of a 2-D Gaussian inside 0.5σ..2σ (0.118, 0.393, 0.675, 0.865; "1σ" is 39.3 %).
   */
  readonly levels?: readonly number[]
  /** Quantiles drawn as dashed lines on the diagonal (default [0.16, 0.5, 0.84]; [] for none). */
  readonly quantiles?: readonly number[]
  /** Titles `label = q50 −a +b` over the diagonal (default true), from `quantiles` when it has three. */
  readonly showTitles?: boolean
  /** d3-format specifier of the title numbers (default ".2f"). */
  readonly titleFormat?: string
  /** True values, drawn as lines (null or undefined: none for that parameter). */
  readonly truths?: readonly (number | null | undefined)[]
  readonly truthColor?: string
  /**
   * Per parameter, [lo, hi] or a fraction f of the mass: the central quantile interval
   * [0.5 - f/2, 0.5 + f/2]. Default each parameter's [min, max].
   */
  readonly range?: readonly (readonly [number, number] | number)[]
  /** Axis labels (default the parameter names). */
  readonly labels?: readonly string[]
  /** Any CSS colour (default black). */
  readonly color?: string
  /** Fill between the contours with increasing opacity (default false). */
  readonly fillContours?: boolean
  /** Samples outside the lowest contour as dots (default true). */
  readonly plotDatapoints?: boolean
  /** The density shading of the 2-D histogram (default true). */
  readonly plotDensity?: boolean
  readonly plotContours?: boolean
  /** At most this many dots per panel, a seeded random subset (default 2000). */
  readonly maxDatapoints?: number
  /** Seed of that subset (default 0). */
  readonly seed?: number
  /** A title over the whole figure. */
  readonly title?: string
  /** Side of one panel in inches at 72 px per inch (default 2, as corner.py). */
  readonly panelSize?: number
  /** Prefix of the SVG ids (clip paths), for several plots inlined in one page (default "corner"). */
  readonly idPrefix?: string
}

export const CORNER_DEFAULTS = {
  bins: 20,
  histBinFactor: 1,
  quantiles: [0.16, 0.5, 0.84],
  titleFormat: '.2f',
  truthColor: '#4682b4',
  color: '#000000',
  maxDatapoints: 2000,
  panelSize: 2,
  idPrefix: 'corner',
} as const

/** Pixels per inch: matplotlib's 72, so 1 pt is 1 px and its font sizes carry over. */
export const PPI = 72
