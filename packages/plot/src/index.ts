export { type AutocorrOptions, type AutocorrSeries, autocorrSvg } from './autocorr.ts'
export { type CornerLayout, cornerLayout, cornerSvg } from './corner.ts'
export { type CornerOptions, PPI } from './corner-options.ts'
export {
  type ContourLevel,
  type Density2d,
  type Density2dOptions,
  density2d,
  type Polygon,
  type Ring,
} from './density2d.ts'
export { PlotError, type PlotErrorCode } from './errors.ts'
export { gaussianFilter1d, gaussianFilter2d, gaussianKernel } from './gaussian-filter.ts'
export { binEdges, type Histogram2d, histogram1d, histogram2d } from './histogram.ts'
export {
  contourThresholds,
  DEFAULT_LEVELS,
  type PaddedHistogram,
  padHistogram,
  type Thresholds,
} from './levels.ts'
export { type NestedRunData, type NestedRunOptions, nestedRunSvg } from './nested-run.ts'
export { dejavuFontFiles, type PngOptions, toPng } from './png.ts'
export { type QuantileTitle, quantiles, quantileTitle } from './quantiles.ts'
export {
  type LossHistoryOptions,
  lossHistorySvg,
  type ResidualData,
  type ResidualOptions,
  residualSvg,
} from './residual.ts'
export { decimateMinMax } from './thinning.ts'
export { linearTicks, logTicks, niceTicks, type TickLabel, type Ticks } from './ticks.ts'
export { type TraceOptions, traceSvg } from './trace.ts'
export type { ColumnSamples, RowSamples, Samples, WalkerChain } from './types.ts'
