import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { InputError } from '@mlops-actions/core';
import { inspectModel, predict } from '@mlops-actions/inference';
import { settle, tally, tempFile } from './helpers.js';

/**
 * Malformed and truncated .onnx bytes through the model loader (inspectModel, in process) and a
 * bounded number through predict (worker threads): an InputError naming the file, or a model that
 * loads and then gives finite predictions.
 */
type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

const MODELS = path.resolve(import.meta.dirname, '../fixtures/models');
const sources = ['linear_binary', 'tree_classifier', 'tabular_pipeline', 'fixed_batch1'].map((m) =>
  readFileSync(path.join(MODELS, `${m}.onnx`)),
);

const damage = fc.record({
  which: fc.integer({ min: 0, max: sources.length - 1 }),
  flips: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
});

function damaged({ which, flips, cut }: Of<typeof damage>): Buffer {
  const bytes = Buffer.from(sources[which]!);
  for (const f of flips) bytes[f.at % bytes.length] = f.byte;
  return cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
}

afterAll(() => {
  console.log(`fuzz/model: ${tally.cases} cases`);
});

describe('fuzz: ONNX model loader', () => {
  it('inspectModel: flipped bytes and truncation', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const file = tempFile(damaged(d), '.onnx');
        const out = await settle(file, () => inspectModel(file));
        if (!(out instanceof InputError)) {
          expect(out.bytes).toBeGreaterThan(0);
          expect(Array.isArray(out.inputs)).toBe(true);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('inspectModel: arbitrary bytes and protobuf-looking junk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          // Field 1 (ir_version) varint, then junk: gets past a magic-number check.
          fc.uint8Array({ maxLength: 100 }).map((b) => Uint8Array.from([0x08, 0x08, 0x12, b.length, ...b])),
        ),
        async (bytes) => {
          const file = tempFile(bytes, '.onnx');
          await settle(file, () => inspectModel(file));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('predict on damaged models: an InputError or finite predictions (bounded: each run starts a worker)', async () => {
    const data = { features: new Float32Array(30 * 4).fill(0.5), n: 4, d: 30, featureNames: [] as string[] };
    data.featureNames = Array.from({ length: 30 }, (_, j) => `f${j}`);
    await fc.assert(
      fc.asyncProperty(
        damage.map((d) => ({ ...d, which: 0 })),
        async (d) => {
          const file = tempFile(damaged(d), '.onnx');
          const out = await settle(file, () =>
            predict({ modelPath: file, data, task: 'binary-classification', threads: 1 }),
          );
          if (!(out instanceof InputError) && out.predictions.task === 'binary-classification') {
            for (const s of out.predictions.scores) expect(s >= 0 && s <= 1).toBe(true);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('hand-made: empty file, a directory, a text file, a truncated header', async () => {
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from('not a model'),
      sources[0]!.subarray(0, 8),
      Buffer.alloc(4096),
    ]) {
      const file = tempFile(bytes, '.onnx');
      expect(await settle(file, () => inspectModel(file))).toBeInstanceOf(InputError);
    }
    expect(await settle(MODELS, () => inspectModel(MODELS))).toBeInstanceOf(InputError);
  });
});
