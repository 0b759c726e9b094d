import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyExamples } from '../helpers/example.js';
import { REPO_ROOT, runActionBundle } from '../helpers/runner.js';

// The committed bundles, run the way the runner runs them (CI checks they match the sources).
describe('actions through the runner contract', () => {
  let root: string;
  beforeAll(async () => {
    root = (await copyExamples()).root;
  });

  it('train → evaluate-against-baseline → metrics-report-comment on the example project', async () => {
    const spec = 'examples/breast-cancer/mlops.yml';
    const train = await runActionBundle('train', {
      cwd: root,
      inputs: { spec, 'results-dir': '.mlops', 'upload-artifact': 'false' },
    });
    expect(train.code, train.stdout + train.stderr).toBe(0);
    expect(train.stdout).toMatch(/::group::train: npx tsx train\.ts/);
    expect(train.outputs.passed).toBe('true');
    expect(train.outputs['cache-hit']).toBe('false');
    const model = await readFile(train.outputs['model-path']!);
    expect(train.outputs['model-sha256']).toBe(createHash('sha256').update(model).digest('hex'));
    const card = JSON.parse(await readFile(train.outputs['model-card']!, 'utf8')) as {
      model: { sha256: string };
    };
    expect(card.model.sha256).toBe(train.outputs['model-sha256']);

    const evaluate = await runActionBundle('evaluate-against-baseline', {
      cwd: root,
      inputs: { spec, 'results-dir': '.mlops' },
    });
    expect(evaluate.code, evaluate.stdout + evaluate.stderr).toBe(0);
    expect(evaluate.outputs.passed).toBe('true');
    expect(evaluate.outputs['headline-metric']).toBe('roc_auc');
    expect(Number(evaluate.outputs['headline-value'])).toBeGreaterThan(0.97);
    expect(Number(evaluate.outputs['headline-delta'])).toBeGreaterThan(0);
    expect(evaluate.outputs['results-file']).toBe(join(root, '.mlops', 'evaluate.json'));

    // A push: no pull request to comment on, so the report goes to the job summary.
    const report = await runActionBundle('metrics-report-comment', {
      cwd: root,
      inputs: { spec, 'results-dir': '.mlops', comment: 'update', mode: 'publish' },
      event: { ref: 'refs/heads/main', after: '0123456789abcdef0123456789abcdef01234567' },
    });
    expect(report.code, report.stdout + report.stderr).toBe(0);
    expect(report.summary).toMatch(/## Breast cancer classifier/);
    expect(report.summary).toMatch(/\| \*\*roc_auc\*\* \|/);
    expect(report.outputs['comment-action']).toBe('skipped');
    expect(report.outputs.passed).toBe('true');
    expect(await readFile(report.outputs['report-file']!, 'utf8')).toMatch(/mlops-actions:report/);
  });

  it('a failed gate fails the evaluate step with the gate named', async () => {
    const evaluate = await runActionBundle('evaluate-against-baseline', {
      cwd: root,
      inputs: { spec: 'examples/breast-cancer/mlops.failing.yml', 'results-dir': '.mlops-failing' },
    });
    // The failing spec trains nothing itself: it evaluates the model the first test trained.
    expect(evaluate.code).toBe(1);
    expect(evaluate.outputs.passed).toBe('false');
    expect(evaluate.stdout).toMatch(/::error::evaluate: 1 gate\(s\) failed: roc_auc 0\.\d+ < min 0\.9999/);
  });

  it('turns spec problems into annotations on the spec file and line', async () => {
    await writeFile(
      join(root, 'broken.yml'),
      'version: 1\nmodel:\n  name: m\n  path: m.onnx\n  task: binary-clasification\n',
    );
    const r = await runActionBundle('train', { cwd: root, inputs: { spec: 'broken.yml' } });
    expect(r.code).toBe(1);
    const annotation = r.annotations.find((a) => a.props.file === 'broken.yml');
    expect(annotation?.props.line).toBe('5');
    expect(annotation?.message).toMatch(/model\.task: .*did you mean 'binary-classification'/);
  });

  it('every stage action is built: none answers "not yet available"', async () => {
    for (const action of ['build-image', 'load-test', 'deploy-canary', 'promote', 'drift']) {
      // Without a spec each fails on its own missing input, naming it, never as an unbuilt stage.
      const r = await runActionBundle(action, { cwd: root, inputs: { spec: 'missing.yml' } });
      expect(r.code, action).toBe(1);
      expect(r.stdout, action).not.toMatch(/not yet available/);
      expect(r.stdout, action).toMatch(/::error.*missing\.yml/);
    }
  });

  it('the bundled evaluate action brings its own onnxruntime-node: installs once, then reuses the tool cache', async () => {
    // The workspace has no node_modules (a user's repository); the tool cache starts empty.
    const toolCache = await mkdtemp(join(tmpdir(), 'tool-cache-'));
    const workspace = await mkdtemp(join(tmpdir(), 'user-ws-'));
    await cp(join(REPO_ROOT, 'examples', 'breast-cancer'), workspace, {
      recursive: true,
      filter: (src) => !/node_modules|\.mlops|artifacts/.test(src),
    });
    const run = () =>
      runActionBundle('evaluate-against-baseline', {
        cwd: workspace,
        inputs: { spec: 'mlops.yml', 'results-dir': '.mlops', model: 'baseline/model.onnx' },
        env: { RUNNER_TOOL_CACHE: toolCache },
      });
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/onnxruntime-node 1\.30\.0: installed with npm into .* and verified/);
    const second = await run();
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/onnxruntime-node 1\.30\.0: from the tool cache \(.*\), verified/);
    expect(second.stdout).not.toMatch(/installed with npm/);
    expect(second.outputs.passed).toBe('true');
  });
});
