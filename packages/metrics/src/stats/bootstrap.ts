import { availableParallelism } from 'node:os';
import { InputError, UsageError } from '@mlops-actions/core';
import { checkLabelType } from '../compute.js';
import { kernel } from '../kernel.js';
import type { KernelJob, KernelModel } from '../kernel.js';
import { resolveMetrics } from '../names.js';
import { classCount, prepareModel, sharedF64, validateInputs, withKeyHashes } from '../prepare.js';
import type { Labels, Predictions } from '../types.js';
import { percentileInterval } from '@mlops-actions/core';
import { rowKeyHashes } from './row-keys.js';
import { runInWorkers } from './worker-pool.js';

export interface BootstrapOptions {
  names: readonly string[];
  y: Labels;
  candidate: Predictions;
  /** Without a baseline the intervals are of the candidate's metrics themselves. */
  baseline?: Predictions;
  replicates?: number;
  level?: number;
  seed?: number;
  /** Stable row identities (default: the row index); weights depend on (seed, key, replicate) only. */
  rowKeys?: Float64Array | Uint32Array;
  threshold?: number;
  /** Worker threads; 1 runs in the calling thread. Default: all cores for big inputs, else 1. */
  threads?: number;
  /** File name prefixed to input errors. */
  source?: string;
}

export interface BootstrapInterval {
  /** Point value on the full data: candidate − baseline, or the candidate's value without baseline. */
  estimate: number;
  /** Percentile interval of the replicates at the requested level. */
  ci: [number, number];
  /** Replicates where the metric was defined (e.g. AUC needs both classes drawn). */
  valid: number;
}

/** Below this many row-replicates, thread start-up costs more than it saves. */
const PARALLEL_WORK = 5_000_000;

/**
 * Paired Poisson bootstrap: replicate r weights row i by Poisson(1) drawn from hash(seed, key_i, r),
 * and both models are scored under the same weights. Any subset of rows gets the weights it would
 * get in the full run, so shards agree, and the result does not depend on the thread count.
 */
export async function pairedBootstrap(opts: BootstrapOptions): Promise<Record<string, BootstrapInterval>> {
  const { names, y, candidate, baseline, replicates = 1000, level = 0.95, seed = 1 } = opts;
  if (!Number.isInteger(replicates) || replicates < 1) {
    throw new UsageError(`bootstrap replicates must be a positive integer, got ${replicates}`);
  }
  if (!(level > 0 && level < 1)) throw new UsageError(`bootstrap level must be in (0, 1), got ${level}`);
  checkLabelType(y, candidate, opts.source);
  const n = validateInputs(y, candidate, opts.source, 'candidate predictions');
  if (baseline) {
    if (baseline.task !== candidate.task || classCount(baseline) !== classCount(candidate)) {
      throw new InputError(
        `${opts.source ? `${opts.source}: ` : ''}baseline predictions are ${describe(baseline)} but the candidate's are ${describe(candidate)}`,
      );
    }
    validateInputs(y, baseline, opts.source, 'baseline predictions');
  }
  const codes = resolveMetrics(candidate.task, names, classCount(candidate), opts.source);
  const keyHash = rowKeyHashes(n, seed, opts.rowKeys, opts.source);
  const models: KernelModel[] = [withKeyHashes(prepareModel(y, candidate, codes, opts.threshold), keyHash)];
  if (baseline) models.push(withKeyHashes(prepareModel(y, baseline, codes, opts.threshold), keyHash));
  const nm = codes.length;
  const stride = models.length * nm;
  const job: KernelJob = {
    models,
    seedHash: kernel.seedHash(seed),
    codes: Int32Array.from(codes, (c) => c.code),
    classes: Int32Array.from(codes, (c) => c.cls),
    repStart: 0,
    repEnd: replicates,
    out: sharedF64(replicates * stride),
  };
  const threads = Math.max(
    1,
    Math.min(replicates, opts.threads ?? (n * replicates >= PARALLEL_WORK ? availableParallelism() : 1)),
  );
  if (threads === 1) {
    kernel.runReplicates(job);
  } else {
    const per = Math.ceil(replicates / threads);
    const jobs: KernelJob[] = [];
    for (let start = 0; start < replicates; start += per) {
      jobs.push({ ...job, repStart: start, repEnd: Math.min(replicates, start + per) });
    }
    await runInWorkers(jobs);
  }

  const point = new Float64Array(stride);
  kernel.evaluate(
    models,
    true,
    0,
    job.codes,
    job.classes,
    kernel.scratchFor(models),
    new Uint8Array(n),
    point,
    0,
  );

  const result: Record<string, BootstrapInterval> = {};
  const values = new Float64Array(replicates);
  codes.forEach(({ name }, j) => {
    for (let r = 0; r < replicates; r++) {
      const c = job.out[r * stride + j] as number;
      values[r] = baseline ? c - (job.out[r * stride + nm + j] as number) : c;
    }
    const estimate = baseline ? (point[j] as number) - (point[nm + j] as number) : (point[j] as number);
    result[name] = { estimate, ...percentileInterval(values, level) };
  });
  return result;
}

function describe(p: Predictions): string {
  return p.task === 'multiclass-classification' ? `${p.task} with ${p.k} classes` : p.task;
}
