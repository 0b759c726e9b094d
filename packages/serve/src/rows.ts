import { InputError } from '@mlops-actions/core';
import type { Feed, RawTensor } from '@mlops-actions/inference';
import { decodeTensorData } from './datatypes.js';
import { badRequest } from './errors.js';
import type { TensorMetadata } from './model.js';

const LABEL_NAMES = ['label', 'output_label', 'labels', 'predicted_label'];
const PROBA_NAMES = ['probabilities', 'output_probability', 'probability', 'probs', 'proba'];
const isFloat = (t: TensorMetadata): boolean => t.type === 'float32' || t.type === 'float64';

/** Which outputs answer /predict's labels, probabilities and scores. */
export interface OutputRoles {
  label?: string;
  probabilities?: string;
  score?: string;
}

export function outputRoles(outputs: readonly TensorMetadata[]): OutputRoles {
  const rank1 = (t: TensorMetadata): boolean =>
    t.shape.length === 1 || (t.shape.length === 2 && (t.shape[1] === 1 || t.shape[1] === -1));
  const label =
    outputs.find((o) => LABEL_NAMES.includes(o.name)) ?? outputs.find((o) => !isFloat(o) && rank1(o));
  const probabilities =
    outputs.find((o) => o !== label && isFloat(o) && PROBA_NAMES.includes(o.name)) ??
    outputs.find((o) => o !== label && isFloat(o) && o.shape.length === 2 && o.shape[1]! >= 2);
  const score = outputs.find((o) => o !== label && o !== probabilities && isFloat(o) && rank1(o));
  return { label: label?.name, probabilities: probabilities?.name, score: score?.name };
}

type Scalar = number | string | boolean | null;

function scalar(t: RawTensor, i: number): Scalar {
  const v = t.data[i];
  if (typeof v === 'bigint') return Number(v);
  if (t.type === 'bool') return v === 1;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return v ?? null;
}

export interface RowPrediction {
  label?: number | string;
  probabilities?: number[];
  score?: number;
}

/** Per-row labels/probabilities/scores read from fetched outputs (rows = the batch dimension). */
export function interpretRows(
  roles: OutputRoles,
  outputs: Record<string, RawTensor>,
  rows: number,
): RowPrediction[] {
  const out: RowPrediction[] = Array.from({ length: rows }, () => ({}));
  const proba = roles.probabilities !== undefined ? outputs[roles.probabilities] : undefined;
  const k = proba !== undefined && rows > 0 ? proba.data.length / rows : 0;
  if (proba !== undefined && Number.isInteger(k) && k > 0) {
    for (let r = 0; r < rows; r++) {
      const p: number[] = [];
      for (let j = 0; j < k; j++) p.push(Number(proba.data[r * k + j]));
      out[r]!.probabilities = p;
      if (k === 2) out[r]!.score = p[1]!;
    }
  }
  const score = roles.score !== undefined ? outputs[roles.score] : undefined;
  if (score !== undefined && score.data.length === rows) {
    for (let r = 0; r < rows; r++) out[r]!.score ??= Number(score.data[r]);
  }
  const label = roles.label !== undefined ? outputs[roles.label] : undefined;
  if (label !== undefined && label.data.length === rows) {
    for (let r = 0; r < rows; r++) {
      const v = scalar(label, r);
      if (typeof v === 'number' || typeof v === 'string') out[r]!.label = v;
    }
  } else if (proba !== undefined) {
    for (const row of out) {
      const p = row.probabilities;
      if (p !== undefined) row.label = p.indexOf(Math.max(...p));
    }
  }
  return out;
}

/** How /predict's rows become feeds: one [N, d] matrix input, or one input per feature. */
export type RowPlan =
  | { kind: 'matrix'; input: TensorMetadata; features: string[] | undefined; d: number }
  | { kind: 'columns'; inputs: TensorMetadata[]; features: string[] };

export function planRows(
  model: string,
  inputs: readonly TensorMetadata[],
  featureNames?: readonly string[],
): RowPlan {
  const columnsOk = (t: TensorMetadata): boolean =>
    t.shape.length === 1 || (t.shape.length === 2 && (t.shape[1] === 1 || t.shape[1] === -1));
  if (
    inputs.length === 1 &&
    inputs[0]!.shape.length === 2 &&
    !(featureNames?.length === 1 && featureNames[0] === inputs[0]!.name)
  ) {
    const input = inputs[0]!;
    const width = input.shape[1]!;
    if (featureNames !== undefined && width >= 0 && width !== featureNames.length) {
      throw new InputError(
        `${model}: input '${input.name}' takes ${width} features but ${featureNames.length} feature names were given`,
        { file: model },
      );
    }
    const d = width >= 0 ? width : (featureNames?.length ?? -1);
    return { kind: 'matrix', input, features: featureNames ? [...featureNames] : undefined, d };
  }
  if (inputs.length >= 1 && inputs.every(columnsOk)) {
    const names = inputs.map((i) => i.name);
    if (featureNames !== undefined) {
      const missing = featureNames.filter((f) => !names.includes(f));
      if (missing.length > 0 || featureNames.length !== names.length) {
        throw new InputError(
          `${model}: the model has one input per feature (${names.join(', ')}), which do not match the feature names given` +
            (missing.length > 0 ? ` (no input for ${missing.join(', ')})` : ''),
          { file: model },
        );
      }
    }
    return { kind: 'columns', inputs: [...inputs], features: names };
  }
  return { kind: 'matrix', input: inputs[0]!, features: undefined, d: -2 };
}

export interface PredictRequest {
  id?: string;
  rows: unknown[];
}

export function parsePredictBody(body: unknown): PredictRequest {
  if (Array.isArray(body)) return { rows: body };
  if (body === null || typeof body !== 'object') {
    throw badRequest('the body must be a JSON object {"rows": [...]} or an array of rows');
  }
  const b = body as Record<string, unknown>;
  const rows = b.rows ?? b.instances;
  if (!Array.isArray(rows))
    throw badRequest('the body needs "rows": an array of objects keyed by feature name');
  if (b.id !== undefined && typeof b.id !== 'string') throw badRequest('"id" must be a string');
  return { id: b.id as string | undefined, rows };
}

function cell(row: Record<string, unknown>, name: string, r: number): unknown {
  if (!Object.hasOwn(row, name)) throw badRequest(`rows[${r}] has no feature '${name}'`);
  const v = row[name];
  return v === null ? Number.NaN : v;
}

/** Rows (objects keyed by feature name, or arrays in feature order) → feeds with the batch dimension first. */
export function rowsToFeeds(plan: RowPlan, rows: readonly unknown[]): Feed[] {
  const n = rows.length;
  if (plan.kind === 'matrix') {
    const { input, features } = plan;
    if (plan.d === -2) {
      throw badRequest(
        `/predict cannot feed this model's inputs (${input.name} ${JSON.stringify(input.shape)}); use /infer`,
      );
    }
    let d = plan.d;
    if (d < 0) {
      const first = rows[0];
      if (Array.isArray(first)) d = first.length;
      else if (n > 0)
        throw badRequest(`the server knows no feature names for input '${input.name}'; send rows as arrays`);
      else d = 0;
    }
    const flat = new Array<unknown>(n * d);
    for (let r = 0; r < n; r++) {
      const row = rows[r];
      if (Array.isArray(row)) {
        if (row.length !== d)
          throw badRequest(`rows[${r}] has ${row.length} values; the model takes ${d} features`);
        for (let j = 0; j < d; j++) flat[r * d + j] = row[j] === null ? Number.NaN : row[j];
      } else if (row !== null && typeof row === 'object') {
        if (features === undefined) {
          throw badRequest(
            `the server knows no feature names for input '${input.name}' (start it with --features-from); send rows as arrays`,
          );
        }
        for (let j = 0; j < d; j++) flat[r * d + j] = cell(row as Record<string, unknown>, features[j]!, r);
      } else {
        throw badRequest(`rows[${r}] must be an object keyed by feature name or an array of values`);
      }
    }
    return [
      {
        name: input.name,
        type: input.type,
        dims: [n, d],
        data: decodeTensorData('rows', input.datatype, input.type, [n, d], n * d, flat),
      },
    ];
  }
  return plan.inputs.map((input) => {
    const values = rows.map((row, r) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw badRequest(`rows[${r}] must be an object keyed by feature name`);
      }
      return cell(row as Record<string, unknown>, input.name, r);
    });
    const dims = input.shape.length === 1 ? [n] : [n, 1];
    return {
      name: input.name,
      type: input.type,
      dims,
      data: decodeTensorData(`feature '${input.name}'`, input.datatype, input.type, dims, n, values),
    };
  });
}
