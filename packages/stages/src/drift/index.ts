import { UsageError } from '@mlops-actions/core';
import { defineStage } from '../definition.js';
import type { FlagValues } from '../definition.js';
import { driftSections } from './report.js';
import { runDriftStage } from './run.js';
import schema from './spec.schema.json' with { type: 'json' };
import { checkDrift, driftConfig, parseCorrection, parseList, parseMethod, parseShare } from './spec.js';
import type { DriftConfig, DriftSettings } from './spec.js';

export { runDriftStage } from './run.js';
export type { DriftDetails, PerformanceDrift, PredictionDrift } from './run.js';
export { driftConfig, checkDrift, DRIFT_VALUES } from './spec.js';
export type { DriftConfig, DriftModel, DriftSettings, RawDrift } from './spec.js';
export { driftSections, driftStrength, rankFeatures } from './report.js';

function flag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`mlops drift: --${name} needs a value`);
  return v;
}

export const drift = defineStage<DriftSettings, DriftConfig>({
  name: 'drift',
  title: 'Drift',
  specKey: 'drift',
  schema,
  check: checkDrift,
  declared: (spec) => spec.sections['drift'] !== undefined,
  configure: async (spec, settings, ctx) => driftConfig(spec, settings, ctx.cwd),
  run: (config, ctx) => ctx.log.group('drift', () => runDriftStage(config, ctx)),
  report: (result) => driftSections(result),
  cli: {
    command: 'drift',
    summary: 'Decide whether retraining is needed: data drift per feature, prediction and performance drift',
    usage: `
Usage:
  mlops drift --reference REF.csv --current CUR.csv [--features a,b] [--out .mlops]
  mlops drift --spec mlops.yml [--reference REF] [--current CUR] [--out .mlops]

Compares the current data (a CSV or JSON Lines file, a directory of daily files, or the model
server's --log-inputs log) with the reference, feature by feature, with Evidently's automatic
choice of test: up to 1000 reference rows, Kolmogorov-Smirnov for numeric features with more
than 5 values and chi-square (z-test for two values) otherwise; larger references, Wasserstein
distance normed by the reference std (threshold 0.1) and Jensen-Shannon distance (0.1). p-values
are corrected for the number of features (Bonferroni; --correction fdr for Benjamini-Hochberg).
Dataset drift when the share of drifted features reaches --share (default 0.5). With a spec, the
production model's score distribution is compared too, and its metrics on labelled current data
against drift.performance floors.

Writes <out>/drift.json: values drifted (0/1: retraining needed), share, drifted_features, and
per-feature statistic, threshold and p-value in details.

Options:
  --spec FILE          pipeline spec (default: mlops.yml unless --reference and --current are given)
  --reference PATH     reference data (overrides drift.reference)
  --current PATH       current data: file, directory or server log (overrides drift.current)
  --features LIST      comma-separated features to compare (default: every reference column but the label)
  --exclude LIST       columns that are not features
  --categorical LIST   columns compared as categories even when numeric
  --method M           auto, ks, chisquare, z, wasserstein, jensenshannon or psi for every feature
  --correction C       bonferroni (default), fdr or none
  --share X            dataset drift at this share of drifted features (default 0.5)
  --fail-on-drift      exit 1 when retraining is needed (default: exit 0, read drifted)
  --out DIR            results directory (default: .mlops)
  -h, --help           show this help

Exit codes: 0 done (drift or not, unless --fail-on-drift), 1 drift with --fail-on-drift,
2 bad usage or bad input (empty, mismatched or label-only current data).
`,
    options: {
      reference: { type: 'string' },
      current: { type: 'string' },
      features: { type: 'string' },
      exclude: { type: 'string' },
      categorical: { type: 'string' },
      method: { type: 'string' },
      correction: { type: 'string' },
      share: { type: 'string' },
      'fail-on-drift': { type: 'boolean' },
    },
    standalone: (values) =>
      values.spec === undefined && values.reference !== undefined && values.current !== undefined,
    settings(values) {
      const settings: DriftSettings = {};
      const reference = flag(values, 'reference');
      const current = flag(values, 'current');
      if (reference) settings.reference = reference;
      if (current) settings.current = current;
      const features = parseList(flag(values, 'features'));
      const exclude = parseList(flag(values, 'exclude'));
      const categorical = parseList(flag(values, 'categorical'));
      if (features) settings.features = features;
      if (exclude) settings.exclude = exclude;
      if (categorical) settings.categorical = categorical;
      const method = parseMethod('--method', flag(values, 'method'));
      const correction = parseCorrection('--correction', flag(values, 'correction'));
      const share = parseShare('--share', flag(values, 'share'));
      if (method) settings.method = method;
      if (correction) settings.correction = correction;
      if (share !== undefined) settings.share = share;
      if (values['fail-on-drift'] === true) settings.failOnDrift = true;
      return settings;
    },
  },
  action: {
    name: 'drift',
    settings(inputs) {
      const settings: DriftSettings = {};
      const reference = inputs.path('reference');
      const current = inputs.path('current');
      if (reference) settings.reference = reference;
      if (current) settings.current = current;
      const features = inputs.list('features');
      if (features.length) settings.features = features;
      const method = parseMethod('input method', inputs.optional('method'));
      if (method) settings.method = method;
      const correction = parseCorrection('input correction', inputs.optional('correction'));
      if (correction) settings.correction = correction;
      const share = parseShare('input share', inputs.optional('share'));
      if (share !== undefined) settings.share = share;
      const fail = inputs.optionalBoolean('fail-on-drift');
      if (fail !== undefined) settings.failOnDrift = fail;
      return settings;
    },
    outputs(result) {
      const d = (result.details ?? {}) as {
        drifted?: boolean;
        reasons?: string[];
        data?: { share?: number };
      };
      return {
        drifted: d.drifted === true,
        share: d.data?.share ?? '',
        reasons: (d.reasons ?? []).join('\n'),
      };
    },
  },
});
