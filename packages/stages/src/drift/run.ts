/**
 * The drift stage: data drift per feature (@mlops-actions/drift), prediction drift of the
 * production model's scores, performance against floors when labels exist, and the decision.
 */
import { statSync } from 'node:fs';
import { StageClock, evaluateGates, metricDirection, writeStageResult } from '@mlops-actions/core';
import type { Logger, Measurements, Predictions, StageResult, Verdict } from '@mlops-actions/core';
import { loadEvalData } from '@mlops-actions/data';
import { computeDrift, datasetFromColumns, readDataset } from '@mlops-actions/drift';
import type { Dataset, DriftReport, FeatureDrift } from '@mlops-actions/drift';
import { predict } from '@mlops-actions/inference';
import { computeMetrics } from '@mlops-actions/metrics';
import type { StageContext } from '../context.js';
import type { DriftConfig, DriftModel } from './spec.js';

export interface PredictionDrift {
  /** What was compared: P(class 1), the regression value, or the predicted class. */
  output: 'score' | 'value' | 'class';
  feature: FeatureDrift;
  referenceRows: number;
  currentRows: number;
}

export interface PerformanceDrift {
  label: string;
  rows: number;
  metrics: Record<string, number>;
}

export interface DriftDetails {
  /** Retraining needed: data drift, prediction drift or a performance floor missed. */
  drifted: boolean;
  reasons: string[];
  data: DriftReport;
  prediction?: PredictionDrift;
  /** Why prediction drift was not compared, when it was not. */
  predictionSkipped?: string;
  performance?: PerformanceDrift;
  performanceSkipped?: string;
  failOnDrift: boolean;
}

function isSingleFile(path: string): boolean {
  return statSync(path).isFile();
}

/** The model's input matrix from column storage; undefined (with the reason) when it cannot be built. */
function featureMatrix(
  data: Dataset,
  names: string[],
): { features: Float32Array; n: number; d: number } | string {
  const cols = names.map((n) => data.columns.get(n));
  const missing = names.filter((_, i) => cols[i] === undefined);
  if (missing.length) return `${data.source} has no ${missing.map((m) => `'${m}'`).join(', ')}`;
  const text = names.filter((_, i) => cols[i]!.kind !== 'numeric');
  if (text.length) return `non-numeric model inputs ${text.map((m) => `'${m}'`).join(', ')}`;
  const n = data.rows;
  const d = names.length;
  const features = new Float32Array(n * d);
  cols.forEach((c, j) => {
    const v = c!.values;
    for (let i = 0; i < n; i++) features[i * d + j] = v[i]!;
  });
  return { features, n, d };
}

function scoreColumn(p: Predictions): { output: PredictionDrift['output']; values: number[] | string[] } {
  if (p.task === 'binary-classification') return { output: 'score', values: Array.from(p.scores) };
  if (p.task === 'regression') return { output: 'value', values: Array.from(p.values) };
  const { proba, k } = p;
  const n = proba.length / k;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    out.push(String(best));
  }
  return { output: 'class', values: out };
}

async function modelPredictions(
  model: DriftModel,
  m: { features: Float32Array; n: number; d: number },
  names: string[],
): Promise<Predictions> {
  const res = await predict({
    modelPath: model.path,
    data: { ...m, featureNames: names },
    task: model.task,
    ...(model.task === 'multiclass-classification' && model.classes ? { k: model.classes.length } : {}),
    ...(model.inputName ? { inputName: model.inputName } : {}),
    ...(model.outputs ? { outputs: model.outputs } : {}),
  });
  return res.predictions;
}

function decisionVerdict(drifted: boolean, failOnDrift: boolean, reasons: string[]): Verdict {
  return {
    gate: 'no drift',
    kind: 'expression',
    status: !drifted ? 'pass' : failOnDrift ? 'fail' : 'warn',
    reason: drifted ? `retraining needed: ${reasons.join('; ')}` : 'no data, prediction or performance drift',
    metric: 'drifted',
    observed: drifted ? 1 : 0,
    threshold: 0,
  };
}

export async function runDriftStage(config: DriftConfig, ctx: StageContext): Promise<StageResult> {
  const log: Logger = ctx.log;
  const clock = new StageClock('drift');
  const { options } = config;
  const readOpts = (role: 'reference' | 'current') => ({
    ...(config[role].format ? { format: config[role].format } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    ...(options.categorical ? { categorical: options.categorical } : {}),
  });
  const reference = await clock.phase('read-reference', async () =>
    readDataset(config.reference.path, readOpts('reference')),
  );
  log.info(
    `drift: reference ${config.reference.path}: ${reference.rows} rows, ${reference.columns.size} columns`,
  );
  const current = await clock.phase('read-current', async () =>
    readDataset(config.current.path, readOpts('current')),
  );
  log.info(
    `drift: current ${config.current.path}: ${current.rows} rows` +
      (current.files.length > 1 ? ` from ${current.files.length} files` : ''),
  );
  const data = await clock.phase('data-drift', async () => computeDrift(reference, current, options));
  for (const w of data.warnings) log.warn(`drift: ${w}`);

  const details: DriftDetails = { drifted: false, reasons: [], data, failOnDrift: config.failOnDrift };
  const values: Measurements = {
    share: { candidate: data.share, unit: 'ratio', direction: 'lower-is-better' },
    drifted_features: { candidate: data.driftedFeatures, unit: 'count', direction: 'lower-is-better' },
    features: { candidate: data.features.length, unit: 'count', direction: 'neutral' },
    data_drifted: { candidate: data.drifted ? 1 : 0, unit: 'none', direction: 'lower-is-better' },
    current_rows: { candidate: current.rows, unit: 'count', direction: 'neutral' },
  };
  if (data.drifted) details.reasons.push(`data drift: ${data.reasons[0]}`);

  // Prediction drift and performance share the current predictions.
  const model = config.model;
  const modelNames = model?.features ?? data.features.map((f) => f.name);
  let labelled: Awaited<ReturnType<typeof loadEvalData>> | undefined;
  if (model && config.performance.length) {
    const label = config.label;
    if (!label) details.performanceSkipped = 'no label column (set drift.label or data.eval.label)';
    else if (!isSingleFile(config.current.path))
      details.performanceSkipped = 'the current data is a directory; performance needs one labelled file';
    else if (!current.header.includes(label))
      details.performanceSkipped = `the current data has no '${label}' column (no labels yet)`;
    else {
      labelled = await clock.phase('read-labels', () =>
        loadEvalData({
          path: config.current.path,
          label,
          features: modelNames,
          task: model.task,
          ...(model.classes ? { classes: model.classes as number[] | string[] } : {}),
        }),
      );
    }
  }
  let curPred: Predictions | undefined;
  if (model && (config.prediction || labelled)) {
    const curMatrix = labelled ?? featureMatrix(current, modelNames);
    if (typeof curMatrix === 'string') details.predictionSkipped = curMatrix;
    else
      curPred = await clock.phase('inference-current', () => modelPredictions(model, curMatrix, modelNames));
  }
  if (model && config.prediction && curPred) {
    const refMatrix = featureMatrix(reference, modelNames);
    if (typeof refMatrix === 'string') details.predictionSkipped = `reference: ${refMatrix}`;
    else {
      const refPred = await clock.phase('inference-reference', () =>
        modelPredictions(model, refMatrix, modelNames),
      );
      const r = scoreColumn(refPred);
      const c = scoreColumn(curPred);
      const categorical = r.output === 'class' ? ['prediction'] : [];
      const pd = computeDrift(
        datasetFromColumns('reference predictions', { prediction: r.values }, { categorical }),
        datasetFromColumns('current predictions', { prediction: c.values }, { categorical }),
        { correction: 'none', share: 1, ...(options.thresholds ? { thresholds: options.thresholds } : {}) },
      );
      const feature = pd.features[0]!;
      details.prediction = {
        output: r.output,
        feature,
        referenceRows: reference.rows,
        currentRows: current.rows,
      };
      values['prediction_drift'] = { candidate: feature.score, unit: 'none', direction: 'neutral' };
      values['prediction_drifted'] = {
        candidate: feature.drifted ? 1 : 0,
        unit: 'none',
        direction: 'lower-is-better',
      };
      if (feature.drifted) details.reasons.push(`prediction drift: model ${r.output}: ${feature.reason}`);
      log.info(`drift: prediction ${r.output}: ${feature.reason}`);
    }
  } else if (model && !config.prediction)
    details.predictionSkipped ??= 'prediction drift is off (drift.prediction) or the model file is absent';

  let verdicts: Verdict[] = [];
  if (config.performance.length) {
    const metricValues: Measurements = {};
    if (labelled && curPred && model) {
      const names = [...new Set(config.performance.flatMap((g) => (g.kind === 'metric' ? [g.metric] : [])))];
      const y = model.task === 'regression' ? labelled.labels : Int32Array.from(labelled.labels);
      const m = computeMetrics(names, y, curPred, { source: config.current.path });
      for (const [k, v] of Object.entries(m)) {
        metricValues[k] = { candidate: v, direction: metricDirection(k) };
        values[k] = metricValues[k]!;
      }
      details.performance = { label: config.label!, rows: labelled.n, metrics: m };
    }
    verdicts = evaluateGates(config.performance, { values: metricValues, baseDir: ctx.cwd, stage: 'drift' });
    if (details.performance === undefined) {
      // No labels yet: the floors are not measured, which the report says (warn); it is not a
      // reason to retrain every night until labels arrive.
      const why = details.performanceSkipped ?? 'no predictions for the current data';
      verdicts = verdicts.map((v) => ({ ...v, status: 'warn', reason: `not measured: ${why}` }));
    } else {
      const failing = verdicts.filter((v) => v.status === 'fail');
      if (failing.length) details.reasons.push(`performance: ${failing.map((v) => v.reason).join('; ')}`);
      // Below a floor is the signal to retrain, not a broken step, unless the spec says otherwise.
      if (!config.failOnDrift)
        verdicts = verdicts.map((v) => (v.status === 'fail' ? { ...v, status: 'warn' } : v));
    }
  }

  details.drifted = details.reasons.length > 0;
  values['drifted'] = { candidate: details.drifted ? 1 : 0, unit: 'none', direction: 'lower-is-better' };
  verdicts = [decisionVerdict(details.drifted, config.failOnDrift, details.reasons), ...verdicts];
  const failed = verdicts.some((v) => v.status === 'fail');
  const summary = details.drifted
    ? `retraining needed: ${details.reasons.join('; ')}`
    : `no drift: ${data.reasons[0]}${details.prediction ? `; prediction ${details.prediction.feature.reason}` : ''}`;

  const inputs: StageResult['inputs'] = {};
  const addFiles = (role: string, files: Dataset['files']): void => {
    if (files.length === 1)
      inputs[role] = { path: files[0]!.path, sha256: files[0]!.sha256, bytes: files[0]!.bytes };
    else
      files.forEach((f, i) => (inputs[`${role}[${i}]`] = { path: f.path, sha256: f.sha256, bytes: f.bytes }));
  };
  addFiles('reference', reference.files);
  addFiles('current', current.files);
  const result = clock.finish({
    status: failed ? 'failed' : 'passed',
    summary,
    ...(config.specDigest ? { specDigest: config.specDigest } : {}),
    ...(model ? { model: { name: model.name, path: model.path } } : {}),
    inputs,
    headline: 'share',
    values,
    verdicts,
    details: details as unknown as Record<string, unknown>,
  });
  await writeStageResult(ctx.resultsDir, result);
  return result;
}
