import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import {
  readStageResult,
  readStageResults,
  validateStageResult,
  writeStageResult,
} from '../../packages/core/src/stage-result/index.js';
import type { StageResult } from '../../packages/core/src/stage-result/index.js';

/** Every optional field filled, so the type (checked by tsc) and the schema must both accept it. */
const FULL: StageResult = {
  schemaVersion: 1,
  stage: 'evaluate',
  status: 'failed',
  summary: '3 of 4 gates passed; roc_auc dropped significantly',
  specDigest: 'a'.repeat(64),
  model: { name: 'churn', path: 'artifacts/model.onnx', sha256: 'b'.repeat(64) },
  baselineModel: { source: 'artifact:main', path: 'baseline.onnx', sha256: 'c'.repeat(64) },
  inputs: { model: { path: 'artifacts/model.onnx', sha256: 'b'.repeat(64), bytes: 1234 } },
  headline: 'roc_auc',
  values: {
    roc_auc: {
      candidate: 0.87,
      baseline: 0.89,
      delta: -0.02,
      ci: [-0.03, -0.01],
      ciLevel: 0.95,
      pValue: 0.01,
      direction: 'higher-is-better',
      unit: 'ratio',
    },
    rows: { candidate: null },
  },
  slices: [{ column: 'region', value: 'EU', rows: 812, values: { roc_auc: { candidate: 0.85 } } }],
  tests: [
    {
      file: 'reports/junit.xml',
      total: 10,
      passed: 9,
      failed: 1,
      errored: 0,
      skipped: 0,
      durationSeconds: 1.5,
      failures: [{ name: 'test_model.test_shape', message: 'assert 2 == 3' }],
    },
  ],
  verdicts: [
    {
      gate: 'roc_auc >= 0.8',
      kind: 'metric',
      status: 'pass',
      reason: 'roc_auc 0.870 >= min 0.800',
      metric: 'roc_auc',
      slice: 'region=EU',
      observed: 0.87,
      threshold: 0.8,
    },
  ],
  artifacts: [{ name: 'report', path: '.mlops/report.md', sha256: 'd'.repeat(64), url: 'https://x' }],
  timings: {
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:03.000Z',
    durationMs: 3000,
    phases: { inference: 812 },
  },
  git: { commit: 'abc', ref: 'refs/heads/main', dirty: false },
  run: { url: 'https://github.com/o/r/actions/runs/1', id: '1', workflow: 'pr.yml' },
  tool: { name: 'mlops-actions', version: '0.1.0', node: 'v20.20.2' },
  details: { histogram: [1, 2, 3] },
  error: 'none',
};

const minimal = (stage: StageResult['stage']): StageResult => ({
  schemaVersion: 1,
  stage,
  status: 'passed',
  summary: 'ok',
  inputs: {},
  values: {},
  verdicts: [],
  artifacts: [],
  timings: { startedAt: 'a', finishedAt: 'b', durationMs: 1 },
  tool: { name: 'mlops-actions', version: '0.1.0', node: 'v20' },
});

describe('stage-result schema', () => {
  it('accepts a result with every field and a minimal one', () => {
    expect(validateStageResult(FULL)).toEqual({ ok: true, result: FULL });
    expect(validateStageResult(minimal('train')).ok).toBe(true);
  });

  it('rejects broken results naming the field', () => {
    const broken = {
      ...minimal('evaluate'),
      stage: 'Evaluate!',
      timings: { startedAt: 'a', finishedAt: 'b', durationMs: '12' },
      values: { roc_auc: { candidat: 0.8 } },
      extra: 1,
    };
    const r = validateStageResult(broken);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toEqual([
      "(top level): unknown key 'extra'; allowed keys: schemaVersion, stage, status, summary, specDigest, model, baselineModel, inputs, headline, values, slices, tests, verdicts, artifacts, timings, git, run, tool, details, error",
      "stage: invalid stage 'Evaluate!'",
      "values.roc_auc: unknown key 'candidat'; did you mean 'candidate'?",
      "timings.durationMs: expected a number, got string '12'",
    ]);
  });
});

describe('stage-result files', () => {
  it('writes <dir>/<stage>.json atomically (creating dir) and reads it back', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'sr-')), 'nested', '.mlops');
    const file = await writeStageResult(dir, FULL);
    expect(file).toBe(join(dir, 'evaluate.json'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(FULL);
    expect(await readdir(dir)).toEqual(['evaluate.json']);
    expect(await readStageResult(dir, 'evaluate')).toEqual(FULL);
    expect(await readStageResult(dir, 'train')).toBeUndefined();
  });

  it('refuses to write an invalid result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sr-'));
    const bad = { ...minimal('train'), status: 'ok' } as unknown as StageResult;
    await expect(writeStageResult(dir, bad)).rejects.toThrow(/status: unknown status 'ok'/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads all results (by name; the report orders them), ignoring JSON without a stage key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sr-'));
    await writeStageResult(dir, minimal('promote'));
    await writeStageResult(dir, minimal('train'));
    await writeStageResult(dir, minimal('load-test'));
    await writeFile(join(dir, 'other.json'), '{"name": "not a result"}');
    await writeFile(join(dir, 'list.json'), '[1, 2]');
    await writeFile(join(dir, 'notes.txt'), 'x');
    const results = await readStageResults(dir);
    expect(results.map((r) => r.stage)).toEqual(['load-test', 'promote', 'train']);
    expect(await readStageResults(join(dir, 'missing'))).toEqual([]);
  });

  it('an invalid result file is an InputError naming the file and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sr-'));
    await writeFile(join(dir, 'evaluate.json'), JSON.stringify({ ...minimal('evaluate'), summary: 5 }));
    const err = await readStageResults(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      `${join(dir, 'evaluate.json')}: not a valid stage result: summary: expected a string, got number 5`,
    );
    await expect(readStageResult(dir, 'evaluate')).rejects.toThrow(/summary: expected a string/);
  });

  it('unparsable JSON and a mismatched stage are errors naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sr-'));
    await writeFile(join(dir, 'train.json'), '{ nope');
    await expect(readStageResults(dir)).rejects.toThrow(`${join(dir, 'train.json')}: not valid JSON`);
    await writeFile(join(dir, 'train.json'), JSON.stringify(minimal('deploy')));
    await expect(readStageResult(dir, 'train')).rejects.toThrow(
      `${join(dir, 'train.json')}: holds the 'deploy' result, expected 'train'`,
    );
    await writeFile(join(dir, 'train.json'), '{"foo": 1}');
    await expect(readStageResult(dir, 'train')).rejects.toThrow("not a stage result (no 'stage' key)");
  });
});
