import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import { SpecError, resolveSpecPath } from '../../packages/core/src/spec/index.js';
import { defaultMetrics } from '../../packages/metrics/src/index.js';
import {
  evaluateSpec,
  loadSpec,
  parseSpecText,
  trainConfig,
  validateSpecText,
} from '../../packages/stages/src/index.js';
import type { Spec } from '../../packages/core/src/index.js';

/** The train section as the stage reads it, with paths as the spec wrote them. */
function trainOf(spec: Spec) {
  const { specDir, specDigest, modelName, modelPath, workingDirectory, ...rest } = trainConfig(spec, {});
  void specDigest;
  void modelName;
  void modelPath;
  return { ...rest, workingDirectory: workingDirectory.slice(specDir.length + 1) || '.' };
}

const FIXTURES = 'test/fixtures/specs';
const fixture = (name: string) => `${FIXTURES}/${name}`;

/** The formatted problem lines a broken fixture produces. */
async function problemLines(name: string, env: Record<string, string> = {}): Promise<string[]> {
  const err = await loadSpec(fixture(name), { env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpecError);
  expect(err).toBeInstanceOf(InputError);
  return (err as SpecError).message.split('\n');
}

const MINIMAL = 'version: 1\nmodel: { name: m, path: m.onnx, task: regression }\n';

describe('loadSpec: broken specs name file, line, column, field', () => {
  it('misspelt keys get a suggestion, at the key', async () => {
    expect(await problemLines('misspelt-key.yml')).toEqual([
      `${FIXTURES}/misspelt-key.yml:7:3: evaluate: unknown key 'bacth-size'; did you mean 'batch-size'?`,
      `${FIXTURES}/misspelt-key.yml:9:9: evaluate.gates[0]: unknown key 'metirc'; did you mean 'metric'?`,
    ]);
  });

  it('wrong types say what was expected and what was found', async () => {
    expect(await problemLines('wrong-type.yml')).toEqual([
      `${FIXTURES}/wrong-type.yml:9:14: evaluate.threshold: expected a number, got string 'abc'`,
      `${FIXTURES}/wrong-type.yml:10:15: evaluate.batch-size: expected an integer, got number 10.5`,
      `${FIXTURES}/wrong-type.yml:12:8: train.run: expected a string, got a list`,
      `${FIXTURES}/wrong-type.yml:13:10: train.cache: expected a boolean (true or false), got string 'maybe'`,
    ]);
  });

  it('YAML syntax errors become file:line:col', async () => {
    expect(await problemLines('syntax-error.yml')).toEqual([
      `${FIXTURES}/syntax-error.yml:5:1: YAML syntax error: Missing closing "quote`,
    ]);
  });

  it('duplicate keys are errors at the second key', async () => {
    expect(await problemLines('duplicate-key.yml')).toEqual([
      `${FIXTURES}/duplicate-key.yml:6:3: model: duplicate key 'name'`,
    ]);
  });

  it('bad enum values get a suggestion or the allowed list', async () => {
    expect(await problemLines('bad-enum.yml')).toEqual([
      `${FIXTURES}/bad-enum.yml:5:9: model.task: unknown task 'binary-clasification'; did you mean 'binary-classification'?`,
      `${FIXTURES}/bad-enum.yml:7:12: report.comment: unknown comment mode 'sticky'; expected one of: update, recreate, off`,
    ]);
  });

  it('unknown metrics get "did you mean"', async () => {
    expect(await problemLines('unknown-metric.yml')).toEqual([
      `${FIXTURES}/unknown-metric.yml:12:17: evaluate.gates[1].metric: unknown metric 'acuracy'; did you mean 'accuracy'?`,
    ]);
  });

  it('undefined env vars are errors at the variable; defaults cover unset ones', async () => {
    expect(await problemLines('undefined-env.yml')).toEqual([
      `${FIXTURES}/undefined-env.yml:4:9: model.path: undefined environment variable 'MODEL_DIR' (set it, or write \${MODEL_DIR:-default})`,
      `${FIXTURES}/undefined-env.yml:7:62: train.run: undefined environment variable 'DATA_DIR' (set it, or write \${DATA_DIR:-default})`,
    ]);
    const spec = await loadSpec(fixture('undefined-env.yml'), { env: { MODEL_DIR: 'out', DATA_DIR: 'd' } });
    expect(spec.model.path).toBe('out/model.onnx');
    expect(trainOf(spec).run).toBe('python train.py --out out --data d');
  });

  it('semantic checks: task, headline, computed metrics, slice columns, formats', async () => {
    expect(await problemLines('semantic.yml')).toEqual([
      `${FIXTURES}/semantic.yml:7:17: data.eval.path: cannot tell the format of 'data/eval.txt' from its extension; set format (csv, jsonl or parquet)`,
      `${FIXTURES}/semantic.yml:10:13: evaluate.headline: headline 'f1' is not among evaluate.metrics (accuracy, roc_auc)`,
      `${FIXTURES}/semantic.yml:13:17: evaluate.gates[0].metric: metric 'rmse' does not apply to binary-classification`,
      `${FIXTURES}/semantic.yml:14:17: evaluate.gates[1].metric: metric 'pr_auc' is not computed; add it to evaluate.metrics (now: accuracy, roc_auc)`,
      `${FIXTURES}/semantic.yml:15:34: evaluate.gates[2].slice: column 'country' is not in evaluate.slices (region)`,
    ]);
  });

  it('reports every problem at once, sorted by position, with structured fields', () => {
    const text = [
      'version: 2',
      'model:',
      '  name: m',
      '  task: regresion',
      'evaluate:',
      '  gates:',
      '    - { metric: rmse }',
      '    - { metric: rmse, max-drop: lots }',
      '    - 42',
      '    - {}',
      'train: { run: x, timeout: 3 minutes }',
      '',
    ].join('\n');
    const result = validateSpecText(text, 'dir/mlops.yml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toEqual({
      file: 'dir/mlops.yml',
      line: 1,
      column: 10,
      path: 'version',
      message: 'expected 1, got number 2',
    });
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      '1:10 version: expected 1, got number 2',
      "2:1 model: missing required key 'path'",
      "4:9 model.task: unknown task 'regresion'; did you mean 'regression'?",
      "7:7 evaluate.gates[0]: needs at least one of 'min', 'max', 'max-drop' or 'max-increase'",
      "8:33 evaluate.gates[1].max-drop: invalid relative change 'lots'; expected a value like '1%', '0.5%'",
      '9:7 evaluate.gates[2]: expected a string or an object, got number 42',
      "10:7 evaluate.gates[3]: needs at least one of 'min', 'max', 'max-drop' or 'max-increase'",
      "10:7 evaluate.gates[3]: missing required key 'metric'",
      "11:27 train.timeout: invalid duration '3 minutes'; expected a value like '500ms', '30s', '5m', '1h30m'",
    ]);
  });

  it('a missing file is one problem naming it', async () => {
    const err = await loadSpec('no/such/mlops.yml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).problems).toHaveLength(1);
    expect((err as SpecError).message).toBe('no/such/mlops.yml: cannot read spec: no such file');
  });

  it('an empty file says so', () => {
    expect(() => parseSpecText('# nothing yet\n', 'mlops.yml')).toThrow(
      'mlops.yml:1:1: spec is empty; it needs at least version and model',
    );
  });

  it('a non-mapping document and missing top-level keys', () => {
    expect(() => parseSpecText('- a\n- b\n', 'mlops.yml')).toThrow(
      'mlops.yml:1:1: expected an object, got a list',
    );
    expect(() => parseSpecText('project: x\n', 'mlops.yml')).toThrow(
      "mlops.yml:1:1: missing required key 'version'\nmlops.yml:1:1: missing required key 'model'",
    );
  });

  it('suggests kebab-case for camelCase keys and lists keys when nothing is close', () => {
    const r = validateSpecText(`${MINIMAL}evaluate:\n  batchSize: 3\n  zzz: 1\n`, 'm.yml');
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([
      "unknown key 'batchSize'; did you mean 'batch-size'?",
      "unknown key 'zzz'; allowed keys: metrics, headline, threshold, batch-size, baseline, confidence, slices, gates",
    ]);
  });

  it('baselines dispatch on their key; a typo is reported against the closest form', () => {
    const r = validateSpecText(
      `${MINIMAL}data: { eval: { path: e.csv, label: y } }\nevaluate:\n  baseline: { pth: b.onnx }\n`,
      'm.yml',
    );
    expect(r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "evaluate.baseline: unknown key 'pth'; did you mean 'path'?",
    ]);
  });

  it('env vars: invalid names for train.env and the $${} escape', () => {
    const r = validateSpecText(
      `${MINIMAL}train:\n  run: echo $\${HOME} \${X:-}done\n  env: { my-var: 1 }\n`,
      'm.yml',
      {
        env: {},
      },
    );
    expect(r.ok ? [] : r.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      "5:10 train.env: invalid key 'my-var' (must match ^[A-Za-z_][A-Za-z0-9_]*$)",
    ]);
    const ok = parseSpecText(`${MINIMAL}train:\n  run: echo $\${HOME} \${X:-}done\n`, 'm.yml', { env: {} });
    expect(trainOf(ok).run).toBe('echo ${HOME} done');
  });
});

describe('loadSpec: the full fixture', () => {
  it('converts to camelCase, normalises gates, durations, rates and applies defaults', async () => {
    const spec = await loadSpec(fixture('full.yml'), { env: {} });
    const bytes = await readFile(fixture('full.yml'));
    const { createHash } = await import('node:crypto');
    expect(spec.file).toBe(resolve(fixture('full.yml')));
    expect(spec.dir).toBe(resolve(FIXTURES));
    expect(spec.digest).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(spec.project).toBe('churn-demo');
    expect(spec.model).toEqual({
      name: 'churn',
      path: 'artifacts/model.onnx',
      task: 'binary-classification',
      inputs: { name: 'float_input' },
      outputs: { label: 'label', probabilities: 'probabilities', score: null },
      classes: [0, 1],
    });
    expect(spec.data?.eval?.format).toBe('csv');
    expect(spec.data?.reference).toEqual({ path: 'data/train.parquet', format: 'parquet' });
    expect(trainOf(spec)).toEqual({
      run: 'python train.py --out artifacts/model.onnx --seed 7',
      shell: 'bash',
      workingDirectory: 'trainer',
      timeoutMs: 5_400_000,
      env: { SEED: '7', MODE: 'fast', VERBOSE: 'true' },
      inputs: ['data/train.csv', 'train.py', 'params.yml'],
      outputs: ['artifacts/model.onnx', 'artifacts/train-metrics.json'],
      params: 'params.yml',
      metrics: 'artifacts/train-metrics.json',
      cache: false,
    });
    const ev = evaluateSpec(spec)!;
    expect(ev.batchSize).toBe(1024);
    expect(ev.baseline).toEqual({ kind: 'artifact', workflow: 'pr.yml', branch: 'main', name: 'model' });
    expect(ev.confidence).toEqual({ method: 'bootstrap', replicates: 200, level: 0.9, seed: 1 });
    expect(ev.slices).toEqual([
      { column: 'region', minSize: 30 },
      { column: 'tenure', minSize: 50, bins: [0, 12, 24, 120] },
    ]);
    expect(ev.gates).toEqual([
      { kind: 'metric', metric: 'roc_auc', min: 0.8, significant: false, onMissingBaseline: 'fail' },
      {
        kind: 'metric',
        metric: 'roc_auc',
        maxDrop: { amount: 0.01, relative: false },
        significant: true,
        onMissingBaseline: 'fail',
      },
      {
        kind: 'metric',
        metric: 'log_loss',
        maxIncrease: { amount: 0.025, relative: true },
        significant: false,
        onMissingBaseline: 'warn',
      },
      {
        kind: 'metric',
        metric: 'accuracy',
        slice: 'region=EU',
        min: 0.7,
        significant: false,
        onMissingBaseline: 'fail',
      },
      { kind: 'metric', metric: 'latency_p95_ms', max: 20, significant: false, onMissingBaseline: 'fail' },
      { kind: 'tests', tests: 'reports/junit.xml', maxFailures: 0, maxErrors: 0, minTotal: 10 },
      { kind: 'expression', expression: 'rows >= 1000' },
    ]);
    expect(spec.report).toEqual({
      title: 'Churn model',
      comment: 'recreate',
      key: 'churn-demo',
      maxSlices: 5,
    });
  });

  it('env vars override ${VAR:-default}', async () => {
    const spec = await loadSpec(fixture('full.yml'), { env: { GITHUB_SHA: 'abc123', SEED: '' } });
    // An empty variable takes the default, as in the shell.
    expect(trainOf(spec).run).toContain('--seed 7');
  });

  it('fills every default of a minimal spec', async () => {
    const spec = await loadSpec(fixture('minimal.yml'), { env: {} });
    expect(spec.project).toBe('churn');
    expect(spec.report).toEqual({ title: 'Model report', comment: 'update', key: 'churn', maxSlices: 10 });
    expect(spec.data?.eval?.format).toBe('jsonl');
    expect(trainOf(spec)).toEqual({
      run: 'python train.py',
      shell: 'bash',
      workingDirectory: '.',
      env: {},
      inputs: [],
      outputs: ['artifacts/model.onnx'],
      cache: true,
      timeoutMs: 0,
      params: undefined,
      metrics: undefined,
    });
    expect(evaluateSpec(spec)).toEqual({
      metrics: defaultMetrics('regression'),
      headline: defaultMetrics('regression')[0],
      threshold: 0.5,
      batchSize: 4096,
      confidence: { method: 'bootstrap', replicates: 1000, level: 0.95, seed: 1 },
      slices: [],
      gates: [],
    });
  });

  it('gate defaults land only in the gate form that applies', () => {
    const spec = parseSpecText(
      `${MINIMAL}data: { eval: { path: e.csv, label: y } }\nevaluate:\n  gates: [{ tests: j.xml }, { expr: 'rows > 1' }, { metric: rmse, max: 1 }]\n  baseline: { store: s }\n`,
      'm.yml',
    );
    expect(evaluateSpec(spec)?.gates).toEqual([
      { kind: 'tests', tests: 'j.xml', maxFailures: 0 },
      { kind: 'expression', expression: 'rows > 1' },
      { kind: 'metric', metric: 'rmse', max: 1, significant: false, onMissingBaseline: 'fail' },
    ]);
    expect(evaluateSpec(spec)?.baseline).toEqual({ kind: 'store', store: 's', key: 'production' });
  });

  it('resolveSpecPath resolves against the spec directory', async () => {
    const spec = await loadSpec(fixture('minimal.yml'), { env: {} });
    expect(resolveSpecPath(spec, spec.model.path)).toBe(resolve(FIXTURES, 'artifacts/model.onnx'));
    expect(resolveSpecPath(spec, '/abs/x.onnx')).toBe('/abs/x.onnx');
  });

  it('the digest is of the bytes on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-'));
    await writeFile(join(dir, 'a.yml'), MINIMAL);
    await writeFile(join(dir, 'b.yml'), `${MINIMAL}# comment\n`);
    const [a, b] = await Promise.all([loadSpec(join(dir, 'a.yml')), loadSpec(join(dir, 'b.yml'))]);
    expect(a.digest).not.toBe(b.digest);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

async function findSpecs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      found.push(...(await findSpecs(p)));
    else if (e.isFile() && e.name === 'mlops.yml') found.push(p);
  }
  return found;
}

describe('every example spec validates', async () => {
  const specs = [...(await findSpecs('examples')), fixture('full.yml'), fixture('minimal.yml')];
  it.each(specs)('%s', async (file) => {
    const result = validateSpecText(await readFile(file, 'utf8'), file, { env: { GITHUB_SHA: 'x' } });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});
