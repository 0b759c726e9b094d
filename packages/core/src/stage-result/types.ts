import type { Measurements, SliceMeasurements, TestSummary, Verdict } from '../gates/types.js';

/** A stage's name as its definition declares it (`evaluate`, `load-test`); also its result file's name. */
export type StageName = string;

/** passed: every gate passed (or warned); failed: a gate failed; error: the stage could not run. */
export type StageStatus = 'passed' | 'failed' | 'error' | 'skipped';

/** The commit a result was produced from; empty outside a git checkout. */
export interface GitInfo {
  commit?: string;
  ref?: string;
  dirty?: boolean;
}

export interface FileDigest {
  path: string;
  sha256: string;
  bytes?: number;
}

export interface ArtifactRef {
  name: string;
  path?: string;
  sha256?: string;
  url?: string;
}

/**
 * The one result format every stage writes to `.mlops/<stage>.json` (schema:
 * schemas/stage-result.schema.json). Plain JSON so it travels between jobs as an artifact.
 */
export interface StageResult {
  schemaVersion: 1;
  stage: StageName;
  status: StageStatus;
  /** One line for humans: `3 of 4 gates passed; roc_auc dropped significantly`. */
  summary: string;
  /** sha256 of the spec file's bytes, when the stage ran from a spec. */
  specDigest?: string;
  model?: { name: string; path?: string; sha256?: string };
  baselineModel?: { source: string; path?: string; sha256?: string };
  /** Digests of the files the stage read, keyed by role (`model`, `baseline`, `data`, `train.csv`). */
  inputs: Record<string, FileDigest>;
  /** The headline measurement name, e.g. `roc_auc`. */
  headline?: string;
  values: Measurements;
  slices?: SliceMeasurements[];
  tests?: TestSummary[];
  verdicts: Verdict[];
  artifacts: ArtifactRef[];
  timings: {
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    /** Named phases, e.g. `{ inference: 812, metrics: 95, bootstrap: 2210 }`. */
    phases?: Record<string, number>;
  };
  git?: GitInfo;
  run?: { url?: string; id?: string; workflow?: string };
  tool: { name: 'mlops-actions'; version: string; node: string };
  /** Stage-specific extras (latency histogram, model card, canary steps); rendered when known. */
  details?: Record<string, unknown>;
  /** When status is `error`: what went wrong. */
  error?: string;
}
