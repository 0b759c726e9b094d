import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../packages/cli/src/main.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/runner.js';

const fixture = (name: string) => join(REPO_ROOT, 'test', 'fixtures', 'specs', name);

describe('mlops (usage and exit codes)', () => {
  it('prints usage and exits 2 without a command, 0 with --help', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/Usage: mlops <command>/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.name);
  });

  it('answers --help on every command with its usage and exit codes', async () => {
    for (const c of COMMANDS) {
      const r = await runCli([c.name, '--help']);
      expect(r.code, c.name).toBe(0);
      expect(r.stdout, c.name).toMatch(new RegExp(`Usage:[\\s\\S]*mlops ${c.name}`));
      expect(r.stdout, c.name).toMatch(/Exit codes:/);
    }
  });

  it('rejects an unknown command and an unknown option with exit 2', async () => {
    const unknown = await runCli(['evalute']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'evalute'/);
    const option = await runCli(['validate', '--spek', 'x.yml']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/mlops validate: Unknown option '--spek'/);
  });
});

describe('mlops validate', () => {
  it('accepts every example spec (exit 0)', async () => {
    for (const name of ['breast-cancer', 'wine', 'diabetes']) {
      const r = await runCli(['validate', '--spec', join(REPO_ROOT, 'examples', name, 'mlops.yml')]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/valid \(stages: train, evaluate/);
    }
  });

  it('prints one file:line:col line per problem and exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-'));
    const file = join(dir, 'mlops.yml');
    await writeFile(
      file,
      [
        'version: 1',
        'model:',
        '  name: churn',
        '  path: model.onnx',
        '  task: binary-classification',
        'data:',
        '  eval: { path: eval.csv, label: y }',
        'evaluate:',
        '  metrics: [roc_auc]',
        '  batch-size: many',
        '  gates:',
        '    - { metirc: roc_auc, min: 0.8 }',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', '--spec', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:\\d+: evaluate\\.batch-size: expected an integer, got string .many.`,
      ),
    );
    expect(lines[1]).toMatch(/:12:\d+: evaluate\.gates\[0\]: .*'metirc'.*did you mean 'metric'\?/);
  });

  it('reports a misspelt key, a wrong type and a YAML syntax error in one run (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-'));
    const file = join(dir, 'mlops.yml');
    await writeFile(
      file,
      [
        'version: 1',
        'model: { name: churn, path: model.onnx, task: binary-classification }',
        'data: { eval: { path: eval.csv, label: y } }',
        'evaluate:',
        '  batch-size: many',
        '  gates:',
        '    - { metirc: roc_auc, min: 0.8 }',
        'report:',
        '  title: "unclosed',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', '--spec', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/mlops\.yml:5:\d+: evaluate\.batch-size: expected an integer/);
    expect(lines[1]).toMatch(
      /mlops\.yml:7:\d+: evaluate\.gates\[0\]: unknown key 'metirc'; did you mean 'metric'\?/,
    );
    expect(lines[2]).toMatch(/mlops\.yml:\d+:\d+: YAML syntax error: Missing closing "quote/);
  });

  it('reports a YAML syntax error with its position (exit 2)', async () => {
    const r = await runCli(['validate', '--spec', fixture('syntax-error.yml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/syntax-error\.yml:\d+:\d+: /);
  });

  it('reports a missing spec file (exit 2)', async () => {
    const r = await runCli(['validate', '--spec', '/nonexistent/mlops.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/mlops\.yml: cannot read spec/);
  });
});

describe('mlops gate', () => {
  async function resultsWith(files: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gate-'));
    for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(body));
    return dir;
  }
  const fixtureResult = async (name: string) =>
    JSON.parse(
      await readFile(join(REPO_ROOT, 'test', 'fixtures', 'results', `${name}.json`), 'utf8'),
    ) as unknown;

  it('exits 0 when every verdict passed and 1 when one failed', async () => {
    const ok = await runCli([
      'gate',
      '--results',
      await resultsWith({ 'evaluate.json': await fixtureResult('evaluate-pass') }),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/PASS/);
    const bad = await runCli([
      'gate',
      '--results',
      await resultsWith({ 'evaluate.json': await fixtureResult('evaluate-fail') }),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL/);
  });

  it('exits 2 on an empty directory or a broken result file', async () => {
    const empty = await runCli(['gate', '--results', await resultsWith({})]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no stage results/);
    const broken = await runCli([
      'gate',
      '--results',
      await resultsWith({ 'evaluate.json': { stage: 'evaluate' } }),
    ]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/evaluate\.json/);
  });
});

describe('mlops report', () => {
  async function fixtureResults(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const files: [string, string][] = [
      ['train', 'train.json'],
      ['evaluate-fail', 'evaluate.json'],
    ];
    for (const [from, to] of files) {
      await writeFile(
        join(dir, to),
        await readFile(join(REPO_ROOT, 'test', 'fixtures', 'results', `${from}.json`)),
      );
    }
    return dir;
  }

  it('prints the markdown the PR comment shows and writes it to --out', async () => {
    const dir = await fixtureResults();
    const out = join(dir, 'out.md');
    const r = await runCli(['report', '--results', dir, '--format', 'markdown', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!-- mlops-actions:report key=/);
    expect(await readFile(out, 'utf8')).toBe(`${r.stdout}`);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toBe(r.stdout);
  });

  it('renders a terminal view without markdown tables', async () => {
    const r = await runCli(['report', '--results', await fixtureResults(), '--format', 'terminal']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FAILED/i);
    expect(r.stdout).not.toMatch(/\| - \|/);
  });

  it('exits 2 without results or with a bad --format', async () => {
    const empty = await runCli(['report', '--results', await mkdtemp(join(tmpdir(), 'report-'))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no stage results to report/);
    const bad = await runCli(['report', '--results', await fixtureResults(), '--format', 'html']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be terminal or markdown/);
  });
});
