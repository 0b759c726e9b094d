import { computeMetrics } from '../compute.js';
import type { MetricValues } from '../types.js';
import { pairedBootstrap } from './bootstrap.js';
import type { BootstrapInterval } from './bootstrap.js';
import { evalStateArrays } from './eval-state.js';
import type { EvalState } from './eval-state.js';

export interface EvaluateStateOptions {
  names: readonly string[];
  threshold?: number;
  /** Omit to skip the bootstrap. */
  bootstrap?: { replicates?: number; level?: number; seed?: number; threads?: number };
  source?: string;
}

export interface StateEvaluation {
  candidate: MetricValues;
  baseline?: MetricValues;
  /** Per metric: the interval of candidate − baseline (or of the candidate without a baseline). */
  intervals?: Record<string, BootstrapInterval>;
}

/** Metrics and bootstrap intervals of a (possibly merged) state, keyed by its row keys. */
export async function evaluateState(state: EvalState, opts: EvaluateStateOptions): Promise<StateEvaluation> {
  const a = evalStateArrays(state, opts.source);
  const metricOpts = { threshold: opts.threshold, source: opts.source };
  const result: StateEvaluation = { candidate: computeMetrics(opts.names, a.y, a.candidate, metricOpts) };
  if (a.baseline) result.baseline = computeMetrics(opts.names, a.y, a.baseline, metricOpts);
  if (opts.bootstrap) {
    result.intervals = await pairedBootstrap({
      ...opts.bootstrap,
      names: opts.names,
      y: a.y,
      candidate: a.candidate,
      baseline: a.baseline,
      rowKeys: a.rowKeys,
      threshold: opts.threshold,
      source: opts.source,
    });
  }
  return result;
}
