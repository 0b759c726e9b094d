import { spawn } from 'node:child_process';
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { copyExamples } from '../helpers/example.js';
import { REPO_ROOT } from '../helpers/runner.js';
import type { StageResult } from '../../packages/core/src/index.js';

function spawnNode(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('mlops run on the example project', () => {
  it("the README's first command carries the model from training to production (exit 0)", async () => {
    const { root } = await copyExamples();
    // The committed bundle, as a user runs it after `npm ci`.
    const r = await spawnNode(
      [
        join(REPO_ROOT, 'packages', 'cli', 'dist', 'index.js'),
        'run',
        '--spec',
        'examples/breast-cancer/mlops.yml',
      ],
      root,
    );
    expect(r.code, r.out).toBe(0);
    const stages = ['train', 'evaluate', 'load-test', 'image', 'deploy-canary', 'promote', 'drift'];
    stages.forEach((stage, i) => expect(r.out).toContain(`[${i + 1}/${stages.length}] ${stage}: passed`));
    expect(r.out).toMatch(/mlops run: passed/);
    // Promoted by digest into the local model registry: the production tag names the candidate.
    const promoted = JSON.parse(await readFile(join(root, '.mlops', 'promote.json'), 'utf8')) as StageResult;
    const canary = JSON.parse(
      await readFile(join(root, '.mlops', 'deploy-canary.json'), 'utf8'),
    ) as StageResult;
    expect(promoted.status).toBe('passed');
    expect(canary.summary).toMatch(/^promoted to 100%/);
    const report = await readFile(join(root, '.mlops', 'report.md'), 'utf8');
    expect(report).toMatch(/## Breast cancer classifier/);
    expect(report).toMatch(/\| \*\*roc_auc\*\* \|/);
    for (const heading of ['### Load test', '### Build image', '### Promote', '### Drift'])
      expect(report).toContain(heading);
    const evaluate = JSON.parse(await readFile(join(root, '.mlops', 'evaluate.json'), 'utf8')) as StageResult;
    expect(evaluate.values.roc_auc!.candidate).toBeGreaterThan(evaluate.values.roc_auc!.baseline!);
  });

  it('a gate the candidate cannot meet makes it exit 1 naming the gate; the report is still written', async () => {
    const { example } = await copyExamples();
    const out = await mkdtemp(join(tmpdir(), 'run-out-'));
    const r = await runCli([
      'run',
      '--spec',
      join(example('breast-cancer'), 'mlops.failing.yml'),
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL roc_auc >= 0\.9999: roc_auc 0\.\d+ < min 0\.9999/);
    expect(r.stdout).toMatch(/mlops run: failed/);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/Failed/);
  });

  it('a second run with unchanged inputs restores the model from the local cache', async () => {
    const { example } = await copyExamples();
    const spec = join(example('breast-cancer'), 'mlops.yml');
    const out = await mkdtemp(join(tmpdir(), 'run-out-'));
    const first = await runCli(['train', '--spec', spec, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/train: passed: trained/);
    const model1 = await readFile(join(example('breast-cancer'), 'artifacts', 'model.onnx'));
    const second = await runCli(['train', '--spec', spec, '--out', out]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/restored breast-cancer from the train cache.*command not run/);
    expect((await readFile(join(example('breast-cancer'), 'artifacts', 'model.onnx'))).equals(model1)).toBe(
      true,
    );
  });

  it('runs the multiclass and regression examples end to end', async () => {
    const { example } = await copyExamples();
    for (const name of ['wine', 'diabetes']) {
      const out = await mkdtemp(join(tmpdir(), 'run-out-'));
      const r = await runCli(['run', '--spec', join(example(name), 'mlops.yml'), '--out', out]);
      expect(r.code, `${name}\n${r.stdout}\n${r.stderr}`).toBe(0);
    }
  });
});
