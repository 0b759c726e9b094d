/**
 * Trains the diabetes progression regressor: ridge regression on standardised features, solved in
 * closed form, exported to ONNX (input float_input; output variable [N, 1]).
 *
 *   npx tsx train.ts --variant candidate|baseline --out artifacts/model.onnx \
 *     --metrics artifacts/train-metrics.json --params params.yml
 */
import { linearRegressorModel, predictLinearRegressor } from '@mlops-actions/onnx-build';
import type { LinearRegressorParams } from '@mlops-actions/onnx-build';
import { isMain, parseTrainArgs, runMain } from '../lib/cli.js';
import { readDataset } from '../lib/csv.js';
import type { Dataset } from '../lib/csv.js';
import { mae, r2, rmse, round } from '../lib/metrics.js';
import { fitRidge } from '../lib/models.js';
import { expandWeights, writeOutputs } from '../lib/output.js';
import { featureList, positiveNumber, readParams, section } from '../lib/params.js';
import { fitStandardiser, standardise } from '../lib/standardise.js';

export const LABEL = 'progression';

export interface Settings {
  alpha: number;
  /** Columns the model may use; the others get weight 0 but stay model inputs. */
  features: string[];
}

export function loadSettings(file: string, variant: 'candidate' | 'baseline', columns: string[]): Settings {
  const p = readParams(file);
  if (variant === 'candidate') return { alpha: positiveNumber(file, p, 'alpha'), features: columns };
  const b = section(file, p, 'baseline');
  return {
    alpha: positiveNumber(file, b, 'alpha', 'baseline.'),
    features: featureList(file, b, 'features', columns, 'baseline.'),
  };
}

export interface Trained {
  model: Uint8Array;
  params: LinearRegressorParams;
  metrics: Record<string, number | string>;
}

export function train(data: Dataset, settings: Settings, log: (line: string) => void = () => {}): Trained {
  const scaler = fitStandardiser(data.X);
  const selected = settings.features.map((f) => data.features.indexOf(f));
  const Xs = standardise(data.X, scaler).map((row) => selected.map((j) => row[j]!));
  log(
    `fitting ridge regression: ${data.X.length} rows, ${selected.length} of ${data.features.length} features, alpha=${settings.alpha}`,
  );
  const fit = fitRidge(Xs, data.y, settings.alpha);
  const params: LinearRegressorParams = {
    weights: expandWeights(fit.weights, selected, data.features.length),
    intercept: fit.intercept,
    mean: scaler.mean,
    scale: scaler.scale,
  };
  // Metrics of the exported float32 model, not of the float64 fit.
  const predicted = predictLinearRegressor(params, data.X);
  const metrics = {
    train_rmse: round(rmse(data.y, predicted)),
    train_mae: round(mae(data.y, predicted)),
    train_r2: round(r2(data.y, predicted)),
    alpha: settings.alpha,
    features: selected.length,
    rows: data.X.length,
  };
  return { model: linearRegressorModel(params), params, metrics };
}

if (isMain(import.meta.url)) {
  runMain(() => {
    const args = parseTrainArgs(process.argv.slice(2));
    const data = readDataset(args.train, LABEL);
    console.log(`read ${data.X.length} rows × ${data.features.length} features from ${args.train}`);
    const settings = loadSettings(args.params, args.variant, data.features);
    const trained = train(data, settings, (line) => console.log(line));
    writeOutputs(args.out, trained.model, args.metrics, trained.metrics);
    console.log(`train rmse ${trained.metrics.train_rmse}, r2 ${trained.metrics.train_r2}`);
    console.log(`wrote ${args.out} (${trained.model.length} bytes) and ${args.metrics}`);
  });
}
