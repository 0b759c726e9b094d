export type DriftMethod = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';
export type MethodChoice = DriftMethod | 'auto';
export type Correction = 'bonferroni' | 'fdr' | 'none';

/** Methods whose score is a p-value (drift when below the threshold); the others are distances. */
export const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set(['ks', 'chisquare', 'z']);

/** Evidently's default thresholds. PSI: 0.1 is drift, 0.25 "major" (the usual credit-scoring bands). */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};
export const PSI_MAJOR = 0.25;

export const METHOD_LABELS: Readonly<Record<DriftMethod, string>> = {
  ks: 'Kolmogorov–Smirnov p-value',
  chisquare: 'chi-square p-value',
  z: 'z-test p-value',
  wasserstein: 'Wasserstein distance (normed)',
  jensenshannon: 'Jensen–Shannon distance',
  psi: 'PSI',
};

export interface DriftOptions {
  /** Features to compare; default every reference column not excluded. */
  features?: string[];
  /** Columns that are not features (label, id, prediction). */
  exclude?: string[];
  /** Columns treated as categories even when numeric. */
  categorical?: string[];
  /** Method for every feature (default 'auto': Evidently's choice). */
  method?: MethodChoice;
  /** Per-feature method overrides. */
  methods?: Record<string, MethodChoice>;
  /** Per-method threshold overrides. */
  thresholds?: Partial<Record<DriftMethod, number>>;
  /** Per-feature threshold overrides (in the unit of that feature's method). */
  featureThresholds?: Record<string, number>;
  /** Multiple-testing correction of the p-value tests; default 'bonferroni'. */
  correction?: Correction;
  /** Dataset drift when the share of drifted features is at least this; default 0.5. */
  share?: number;
  /** Also compute KS, Wasserstein, PSI and Jensen–Shannon for every feature (oracle checks, benchmarks). */
  allStatistics?: boolean;
  /** Bins of the per-feature histograms kept for the report; default 12. */
  histogramBins?: number;
}

export interface NumericSummary {
  kind: 'numeric';
  rows: number;
  missing: number;
  missingRate: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  p50: number | null;
  max: number | null;
  unique: number;
}

export interface CategoricalSummary {
  kind: 'categorical';
  rows: number;
  missing: number;
  missingRate: number;
  unique: number;
  /** Most frequent values with their shares. */
  top: { value: string; share: number }[];
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

export interface Histogram {
  /** Bin edges (numeric) or category names (categorical). */
  edges?: number[];
  labels: string[];
  reference: number[];
  current: number[];
}

export interface AllStatistics {
  ks?: { statistic: number; pValue: number };
  wasserstein?: number;
  wassersteinNorm?: number;
  jensenshannon: number;
  psi: number;
  /** Only when the two samples have at most 10,000 distinct values together. */
  chisquare?: number;
}

export interface FeatureDrift {
  name: string;
  kind: 'numeric' | 'categorical';
  method: DriftMethod;
  /** How the method was chosen. */
  chosenBy: 'auto' | 'spec';
  /** The test statistic (KS D, chi-square, z) or the distance. */
  statistic: number | null;
  /** For p-value tests. */
  pValue: number | null;
  /** The threshold as configured (p-value level or distance). */
  threshold: number;
  /** p-value tests: the level after correction that the p-value was compared with. */
  adjustedThreshold?: number;
  /** Evidently's drift score: the p-value or the distance. */
  score: number | null;
  drifted: boolean;
  /** PSI only: 'major' at 0.25 and above. */
  severity?: 'moderate' | 'major';
  /** Why drifted (or why the test could not run). */
  reason: string;
  reference: ColumnSummary;
  current: ColumnSummary;
  /** Numeric: share of current values outside the reference's [min, max]; categorical: share in unseen categories. */
  outOfRangeRate: number;
  newCategories?: string[];
  histogram: Histogram;
  /** Extra statistics when `allStatistics` is set. */
  all?: AllStatistics;
  /** KS only: which p-value scipy's 'auto' used. */
  pValueMethod?: 'exact' | 'asymp';
}

export interface DriftReport {
  drifted: boolean;
  /** Drifted features / features compared. */
  share: number;
  shareThreshold: number;
  driftedFeatures: number;
  features: FeatureDrift[];
  correction: Correction;
  /** Number of p-value tests the correction accounted for. */
  tests: number;
  reasons: string[];
  warnings: string[];
  reference: {
    source: string;
    rows: number;
    files: { path: string; sha256: string; bytes: number; rows: number }[];
  };
  current: {
    source: string;
    rows: number;
    files: { path: string; sha256: string; bytes: number; rows: number }[];
  };
}
