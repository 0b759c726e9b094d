import { InputError } from './input-error.js';
import { describeList, type OutputInfo } from './model-info.js';
import type { Task } from './predictions.js';

export type ScoreKind = 'probability' | 'logit' | 'auto';

export interface OutputOptions {
  /** Output with the predicted class (used only when the model has no score output). */
  label?: string;
  /** Output with class probabilities [N, k] (binary: [N, 2], [N, 1] or [N]). */
  probabilities?: string;
  /** Output with a single score / logit per row, or the regression value. */
  score?: string;
  /** How to read the chosen output; 'auto' applies sigmoid/softmax when a value lies outside [0, 1]. */
  scoreKind?: ScoreKind;
}

/** Which single output is fetched and how its values become Predictions. */
export interface OutputPlan {
  name: string;
  /** 'label': class labels one-hot encoded, for classifiers that expose nothing else. */
  role: 'scores' | 'values' | 'label';
  scoreKind: ScoreKind;
}

const SCORE_NAMES = [
  'probabilities',
  'output_probability',
  'probability',
  'probs',
  'proba',
  'scores',
  'score',
];
const LOGIT_NAMES = ['logits', 'logit'];
const LABEL_NAMES = ['label', 'output_label', 'labels'];

const isFloat = (o: OutputInfo): boolean => o.isTensor && (o.type === 'float32' || o.type === 'float64');

export function zipMapError(model: string, output: OutputInfo, outputs: readonly OutputInfo[]): InputError {
  const tensors = outputs.filter((o) => o.isTensor);
  const floats = tensors.filter(isFloat);
  const label =
    tensors.find((o) => LABEL_NAMES.includes(o.name)) ??
    tensors.find((o) => !isFloat(o) && o.type !== 'string' && o.type !== 'non-tensor');
  // A float tensor is a real alternative; a label tensor is a fallback that costs the ranking metrics.
  const instead =
    floats.length > 0
      ? `or point model.outputs.probabilities at a float tensor output (${floats.map((o) => `'${o.name}'`).join(', ')}).`
      : label !== undefined
        ? `or, to evaluate this file as it is, read the predicted label instead: ` +
          `model.outputs: { label: ${label.name}, probabilities: null }. That scores each row with its hard label ` +
          `(1/0), so accuracy, precision, recall and f1 stay exact but roc_auc, pr_auc and log_loss are computed from ` +
          `hard labels and lose their meaning.`
        : tensors.length > 0
          ? `(tensor outputs: ${tensors.map((o) => `'${o.name}' (${o.type})`).join(', ')}).`
          : 'the model has no tensor output at all.';
  return new InputError(
    `${model}: output '${output.name}' is not a tensor (a sequence of maps, as skl2onnx's ZipMap produces) and ` +
      `onnxruntime-node cannot return non-tensor outputs ("Non tensor type is temporarily not supported"). ` +
      `Re-export the model without ZipMap: skl2onnx convert_sklearn(model, ..., options={id(model): {'zipmap': False}}) ` +
      `or to_onnx(model, X, options={id(model): {'zipmap': False}}); ` +
      instead,
    { file: model },
  );
}

function pick(model: string, outputs: readonly OutputInfo[], name: string, option: string): OutputInfo {
  const out = outputs.find((o) => o.name === name);
  if (out === undefined) {
    throw new InputError(
      `${model}: ${option} names output '${name}', but the model's outputs are ${describeList(outputs)}`,
      {
        file: model,
      },
    );
  }
  if (!out.isTensor) throw zipMapError(model, out, outputs);
  return out;
}

export function planOutputs(
  model: string,
  outputs: readonly OutputInfo[],
  task: Task,
  opts: OutputOptions = {},
): OutputPlan {
  const scoreKind = opts.scoreKind ?? 'auto';
  const plan = (out: OutputInfo, role: OutputPlan['role']): OutputPlan => {
    if (role !== 'label' && !isFloat(out)) {
      throw new InputError(
        `${model}: output '${out.name}' has type ${out.type}; a score output must be float`,
        {
          file: model,
        },
      );
    }
    return { name: out.name, role, scoreKind };
  };
  const role = task === 'regression' ? 'values' : 'scores';
  if (opts.probabilities !== undefined)
    return plan(pick(model, outputs, opts.probabilities, 'outputs.probabilities'), role);
  if (opts.score !== undefined) return plan(pick(model, outputs, opts.score, 'outputs.score'), role);

  const byName = (names: readonly string[]): OutputInfo | undefined =>
    names.map((n) => outputs.find((o) => o.name === n)).find((o) => o !== undefined);
  const labelLike = new Set([...LABEL_NAMES, ...(opts.label !== undefined ? [opts.label] : [])]);
  const floats = outputs.filter((o) => isFloat(o) && !labelLike.has(o.name));

  if (task === 'regression') {
    const named = byName(['variable', 'predictions', 'prediction', 'output', 'value']);
    if (named !== undefined) {
      if (!named.isTensor) throw zipMapError(model, named, outputs);
      return plan(named, role);
    }
    if (floats.length === 1) return plan(floats[0]!, role);
    throw new InputError(
      `${model}: cannot tell which output holds the prediction; set outputs.score (outputs: ${describeList(outputs)})`,
      { file: model },
    );
  }

  // An explicitly named label output is the fallback when the scores cannot be read (e.g. ZipMap).
  const chosenLabel = (): OutputPlan | undefined =>
    opts.label !== undefined ? plan(pick(model, outputs, opts.label, 'outputs.label'), 'label') : undefined;
  const named = byName([...SCORE_NAMES, ...LOGIT_NAMES]);
  if (named !== undefined) {
    if (named.isTensor) return plan(named, role);
    const fallback = chosenLabel();
    if (fallback !== undefined) return fallback;
    throw zipMapError(model, named, outputs);
  }
  if (floats.length === 1) return plan(floats[0]!, role);
  const nonTensor = outputs.find((o) => !o.isTensor);
  if (nonTensor !== undefined) {
    const fallback = chosenLabel();
    if (fallback !== undefined) return fallback;
    throw zipMapError(model, nonTensor, outputs);
  }
  const explicit = chosenLabel();
  if (explicit !== undefined) return explicit;
  const label = floats.length === 0 ? byName(LABEL_NAMES) : undefined;
  if (label !== undefined && label.isTensor) return plan(label, 'label');
  throw new InputError(
    `${model}: cannot tell which output holds the class scores; set outputs.probabilities or outputs.score ` +
      `(outputs: ${describeList(outputs)})`,
    { file: model },
  );
}
