/** The `drift` section: its raw shape, what flags and inputs override, and the stage's config. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  InputError,
  UsageError,
  checkGateList,
  normalizeGate,
  resolveSpecPath,
  suggest,
} from '@mlops-actions/core';
import type { Gate, RawGate, SemanticIssue, Spec, Task } from '@mlops-actions/core';
import type { Correction, DriftFormat, DriftMethod, DriftOptions, MethodChoice } from '@mlops-actions/drift';
import { METRIC_NAME_LIST, isMetricName, metricAppliesTo } from '@mlops-actions/metrics';

type RawData = string | { path: string; format?: DriftFormat };

export interface RawDrift {
  reference?: RawData;
  current: RawData;
  features?: string[];
  exclude?: string[];
  categorical?: string[];
  method?: MethodChoice;
  methods?: Record<string, MethodChoice>;
  thresholds?: Partial<Record<DriftMethod, number>>;
  'feature-thresholds'?: Record<string, number>;
  correction?: Correction;
  share?: number;
  'fail-on-drift'?: boolean;
  prediction?: 'auto' | boolean;
  label?: string;
  performance?: RawGate[];
}

/** What `mlops drift` flags and the action's inputs change. */
export interface DriftSettings {
  reference?: string;
  current?: string;
  features?: string[];
  exclude?: string[];
  categorical?: string[];
  method?: MethodChoice;
  correction?: Correction;
  share?: number;
  failOnDrift?: boolean;
}

export interface DriftDataRef {
  path: string;
  format?: DriftFormat;
}

export interface DriftModel {
  name: string;
  path: string;
  task: Task;
  classes?: (string | number)[];
  inputName?: string;
  outputs?: { label?: string; probabilities?: string; score?: string };
  /** The model's input columns in order; default: the drift features. */
  features?: string[];
}

export interface DriftConfig {
  specDigest?: string;
  reference: DriftDataRef;
  current: DriftDataRef;
  options: DriftOptions;
  failOnDrift: boolean;
  /** The production model, for prediction and performance drift. */
  model?: DriftModel;
  prediction: boolean;
  /** Label column of the current data (performance floors). */
  label?: string;
  performance: Gate[];
}

export const DRIFT_METHODS: readonly MethodChoice[] = [
  'auto',
  'ks',
  'chisquare',
  'z',
  'wasserstein',
  'jensenshannon',
  'psi',
];

/** Names the drift stage writes into `values`. */
export const DRIFT_VALUES = [
  'drifted',
  'share',
  'drifted_features',
  'features',
  'data_drifted',
  'prediction_drifted',
  'prediction_drift',
];

function dataRef(raw: RawData, at: (p: string) => string): DriftDataRef {
  if (typeof raw === 'string') return { path: at(raw) };
  return { path: at(raw.path), ...(raw.format ? { format: raw.format } : {}) };
}

const nonNull = (x: string | null | undefined): string | undefined => (x === null ? undefined : x);

/** Checks beyond the schema: performance floors name metrics that exist for the model's task. */
export function checkDrift(section: unknown, spec: Spec): SemanticIssue[] {
  const d = section as RawDrift;
  const task = spec.model.task;
  const issues: SemanticIssue[] = [];
  issues.push(
    ...checkGateList(d.performance, ['drift', 'performance'], 'drift', {
      names: [...METRIC_NAME_LIST],
      tests: false,
      // Floors are on the production model's metrics on labelled current data, nothing else.
      metricProblem: (name) => {
        if (!isMetricName(name)) {
          const hint = suggest(name, [...METRIC_NAME_LIST]);
          return `'${name}' is not a metric${hint ? `; did you mean '${hint}'?` : ''}`;
        }
        return metricAppliesTo(name, task) ? undefined : `metric '${name}' does not apply to ${task}`;
      },
    }),
  );
  d.performance?.forEach((gate, i) => {
    if (
      typeof gate === 'object' &&
      'metric' in gate &&
      (gate['max-drop'] !== undefined || gate['max-increase'] !== undefined)
    ) {
      issues.push({
        path: ['drift', 'performance', i],
        atKey: true,
        message: 'performance floors are min/max bounds; there is no baseline to drop from',
      });
    }
  });
  if (d.reference === undefined && !spec.data?.reference && !spec.data?.eval) {
    issues.push({
      path: ['drift'],
      message: 'no reference data: set drift.reference (or data.reference)',
      atKey: true,
    });
  }
  return issues;
}

/** The spec's section (if any) and the settings → the stage's config. Bad input fails here, before work. */
export function driftConfig(spec: Spec | undefined, settings: DriftSettings, cwd: string): DriftConfig {
  const raw = spec?.sections['drift'] as RawDrift | undefined;
  const fromCwd = (p: string): string => resolve(cwd, p);
  const fromSpec = (p: string): string => (spec ? resolveSpecPath(spec, p) : fromCwd(p));
  let reference: DriftDataRef | undefined;
  if (settings.reference) reference = { path: fromCwd(settings.reference) };
  else if (raw?.reference) reference = dataRef(raw.reference, fromSpec);
  else if (spec?.data?.reference) reference = { path: fromSpec(spec.data.reference.path) };
  else if (spec?.data?.eval) reference = { path: fromSpec(spec.data.eval.path) };
  let current: DriftDataRef | undefined;
  if (settings.current) current = { path: fromCwd(settings.current) };
  else if (raw?.current) current = dataRef(raw.current, fromSpec);
  if (!reference || !current) {
    const missing = [!reference && '--reference', !current && '--current'].filter(Boolean).join(' and ');
    throw new UsageError(
      spec
        ? `drift: ${missing} not given and the spec has no ${!current ? 'drift.current' : 'drift.reference or data.reference'}`
        : `drift: without a spec it needs ${missing}\nRun 'mlops drift --help' for usage.`,
    );
  }
  for (const [role, ref] of [
    ['reference', reference],
    ['current', current],
  ] as const) {
    if (!existsSync(ref.path))
      throw new InputError(`drift ${role}: ${ref.path}: no such file or directory`, { file: ref.path });
  }
  const evalSpec = spec?.data?.eval;
  const label = raw?.label ?? evalSpec?.label;
  const exclude = [
    ...new Set([
      ...(settings.exclude ?? raw?.exclude ?? []),
      ...(label ? [label] : []),
      ...(evalSpec?.id ? [evalSpec.id] : []),
    ]),
  ];
  const options: DriftOptions = {
    exclude,
    method: settings.method ?? raw?.method ?? 'auto',
    correction: settings.correction ?? raw?.correction ?? 'bonferroni',
    share: settings.share ?? raw?.share ?? 0.5,
  };
  const features = settings.features ?? raw?.features ?? evalSpec?.features;
  if (features) options.features = features;
  const categorical = settings.categorical ?? raw?.categorical;
  if (categorical?.length) options.categorical = categorical;
  if (raw?.methods) options.methods = raw.methods;
  if (raw?.thresholds) options.thresholds = raw.thresholds;
  if (raw?.['feature-thresholds']) options.featureThresholds = raw['feature-thresholds'];

  let model: DriftModel | undefined;
  if (spec) {
    const path = resolveSpecPath(spec, spec.model.path);
    model = {
      name: spec.model.name,
      path,
      task: spec.model.task,
      ...(spec.model.classes ? { classes: spec.model.classes } : {}),
      ...(spec.model.inputs?.name ? { inputName: spec.model.inputs.name } : {}),
      ...(spec.model.outputs
        ? {
            outputs: {
              label: nonNull(spec.model.outputs.label),
              probabilities: nonNull(spec.model.outputs.probabilities),
              score: nonNull(spec.model.outputs.score),
            },
          }
        : {}),
      ...(evalSpec?.features ? { features: evalSpec.features } : {}),
    };
  }
  const predictionSetting = raw?.prediction ?? 'auto';
  const prediction =
    model !== undefined && (predictionSetting === 'auto' ? existsSync(model.path) : predictionSetting);
  if (predictionSetting === true && model && !existsSync(model.path)) {
    throw new InputError(`drift.prediction is true but the model ${model.path} does not exist`, {
      file: model.path,
    });
  }
  const performance = (raw?.performance ?? []).map(normalizeGate);
  if (performance.length && !model)
    throw new UsageError('drift: performance floors need a spec with a model');
  return {
    ...(spec ? { specDigest: spec.digest } : {}),
    reference,
    current,
    options,
    failOnDrift: settings.failOnDrift ?? raw?.['fail-on-drift'] ?? false,
    ...(model ? { model } : {}),
    prediction,
    ...(label ? { label } : {}),
    performance,
  };
}

export function parseMethod(where: string, v: string | undefined): MethodChoice | undefined {
  if (v === undefined || v === '') return undefined;
  if ((DRIFT_METHODS as readonly string[]).includes(v)) return v as MethodChoice;
  throw new UsageError(`${where}: '${v}' is not a drift method (${DRIFT_METHODS.join(', ')})`);
}

export function parseCorrection(where: string, v: string | undefined): Correction | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'bonferroni' || v === 'fdr' || v === 'none') return v;
  throw new UsageError(`${where}: '${v}' is not a correction (bonferroni, fdr, none)`);
}

export function parseShare(where: string, v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const x = Number(v);
  if (!(x > 0 && x <= 1)) throw new UsageError(`${where}: share must be a number in (0, 1], got '${v}'`);
  return x;
}

export function parseList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}
