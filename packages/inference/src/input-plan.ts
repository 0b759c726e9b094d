import { InputError } from './input-error.js';
import { describeList, formatShape, type TensorInfo } from './model-info.js';

export type FloatType = 'float32' | 'float64';

/** How the feature matrix becomes the model's feeds. */
export type InputPlan =
  | { kind: 'matrix'; name: string; type: FloatType }
  | { kind: 'columns'; inputs: { name: string; column: number; type: FloatType; rank: number }[] };

function floatType(model: string, input: TensorInfo): FloatType {
  if (input.type === 'float32' || input.type === 'float64') return input.type;
  throw new InputError(
    `${model}: input '${input.name}' has type ${input.type}; only float32/float64 inputs can be fed from the data`,
    { file: model },
  );
}

function nameList(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  if (names.length > max) shown.push(`… (${names.length - max} more)`);
  return shown.join(', ');
}

/**
 * One 2-D float input [N, d] takes the whole matrix (`inputName` picks it when there are several);
 * a model with one input per feature (named like the columns) gets each column by name.
 */
export function planInputs(
  model: string,
  inputs: readonly TensorInfo[],
  data: { d: number; featureNames: readonly string[] },
  inputName?: string,
): InputPlan {
  const columnIndex = new Map(data.featureNames.map((f, i) => [f, i]));
  const perFeature =
    inputName === undefined &&
    inputs.length > 0 &&
    inputs.every((i) => columnIndex.has(i.name)) &&
    (inputs.length > 1 || data.d > 1);

  if (perFeature) {
    if (inputs.length !== data.d) {
      const unused = data.featureNames.filter((f) => !inputs.some((i) => i.name === f));
      throw new InputError(
        `${model}: the model has one input per feature (${inputs.length} inputs) but the data has ${data.d} features; ` +
          `no model input for ${nameList(unused)}`,
        { file: model },
      );
    }
    return {
      kind: 'columns',
      inputs: inputs.map((i) => {
        const width = i.shape.length === 2 ? i.shape[1] : 1;
        if (i.shape.length > 2 || (typeof width === 'number' && width !== 1)) {
          throw new InputError(
            `${model}: input '${i.name}' has shape ${formatShape(i.shape)}; a per-feature input must be [N] or [N, 1]`,
            { file: model },
          );
        }
        return {
          name: i.name,
          column: columnIndex.get(i.name)!,
          type: floatType(model, i),
          rank: i.shape.length || 2,
        };
      }),
    };
  }

  let input: TensorInfo | undefined;
  if (inputName !== undefined) {
    input = inputs.find((i) => i.name === inputName);
    if (input === undefined) {
      throw new InputError(
        `${model}: the model has no input '${inputName}'; its inputs are ${describeList(inputs)}`,
        {
          file: model,
        },
      );
    }
  } else if (inputs.length === 1) {
    input = inputs[0];
  } else {
    const unknown = inputs.filter((i) => !columnIndex.has(i.name)).map((i) => i.name);
    throw new InputError(
      `${model}: the model has ${inputs.length} inputs (${describeList(inputs)}); ` +
        (unknown.length < inputs.length
          ? `inputs ${nameList(unknown)} match no data feature`
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
  const type = floatType(model, chosen);
  if (chosen.shape.length !== 2) {
    throw new InputError(
      `${model}: input '${chosen.name}' has shape ${formatShape(chosen.shape)}; expected a 2-D [N, features] input`,
      { file: model },
    );
  }
  const width = chosen.shape[1];
  if (typeof width === 'number' && width !== data.d) {
    const names = data.featureNames;
    const shown =
      names.length <= 6 ? nameList(names) : `${nameList(names.slice(0, 3))} … ${nameList(names.slice(-2))}`;
    const hint =
      width > data.d
        ? 'is a feature column missing from the data, or listed in extraColumns/id?'
        : 'did the label, an id or a slice column end up among the features?';
    throw new InputError(
      `${model}: model expects ${width} features in input '${chosen.name}' (shape ${formatShape(chosen.shape)}) ` +
        `but the data has ${data.d} (${shown}): ${hint}`,
      { file: model },
    );
  }
  return { kind: 'matrix', name: chosen.name, type };
}
