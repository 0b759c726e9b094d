import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspectModel } from '@mlops-actions/inference';
import { model } from './helpers.js';

describe('inspectModel', () => {
  it('lists inputs, tensor outputs, opsets, size and digest', async () => {
    const info = await inspectModel(model('linear_binary'));
    const bytes = readFileSync(model('linear_binary'));
    expect(info).toEqual({
      inputs: [{ name: 'float_input', type: 'float32', shape: ['', 30] }],
      outputs: [
        { name: 'label', type: 'int64', shape: [''], isTensor: true },
        { name: 'probabilities', type: 'float32', shape: ['', 2], isTensor: true },
      ],
      opsets: [{ domain: '', version: 13 }],
      irVersion: 8,
      producer: 'mlops-actions-fixtures',
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('marks a ZipMap output as non-tensor and reports the ai.onnx.ml opset', async () => {
    const info = await inspectModel(model('linear_binary_zipmap'));
    expect(info.outputs).toEqual([
      { name: 'output_label', type: 'int64', shape: [''], isTensor: true },
      { name: 'output_probability', type: 'non-tensor', shape: [], isTensor: false },
    ]);
    expect(info.opsets).toEqual([
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
  });

  it('lists one input per feature in graph order', async () => {
    const info = await inspectModel(model('per_feature_inputs'));
    expect(info.inputs.map((i) => i.name)).toEqual(['bp', 'age', 's1', 'bmi']);
  });
});
