/**
 * Trains the breast-cancer classifier: L2-regularised logistic regression on standardised
 * features, fitted by L-BFGS, exported to ONNX (input float_input; outputs label, probabilities).
 *
 *   npx tsx train.ts --variant candidate|baseline --out artifacts/model.onnx \
 *     --metrics artifacts/train-metrics.json --params params.yml
 */
import { linearClassifierModel, predictLinearClassifier } from '@mlops-actions/onnx-build';
import type { LinearClassifierParams } from '@mlops-actions/onnx-build';
import { isMain, parseTrainArgs, runMain } from '../lib/cli.js';
import { readDataset } from '../lib/csv.js';
import type { Dataset } from '../lib/csv.js';
import { accuracy, logLoss, round } from '../lib/metrics.js';
import { fitLogistic } from '../lib/models.js';
import { expandWeights, writeOutputs } from '../lib/output.js';
import { featureList, positiveInteger, positiveNumber, readParams, section } from '../lib/params.js';
import { fitStandardiser, standardise } from '../lib/standardise.js';

export const LABEL = 'malignant';

export interface Settings {
  C: number;
  maxIter: number;
  tolerance: number;
  /** Columns the model may use; the others get weight 0 but stay model inputs. */
  features: string[];
}

export function loadSettings(file: string, variant: 'candidate' | 'baseline', columns: string[]): Settings {
  const p = readParams(file);
  const common = {
    maxIter: positiveInteger(file, p, 'max-iter'),
    tolerance: positiveNumber(file, p, 'tolerance'),
  };
  if (variant === 'candidate') return { ...common, C: positiveNumber(file, p, 'C'), features: columns };
  const b = section(file, p, 'baseline');
  return {
    ...common,
    C: positiveNumber(file, b, 'C', 'baseline.'),
    features: featureList(file, b, 'features', columns, 'baseline.'),
  };
}

export interface Trained {
  model: Uint8Array;
  params: LinearClassifierParams;
  metrics: Record<string, number | boolean | string>;
}

export function checkBinaryLabels(data: Dataset): void {
  data.y.forEach((v, i) => {
    if (v !== 0 && v !== 1)
      throw new Error(`${data.file}:${i + 2}: column '${data.label}' must be 0 or 1, got ${v}`);
  });
}

export function train(data: Dataset, settings: Settings, log: (line: string) => void = () => {}): Trained {
  checkBinaryLabels(data);
  const scaler = fitStandardiser(data.X);
  const selected = settings.features.map((f) => data.features.indexOf(f));
  const Xs = standardise(data.X, scaler).map((row) => selected.map((j) => row[j]!));
  log(
    `fitting logistic regression: ${data.X.length} rows, ${selected.length} of ${data.features.length} features, C=${settings.C}`,
  );
  const fit = fitLogistic(Xs, data.y, {
    C: settings.C,
    maxIter: settings.maxIter,
    tolerance: settings.tolerance,
    onIteration: (i, value, grad) => {
      if (i % 10 === 0)
        log(`  iteration ${i}: objective ${value.toFixed(6)}, max |gradient| ${grad.toExponential(2)}`);
    },
  });
  log(
    `${fit.converged ? 'converged' : 'did NOT converge'} after ${fit.iterations} iterations (objective ${fit.objective.toFixed(6)})`,
  );
  const params: LinearClassifierParams = {
    weights: [expandWeights(fit.weights[0]!, selected, data.features.length)],
    intercepts: fit.intercepts,
    mean: scaler.mean,
    scale: scaler.scale,
  };
  // Metrics of the exported float32 model, not of the float64 fit.
  const predicted = predictLinearClassifier(params, data.X);
  const metrics = {
    train_accuracy: round(accuracy(data.y, predicted.label)),
    train_log_loss: round(logLoss(data.y, predicted.probabilities)),
    iterations: fit.iterations,
    converged: fit.converged ? 1 : 0,
    objective: round(fit.objective, 8),
    C: settings.C,
    features: selected.length,
    rows: data.X.length,
  };
  return { model: linearClassifierModel(params), params, metrics };
}

if (isMain(import.meta.url)) {
  runMain(() => {
    const args = parseTrainArgs(process.argv.slice(2));
    const data = readDataset(args.train, LABEL);
    console.log(`read ${data.X.length} rows × ${data.features.length} features from ${args.train}`);
    const settings = loadSettings(args.params, args.variant, data.features);
    const trained = train(data, settings, (line) => console.log(line));
    writeOutputs(args.out, trained.model, args.metrics, trained.metrics);
    console.log(
      `train accuracy ${trained.metrics.train_accuracy}, log loss ${trained.metrics.train_log_loss}`,
    );
    console.log(`wrote ${args.out} (${trained.model.length} bytes) and ${args.metrics}`);
  });
}
