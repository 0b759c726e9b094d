import { InputError } from '@mlops-actions/core';
import { METRIC } from './kernel.js';
import type { Task } from './types.js';

export const DEFAULT_METRICS: Record<Task, string[]> = {
  'binary-classification': [
    'accuracy',
    'precision',
    'recall',
    'f1',
    'roc_auc',
    'pr_auc',
    'log_loss',
    'brier',
  ],
  'multiclass-classification': ['accuracy', 'f1_macro', 'f1_weighted', 'log_loss'],
  regression: ['rmse', 'mae', 'r2'],
};

const BINARY: Record<string, number> = {
  accuracy: METRIC.accuracy,
  balanced_accuracy: METRIC.balancedAccuracy,
  precision: METRIC.precision,
  recall: METRIC.recall,
  f1: METRIC.f1,
  roc_auc: METRIC.rocAuc,
  pr_auc: METRIC.prAuc,
  log_loss: METRIC.logLoss,
  brier: METRIC.brier,
  mcc: METRIC.mcc,
};

const MULTICLASS: Record<string, number> = {
  accuracy: METRIC.accuracy,
  balanced_accuracy: METRIC.balancedAccuracy,
  mcc: METRIC.mcc,
  log_loss: METRIC.logLoss,
  precision_macro: METRIC.precisionMacro,
  recall_macro: METRIC.recallMacro,
  f1_macro: METRIC.f1Macro,
  precision_weighted: METRIC.precisionWeighted,
  recall_weighted: METRIC.recallWeighted,
  f1_weighted: METRIC.f1Weighted,
};

const REGRESSION: Record<string, number> = {
  rmse: METRIC.rmse,
  mse: METRIC.mse,
  mae: METRIC.mae,
  r2: METRIC.r2,
  mape: METRIC.mape,
  median_absolute_error: METRIC.medianAe,
};

const TABLES: Record<Task, Record<string, number>> = {
  'binary-classification': BINARY,
  'multiclass-classification': MULTICLASS,
  regression: REGRESSION,
};

/** A metric resolved to the kernel's numeric code; `cls` is the class of `recall_class_<k>`. */
export interface MetricCode {
  name: string;
  code: number;
  cls: number;
}

/** Names a task accepts (`recall_class_<k>` shown once as a pattern). */
export function knownMetrics(task: Task): string[] {
  const names = Object.keys(TABLES[task]);
  return task === 'multiclass-classification' ? [...names, 'recall_class_<k>'] : names;
}

/** Resolves metric names for a task; an unknown name is an InputError listing the known ones. */
export function resolveMetrics(
  task: Task,
  names: readonly string[],
  k: number,
  source?: string,
): MetricCode[] {
  const table = TABLES[task];
  return names.map((name) => {
    const code = Object.hasOwn(table, name) ? table[name] : undefined;
    if (code !== undefined) return { name, code, cls: -1 };
    const m = task === 'multiclass-classification' ? /^recall_class_(\d+)$/.exec(name) : null;
    if (m) {
      const cls = Number(m[1]);
      if (cls < k) return { name, code: METRIC.recallClass, cls };
      throw new InputError(
        `${prefix(source)}metric '${name}': class ${cls} does not exist (the model has ${k} classes, 0..${k - 1})`,
      );
    }
    throw new InputError(
      `${prefix(source)}unknown metric '${name}' for task ${task}; known: ${knownMetrics(task).join(', ')}`,
    );
  });
}

export function prefix(source: string | undefined): string {
  return source ? `${source}: ` : '';
}
