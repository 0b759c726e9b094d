import { mkdtemp, readFile, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderStageReport as renderReport } from '../../packages/stages/src/index.js';
import type { StageResult } from '../../packages/core/src/index.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/runner.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'breast-cancer');
const EVAL_CSV = join(EXAMPLE, 'data', 'eval.csv');
const BASELINE = join(EXAMPLE, 'baseline', 'model.onnx');
// A 30-input linear classifier with fixed weights (test/fixtures/models/make_models.py): a
// different model from the baseline, so every delta is non-zero.
const CANDIDATE = join(REPO_ROOT, 'test', 'fixtures', 'models', 'linear_binary.onnx');

async function readResult(dir: string): Promise<StageResult> {
  return JSON.parse(await readFile(join(dir, 'evaluate.json'), 'utf8')) as StageResult;
}

/** A spec in a temp dir that evaluates the two models above; `extra` is appended under evaluate. */
async function specWith(extra: string[] = [], baseline = `{ path: ${BASELINE} }`): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eval-spec-'));
  await copyFile(CANDIDATE, join(dir, 'model.onnx'));
  const file = join(dir, 'mlops.yml');
  await writeFile(
    file,
    [
      'version: 1',
      'model: { name: bc, path: model.onnx, task: binary-classification }',
      `data: { eval: { path: ${EVAL_CSV}, label: malignant } }`,
      'evaluate:',
      '  metrics: [roc_auc, accuracy, log_loss, f1]',
      `  baseline: ${baseline}`,
      '  confidence: { replicates: 200, seed: 7 }',
      '  slices: [{ column: mean_radius, bins: [0, 12, 15, 100], min-size: 10 }]',
      ...extra.map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  return file;
}

describe('mlops evaluate (CLI contract without a spec)', () => {
  it('writes candidate, baseline, delta and ci for every metric', async () => {
    const out = await mkdtemp(join(tmpdir(), 'eval-out-'));
    const r = await runCli([
      'evaluate',
      '--model',
      CANDIDATE,
      '--data',
      EVAL_CSV,
      '--label',
      'malignant',
      '--task',
      'binary-classification',
      '--baseline',
      BASELINE,
      '--replicates',
      '200',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = await readResult(out);
    expect(result.stage).toBe('evaluate');
    expect(result.inputs.model!.sha256).toMatch(/^[0-9a-f]{64}$/);
    for (const name of ['accuracy', 'roc_auc', 'log_loss', 'f1']) {
      const m = result.values[name]!;
      expect(m.candidate, name).toEqual(expect.any(Number));
      expect(m.baseline, name).toEqual(expect.any(Number));
      expect(m.delta, name).toBeCloseTo(m.candidate! - m.baseline!, 12);
      expect(m.ci![0], name).toBeLessThanOrEqual(m.ci![1]);
    }
    expect(result.values.accuracy!.pValue).toBeGreaterThanOrEqual(0);
    expect(result.values.rows!.candidate).toBe(128);
    // Confusion matrices of both models at the threshold, rendered in the report.
    const confusion = result.details!.confusion as {
      labels: number[];
      candidate: number[][];
      baseline: number[][];
    };
    expect(confusion.labels).toEqual([0, 1]);
    expect(confusion.candidate.flat().reduce((a, b) => a + b, 0)).toBe(128);
    expect(confusion.baseline.flat().reduce((a, b) => a + b, 0)).toBe(128);
    const correct = confusion.candidate[0]![0]! + confusion.candidate[1]![1]!;
    expect(correct / 128).toBeCloseTo(result.values.accuracy!.candidate!, 12);
    const { markdown } = renderReport([result]);
    expect(markdown).toContain('Confusion matrix at threshold 0.5');
    expect(markdown).toContain(`| **1** | ${confusion.candidate[1]![0]} (${confusion.baseline[1]![0]}) |`);
  });

  it('names what is missing when flags are incomplete (exit 2)', async () => {
    const r = await runCli(['evaluate', '--model', CANDIDATE, '--data', EVAL_CSV]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--label, --task/);
  });

  it('rejects a missing label column with the file and the columns (exit 2)', async () => {
    const r = await runCli([
      'evaluate',
      '--model',
      CANDIDATE,
      '--data',
      EVAL_CSV,
      '--label',
      'malignent',
      '--task',
      'binary-classification',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/eval\.csv.*malignent.*malignant/s);
  });
});

describe('evaluate stage from a spec', () => {
  it('fails a gate with its reason and exits 1', async () => {
    const spec = await specWith(['gates:', '  - { metric: roc_auc, min: 0.9999 }']);
    const out = await mkdtemp(join(tmpdir(), 'eval-out-'));
    const r = await runCli(['evaluate', '--spec', spec, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL +roc_auc >= 0\.9999: roc_auc 0\.\d+ < min 0\.9999/);
    const result = await readResult(out);
    expect(result.status).toBe('failed');
    expect(result.slices!.map((s) => s.value)).toEqual(['[0, 12)', '[12, 15)', '[15, 100)']);
  });

  it('without a baseline, a change gate fails by default and warns when told to', async () => {
    const emptyStore = `{ store: ${await mkdtemp(join(tmpdir(), 'store-'))} }`;
    const failing = await specWith(['gates:', '  - { metric: roc_auc, max-drop: 0.01 }'], emptyStore);
    const out = await mkdtemp(join(tmpdir(), 'eval-out-'));
    const r = await runCli(['evaluate', '--spec', failing, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no baseline/);
    const warning = await specWith(
      ['gates:', '  - { metric: roc_auc, max-drop: 0.01, on-missing-baseline: warn }'],
      emptyStore,
    );
    const r2 = await runCli(['evaluate', '--spec', warning, '--out', out]);
    expect(r2.code).toBe(0);
    expect((await readResult(out)).verdicts[0]!.status).toBe('warn');
  });

  it('off GitHub, an artifact baseline comes from the local model store, or is missing', async () => {
    const spec = await specWith(
      ['gates:', '  - { metric: roc_auc, max-drop: 1 }'],
      '{ artifact: { workflow: pr.yml, branch: main, name: model } }',
    );
    const out = await mkdtemp(join(tmpdir(), 'eval-out-'));
    const none = await runCli(['evaluate', '--spec', spec, '--out', out]);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/local store has no .*\.model-store\/main\/model\.onnx: no baseline/);
    await mkdir(join(spec, '..', '.model-store', 'main'), { recursive: true });
    await copyFile(BASELINE, join(spec, '..', '.model-store', 'main', 'model.onnx'));
    const found = await runCli(['evaluate', '--spec', spec, '--out', out]);
    expect(found.code, found.stdout + found.stderr).toBe(0);
    const result = await readResult(out);
    expect(result.baselineModel!.source).toBe(
      "local store main (stand-in for artifact 'model' of branch main)",
    );
    expect(result.values.roc_auc!.baseline).toEqual(expect.any(Number));
  });

  it('merging shards gives exactly the unsharded result', async () => {
    const spec = await specWith(['gates:', '  - { metric: roc_auc, max-drop: 1, significant: true }']);
    const whole = await mkdtemp(join(tmpdir(), 'eval-whole-'));
    expect((await runCli(['evaluate', '--spec', spec, '--out', whole])).code).toBe(0);
    const shards = await mkdtemp(join(tmpdir(), 'eval-shards-'));
    for (const s of ['1/3', '2/3', '3/3']) {
      const r = await runCli(['evaluate', '--spec', spec, '--shard', s, '--out', shards]);
      expect(r.code, r.stderr).toBe(0);
    }
    const merged = await mkdtemp(join(tmpdir(), 'eval-merged-'));
    const r = await runCli(['evaluate', 'merge', '--spec', spec, '--shards', shards, '--out', merged]);
    expect(r.code, r.stderr).toBe(0);
    const a = await readResult(whole);
    const b = await readResult(merged);
    // Timing-derived values differ between runs by nature; every statistic must be identical.
    const stable = (res: StageResult) => {
      const { rows_per_second: _r, latency_p50_ms: _p50, latency_p95_ms: _p95, ...values } = res.values;
      return { values, slices: res.slices, verdicts: res.verdicts };
    };
    expect(stable(b)).toEqual(stable(a));
  });

  it('refuses to merge an incomplete set of shards', async () => {
    const spec = await specWith();
    const shards = await mkdtemp(join(tmpdir(), 'eval-shards-'));
    await runCli(['evaluate', '--spec', spec, '--shard', '1/2', '--out', shards]);
    const r = await runCli(['evaluate', 'merge', '--spec', spec, '--shards', shards, '--out', shards]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing shard\(s\) 2\/2/);
  });

  it('names the ZipMap output and the fix when the model cannot be read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eval-zipmap-'));
    await mkdir(dir, { recursive: true });
    const r = await runCli([
      'evaluate',
      '--model',
      join(REPO_ROOT, 'test', 'fixtures', 'models', 'linear_binary_zipmap.onnx'),
      '--data',
      EVAL_CSV,
      '--label',
      'malignant',
      '--task',
      'binary-classification',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/zipmap/i);
  });
});
