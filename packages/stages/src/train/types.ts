import type { GitInfo, Logger } from '@mlops-actions/core';
import type { ModelCache } from '../cache/types.js';

export type TrainShell = 'bash' | 'sh' | 'pwsh' | 'node';

/**
 * What the train stage needs from the spec. Relative paths (inputs, outputs, params, metrics,
 * modelPath) are relative to `specDir`; the command itself runs in `workingDirectory`.
 */
export interface TrainConfig {
  run: string;
  shell: TrainShell;
  /** Absolute. */
  workingDirectory: string;
  /** 0 or less: no time limit. */
  timeoutMs: number;
  /** Added to the inherited environment of the command. */
  env: Record<string, string>;
  /** Files or directories whose content decides whether a cached model can be reused. */
  inputs: string[];
  /** What the command must produce; empty means just the model. */
  outputs: string[];
  /** YAML or JSON file of hyper-parameters, recorded in the model card. */
  params?: string;
  /** JSON object of numbers the command writes, e.g. `{"loss": 0.31}`. */
  metrics?: string;
  cache: boolean;
  modelPath: string;
  modelName: string;
  /** Absolute directory of mlops.yml. */
  specDir: string;
  specDigest?: string;
}

/** `@actions/core` satisfies this, so an action can pass `core` straight through. */

export interface TrainContext {
  cache: ModelCache;
  log: Logger;
  git?: GitInfo;
  /** Overrides the mlops-actions version read from package.json (it is part of the cache key). */
  toolVersion?: string;
}

export interface ToolVersions {
  node: string;
  'mlops-actions': string;
  'onnxruntime-node'?: string;
}

/** Written as `model-card.json` next to the model: where the model came from. */
export interface ModelCard {
  schemaVersion: 1;
  model: { name: string; path: string; sha256: string; bytes: number };
  git: { commit: string | null; dirty: boolean | null };
  inputs: { path: string; sha256: string; bytes?: number }[];
  params: unknown;
  /** Non-finite or non-numeric values are kept as null. */
  metrics: Record<string, number | null>;
  command: { run: string; shell: TrainShell; workingDirectory: string; exitCode: number };
  trainedAt: string;
  durationMs: number;
  cacheKey: string;
  tools: ToolVersions;
}
