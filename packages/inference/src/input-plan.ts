import { InputError } from './input-error.js';
import type { TensorType } from './tensors.js';
import { describeList, formatShape, type TensorInfo } from './model-info.js';

export type FloatType = 'float32' | 'float64';

/** Element types a per-column input can be fed from a data column (ORT's names). */
export type ColumnType = TensorType;

const COLUMN_TYPES = new Set<string>([
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
  'string',
]);

export interface ColumnFeed {
  name: string;
  /** Index of the data feature that feeds it. */
  column: number;
  type: ColumnType;
  /** 1: [N]; 2: [N, 1]. */
  rank: number;
}

/**
 * How the feature matrix becomes the model's feeds. `batch` is set when the model declares a fixed
 * batch dimension (onnxmltools' XGBoost models: [1, 64]); every run then has exactly that many rows.
 */
export type InputPlan =
  | { kind: 'matrix'; name: string; type: FloatType; batch?: number }
  | { kind: 'columns'; inputs: ColumnFeed[]; batch?: number };

const SUPPORTED_SHAPES =
  'evaluate takes tabular models: one 2-D input [N, features], or one [N] / [N, 1] input per data column';

function nameList(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  if (names.length > max) shown.push(`… (${names.length - max} more)`);
  return shown.join(', ');
}

/** A per-column input: rank 1 or 2 with a second dimension of 1 (or unknown). */
function isColumnShaped(input: TensorInfo): boolean {
  if (input.shape.length === 1) return true;
  if (input.shape.length !== 2) return false;
  const width = input.shape[1];
  return typeof width !== 'number' || width === 1 || width <= 0;
}

/**
 * The data columns a model takes one input per column as something other than float32: load them
 * with `LoadEvalDataOptions.textColumns` so their cells reach the model as written (strings,
 * exact int64 and float64 values, booleans) rather than as float32 numbers.
 */
export function textColumnsFor(inputs: readonly TensorInfo[]): string[] {
  return inputs
    .filter((i) => i.type !== 'float32' && COLUMN_TYPES.has(i.type) && isColumnShaped(i))
    .map((i) => i.name);
}

/** The batch size every run must have, when the model fixes it. */
function fixedBatch(model: string, inputs: readonly TensorInfo[]): number | undefined {
  let batch: number | undefined;
  let from: TensorInfo | undefined;
  for (const input of inputs) {
    const first = input.shape[0];
    if (typeof first !== 'number' || first <= 0) continue;
    if (batch !== undefined && batch !== first) {
      throw new InputError(
        `${model}: inputs '${from!.name}' ${formatShape(from!.shape)} and '${input.name}' ${formatShape(input.shape)} ` +
          `declare different fixed batch sizes`,
        { file: model },
      );
    }
    batch = first;
    from = input;
  }
  return batch;
}

/**
 * One 2-D float input [N, d] takes the whole matrix (`inputName` picks it when there are several);
 * a model with one input per column (named like the columns, as skl2onnx writes a pipeline
 * converted from a DataFrame) gets each column by name, in the input's own element type.
 */
export function planInputs(
  model: string,
  inputs: readonly TensorInfo[],
  data: { d: number; featureNames: readonly string[] },
  inputName?: string,
): InputPlan {
  const columnIndex = new Map(data.featureNames.map((f, i) => [f, i]));
  const matching = inputs.filter((i) => columnIndex.has(i.name));
  const perFeature =
    inputName === undefined &&
    inputs.length > 0 &&
    matching.length === inputs.length &&
    // One input named like the only column is a column input too when it is not a float matrix.
    (inputs.length > 1 ||
      data.d > 1 ||
      inputs[0]!.shape.length === 1 ||
      (inputs[0]!.type !== 'float32' && inputs[0]!.type !== 'float64'));
  const batch = fixedBatch(model, inputs);
  const withBatch = <T extends object>(plan: T): T & { batch?: number } =>
    batch !== undefined ? { ...plan, batch } : plan;

  if (perFeature) {
    if (inputs.length !== data.d) {
      const unused = data.featureNames.filter((f) => !inputs.some((i) => i.name === f));
      throw new InputError(
        `${model}: the model has one input per column (${inputs.length} inputs) but the data has ${data.d} features; ` +
          `no model input for ${nameList(unused)} (list the model's inputs in data.eval.features)`,
        { file: model },
      );
    }
    return withBatch({
      kind: 'columns' as const,
      inputs: inputs.map((i) => {
        if (!isColumnShaped(i)) {
          throw new InputError(
            `${model}: input '${i.name}' has shape ${formatShape(i.shape)}; a per-column input must be [N] or [N, 1] ` +
              `(${SUPPORTED_SHAPES})`,
            { file: model },
          );
        }
        if (!COLUMN_TYPES.has(i.type)) {
          throw new InputError(
            `${model}: input '${i.name}' has type ${i.type}; a data column can feed ${[...COLUMN_TYPES].join(', ')}`,
            { file: model },
          );
        }
        return {
          name: i.name,
          column: columnIndex.get(i.name)!,
          type: i.type as ColumnType,
          rank: i.shape.length || 2,
        };
      }),
    });
  }

  let input: TensorInfo | undefined;
  if (inputName !== undefined) {
    input = inputs.find((i) => i.name === inputName);
    if (input === undefined) {
      throw new InputError(
        `${model}: the model has no input '${inputName}'; its inputs are ${describeList(inputs)}`,
        { file: model },
      );
    }
  } else if (inputs.length === 1) {
    input = inputs[0];
  } else {
    const unknown = inputs.filter((i) => !columnIndex.has(i.name)).map((i) => i.name);
    const oneEach = inputs.length > 1 && inputs.every(isColumnShaped);
    throw new InputError(
      `${model}: the model has ${inputs.length} inputs (${describeList(inputs)}); ` +
        (unknown.length < inputs.length || oneEach
          ? `inputs ${nameList(unknown)} match no data feature (the model takes one input per data column; ` +
            `the data's features are ${nameList(data.featureNames)})`
          : `set the input name that takes the feature matrix`),
      { file: model },
    );
  }
  if (inputs.length > 1) {
    const others = inputs.filter((i) => i !== input).map((i) => i.name);
    throw new InputError(
      `${model}: only input '${input!.name}' can be fed from the data; the model also needs ${nameList(others)}`,
      { file: model },
    );
  }
  const chosen = input!;
  if (chosen.shape.length !== 2) {
    throw new InputError(
      `${model}: input '${chosen.name}' has shape ${formatShape(chosen.shape)}; expected a 2-D [N, features] input ` +
        `(${SUPPORTED_SHAPES})`,
      { file: model },
    );
  }
  if (chosen.type !== 'float32' && chosen.type !== 'float64') {
    throw new InputError(
      `${model}: input '${chosen.name}' has type ${chosen.type}; a feature matrix input must be float32 or float64`,
      { file: model },
    );
  }
  const width = chosen.shape[1];
  if (typeof width === 'number' && width > 0 && width !== data.d) {
    const names = data.featureNames;
    const shown =
      names.length <= 6 ? nameList(names) : `${nameList(names.slice(0, 3))} … ${nameList(names.slice(-2))}`;
    const hint =
      width > data.d
        ? 'is a feature column missing from the data, or used as the id or a slice column?'
        : 'did the label, an id or a slice column end up among the features? (data.eval.features lists them)';
    throw new InputError(
      `${model}: model expects ${width} features in input '${chosen.name}' (shape ${formatShape(chosen.shape)}) ` +
        `but the data has ${data.d} (${shown}): ${hint}`,
      { file: model },
    );
  }
  return withBatch({
    kind: 'matrix' as const,
    name: chosen.name,
    type: chosen.type,
  });
}
