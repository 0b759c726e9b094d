export * from './types.js';
export { applyCorrection, autoMethod, computeDrift } from './drift.js';
export { readDataset, datasetFromColumns, dataFiles, formatOfPath, parseFloat64 } from './read.js';
export type { Dataset, DriftFormat, ReadOptions, SourceFile } from './read.js';
export { ColumnBuilder, MISSING_TOKENS } from './columns.js';
export type { ColumnKind } from './columns.js';
export { ks2sampSorted } from './ks.js';
export type { KsResult } from './ks.js';
export {
  binnedPercents,
  chiSquare,
  countsOfSorted,
  histogramSorted,
  jensenShannon,
  linspace,
  psi,
  std,
  sturgesEdges,
  wassersteinNorm,
  wassersteinSorted,
  zTest,
} from './stats.js';
export type { Binned, Counts, PValueResult, Sample } from './stats.js';
export { chi2Sf, gammainc, gammaincc, kstwoSf, lgamma, normCdf, smirnov } from './special.js';
