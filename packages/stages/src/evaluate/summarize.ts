import {
  InputError,
  evaluateGates,
  metricDirection,
  metricUnit,
  overallStatus,
  readJUnitFile,
  formatNumber,
} from '@mlops-actions/core';
import {
  computeMetrics,
  confusionMatrix,
  evalStateArrays,
  mcnemarExact,
  mergeEvalStates,
  pairedBootstrap,
  predictedClasses,
  sliceRows,
  worstSlices,
} from '@mlops-actions/metrics';
import type {
  Measurement,
  Measurements,
  SliceMeasurements,
  StageResult,
  TestSummary,
  Verdict,
  StageClock,
} from '@mlops-actions/core';
import type { EvalArrays } from '@mlops-actions/metrics';
import { resolve } from 'node:path';
import type { EvaluateConfig } from './config.js';
import { percentile, subsetLabels, subsetPredictions } from './predictions.js';
import type { ScoredShard } from './score.js';

function safeMetrics(
  names: string[],
  arrays: { y: EvalArrays['y'] },
  pred: EvalArrays['candidate'],
  threshold: number,
) {
  try {
    return computeMetrics(names, arrays.y, pred, { threshold });
  } catch {
    // A slice can make a metric undefined (e.g. too few rows of a class): score the others, and
    // leave that one NaN, which a gate on the slice reports rather than passing.
    const out: Record<string, number> = {};
    for (const name of names) {
      try {
        out[name] = computeMetrics([name], arrays.y, pred, { threshold })[name]!;
      } catch {
        out[name] = NaN;
      }
    }
    return out;
  }
}

/** Rows of all shards, ordered by row key, with their slice columns in the same order. */
function combine(shards: ScoredShard[]): { arrays: EvalArrays; extra: Record<string, string[]> } {
  const sources = shards.map((s) => `shard ${s.shard.index}/${s.shard.count}`);
  const merged = mergeEvalStates(
    shards.map((s) => s.state),
    sources,
  );
  const arrays = evalStateArrays(merged);
  const keys: { key: number; shard: number; row: number }[] = [];
  shards.forEach((s, si) => {
    const k = evalStateArrays(s.state, sources[si]).rowKeys;
    k.forEach((key, row) => keys.push({ key, shard: si, row }));
  });
  keys.sort((a, b) => a.key - b.key);
  const extra: Record<string, string[]> = {};
  for (const column of Object.keys(shards[0]?.extra ?? {})) {
    extra[column] = keys.map(({ shard, row }) => shards[shard]!.extra[column]![row]!);
  }
  return { arrays, extra };
}

function checkShardsAgree(shards: ScoredShard[]): void {
  const first = shards[0]!;
  const count = first.shard.count;
  const seen = new Set<number>();
  for (const s of shards) {
    const where = `shard ${s.shard.index}/${s.shard.count}`;
    if (s.shard.count !== count) throw new InputError(`${where}: shard count differs from ${count}`);
    if (seen.has(s.shard.index)) throw new InputError(`${where}: given twice`);
    seen.add(s.shard.index);
    for (const [role, a, b] of [
      ['model', s.inputs.model.sha256, first.inputs.model.sha256],
      ['baseline', s.inputs.baseline?.sha256, first.inputs.baseline?.sha256],
      ['data', s.inputs.data.sha256, first.inputs.data.sha256],
    ] as const) {
      if (a !== b)
        throw new InputError(
          `${where}: its ${role} differs from shard ${first.shard.index}'s (digest mismatch)`,
        );
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length)
    throw new InputError(`missing shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')}`);
}

function readTests(config: EvaluateConfig): TestSummary[] {
  const out: TestSummary[] = [];
  for (const gate of config.gates) {
    if (gate.kind !== 'tests') continue;
    try {
      out.push(readJUnitFile(resolve(config.baseDir, gate.tests), gate.tests));
    } catch {
      // The gate itself reports the unreadable file as a failed verdict.
    }
  }
  return out;
}

function headlineSummary(values: Measurements, headline: string, verdicts: Verdict[]): string {
  const m = values[headline];
  const passed = verdicts.filter((v) => v.status !== 'fail').length;
  const gates = verdicts.length ? `; ${passed} of ${verdicts.length} gates passed` : '; no gates';
  if (!m || m.candidate === null) return `${headline}: no value${gates}`;
  if (m.baseline === undefined || m.baseline === null || m.delta === undefined || m.delta === null) {
    return `${headline} ${formatNumber(m.candidate)} (no baseline)${gates}`;
  }
  const ci = m.ci
    ? `, ${Math.round((m.ciLevel ?? 0.95) * 100)}% CI ${formatNumber(m.ci[0])}…${formatNumber(m.ci[1])}`
    : '';
  const sign = m.delta >= 0 ? '+' : '';
  return `${headline} ${formatNumber(m.baseline)} → ${formatNumber(m.candidate)} (${sign}${formatNumber(m.delta)}${ci})${gates}`;
}

/**
 * Turns scored rows into the evaluate stage result: metrics for both models, paired bootstrap
 * CIs of every delta, McNemar for accuracy, slices, gates. Shards are merged first, so a sharded
 * run and an unsharded one go through exactly the same arithmetic.
 */
export async function summarizeEvaluation(
  config: EvaluateConfig,
  shards: ScoredShard[],
  clock: StageClock,
  git?: StageResult['git'],
): Promise<StageResult> {
  checkShardsAgree(shards);
  const { arrays, extra } = await clock.phase('merge', async () => combine(shards));
  const first = shards[0]!;
  const n = arrays.rowKeys.length;
  const { y, candidate, baseline } = arrays;
  const names = config.metrics;

  const cand = await clock.phase('metrics', async () =>
    computeMetrics(names, y, candidate, { threshold: config.threshold }),
  );
  const base = baseline ? computeMetrics(names, y, baseline, { threshold: config.threshold }) : undefined;
  const intervals =
    baseline && config.confidence.method === 'bootstrap'
      ? await clock.phase('bootstrap', () =>
          pairedBootstrap({
            names,
            y,
            candidate,
            baseline,
            replicates: config.confidence.replicates,
            level: config.confidence.level,
            seed: config.confidence.seed,
            rowKeys: arrays.rowKeys,
            threshold: config.threshold,
            threads: config.threads,
          }),
        )
      : undefined;

  const values: Measurements = {};
  for (const name of names) {
    const m: Measurement = {
      candidate: cand[name] ?? null,
      direction: metricDirection(name),
      unit: metricUnit(name),
    };
    if (base) {
      m.baseline = base[name] ?? null;
      m.delta = m.candidate !== null && m.baseline !== null ? m.candidate - m.baseline : null;
      const interval = intervals?.[name];
      if (interval) {
        m.ci = interval.ci;
        m.ciLevel = config.confidence.level;
      }
    }
    values[name] = m;
  }
  if (baseline && values.accuracy && config.task !== 'regression') {
    const test = mcnemarExact(
      y,
      predictedClasses(candidate, config.threshold),
      predictedClasses(baseline, config.threshold),
    );
    values.accuracy.pValue = test.pValue;
  }

  const seconds = shards.reduce((s, x) => s + x.inferenceSeconds, 0);
  const latencies = shards.flatMap((s) => s.batchLatencyMs);
  values.rows = { candidate: n, direction: 'neutral', unit: 'count' };
  values.rows_per_second = {
    candidate: seconds > 0 ? n / seconds : null,
    direction: 'higher-is-better',
    unit: 'per-second',
  };
  values.latency_p50_ms = { candidate: percentile(latencies, 0.5), direction: 'lower-is-better', unit: 'ms' };
  values.latency_p95_ms = {
    candidate: percentile(latencies, 0.95),
    direction: 'lower-is-better',
    unit: 'ms',
  };
  values.model_bytes = {
    candidate: first.inputs.model.bytes,
    ...(first.inputs.baseline
      ? {
          baseline: first.inputs.baseline.bytes,
          delta: first.inputs.model.bytes - first.inputs.baseline.bytes,
        }
      : {}),
    direction: 'lower-is-better',
    unit: 'bytes',
  };

  const slices: SliceMeasurements[] = [];
  const skipped: { key: string; size: number }[] = [];
  await clock.phase('slices', async () => {
    for (const spec of config.slices) {
      const raw = extra[spec.column];
      if (!raw) throw new InputError(`${config.data.path}: slice column '${spec.column}' was not read`);
      const column = spec.bins ? Float64Array.from(raw, Number) : raw;
      const groups = sliceRows(column, { column: spec.column, minSize: spec.minSize, bins: spec.bins });
      skipped.push(...groups.skipped.map((s) => ({ key: s.key, size: s.size })));
      for (const g of groups.groups) {
        const ys = { y: subsetLabels(y, g.rows) };
        const c = safeMetrics(names, ys, subsetPredictions(candidate, g.rows), config.threshold);
        const b = baseline
          ? safeMetrics(names, ys, subsetPredictions(baseline, g.rows), config.threshold)
          : undefined;
        const sv: Measurements = {};
        for (const name of names) {
          sv[name] = {
            candidate: c[name]!,
            direction: metricDirection(name),
            ...(b ? { baseline: b[name]!, delta: c[name]! - b[name]! } : {}),
          };
        }
        slices.push({ column: spec.column, value: g.label, rows: g.rows.length, values: sv });
      }
    }
  });
  const worst =
    slices.length && metricDirection(config.headline) !== 'neutral'
      ? worstSlices(
          slices.map((s) => ({
            key: `${s.column}=${s.value}`,
            size: s.rows,
            metrics: Object.fromEntries(Object.entries(s.values).map(([k, v]) => [k, v.candidate ?? NaN])),
          })),
          config.headline,
          config.maxSlices,
        ).map((s) => ({ slice: s.key, rows: s.size, [config.headline]: s.metrics[config.headline] }))
      : [];

  const confusion = (() => {
    if (config.task === 'regression') return undefined;
    const c = confusionMatrix(y, candidate, { threshold: config.threshold });
    return {
      threshold: config.task === 'binary-classification' ? config.threshold : undefined,
      labels: first.classes ?? c.labels,
      candidate: c.matrix,
      ...(baseline ? { baseline: confusionMatrix(y, baseline, { threshold: config.threshold }).matrix } : {}),
    };
  })();

  const verdicts = evaluateGates(config.gates, {
    values,
    slices,
    baseDir: config.baseDir,
    stage: 'evaluate',
  });
  const tests = readTests(config);
  const status = overallStatus(verdicts);
  const inputs: StageResult['inputs'] = {
    model: {
      path: first.inputs.model.path,
      sha256: first.inputs.model.sha256,
      bytes: first.inputs.model.bytes,
    },
    data: { path: first.inputs.data.path, sha256: first.inputs.data.sha256, bytes: first.inputs.data.bytes },
  };
  if (first.inputs.baseline) {
    inputs.baseline = {
      path: first.inputs.baseline.path,
      sha256: first.inputs.baseline.sha256,
      bytes: first.inputs.baseline.bytes,
    };
  }
  for (const s of shards)
    for (const [k, v] of Object.entries(s.timings)) clock.phases[k] = (clock.phases[k] ?? 0) + v;

  return clock.finish({
    status,
    summary: headlineSummary(values, config.headline, verdicts),
    ...(config.specDigest ? { specDigest: config.specDigest } : {}),
    model: { name: config.modelName, path: first.inputs.model.path, sha256: first.inputs.model.sha256 },
    ...(first.inputs.baseline
      ? {
          baselineModel: {
            source: first.inputs.baseline.source,
            path: first.inputs.baseline.path,
            sha256: first.inputs.baseline.sha256,
          },
        }
      : {}),
    inputs,
    headline: config.headline,
    ...(git && Object.keys(git).length ? { git } : {}),
    values,
    ...(slices.length ? { slices } : {}),
    ...(tests.length ? { tests } : {}),
    verdicts,
    details: {
      task: config.task,
      ...(first.classes ? { classes: first.classes } : {}),
      threshold: config.threshold,
      confidence: config.confidence,
      shards: shards.length,
      ...(confusion ? { confusion } : {}),
      ...(worst.length ? { worstSlices: worst } : {}),
      ...(skipped.length ? { skippedSlices: skipped } : {}),
      ...(baseline ? {} : { baseline: 'none' }),
    },
  });
}
