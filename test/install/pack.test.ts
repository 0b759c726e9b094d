import { copyFileSync, existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideDir, packTarball, repoRoot, sh, show, type Ran } from './helpers.js';

const example = path.join(repoRoot, 'examples/breast-cancer');
let tgz = '';
let project = '';
let install: Ran;

const SPEC = `# yaml-language-server: $schema=./node_modules/mlops-actions/schemas/mlops.schema.json
version: 1
model: { name: breast-cancer, path: model.onnx, task: binary-classification }
data: { eval: { path: eval.csv, label: malignant } }
evaluate:
  metrics: [roc_auc, accuracy, log_loss]
  headline: roc_auc
  baseline: { path: baseline.onnx }
  confidence: { method: bootstrap, replicates: 200, level: 0.95, seed: 1 }
  gates:
    - { metric: roc_auc, min: 0.9 }
    - { metric: roc_auc, max-drop: 0.01 }
report: { title: From the tarball }
`;

beforeAll(() => {
  tgz = packTarball();
  project = outsideDir('mlops-user-');
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify(
      {
        name: 'a-users-project',
        version: '1.0.0',
        private: true,
        // npm 11: onnxruntime-node's postinstall only fetches CUDA libraries; deny it without a warning.
        allowScripts: { 'onnxruntime-node': false },
      },
      null,
      2,
    ),
  );
  copyFileSync(path.join(example, 'baseline/model.onnx'), path.join(project, 'model.onnx'));
  copyFileSync(path.join(example, 'baseline/model.onnx'), path.join(project, 'baseline.onnx'));
  copyFileSync(path.join(example, 'data/eval.csv'), path.join(project, 'eval.csv'));
  writeFileSync(path.join(project, 'mlops.yml'), SPEC);
  copyFileSync(tgz, path.join(project, path.basename(tgz)));
  install = sh('npm', ['install', `./${path.basename(tgz)}`], project);
}, 900_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
  if (tgz) rmSync(path.dirname(tgz), { recursive: true, force: true });
});

function listTarball(file: string): string[] {
  const r = sh('tar', ['-tzf', file], path.dirname(file));
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

describe('npm pack → npm install ./mlops-actions-*.tgz → npx mlops', () => {
  it('the tarball holds the CLI bundle, schemas and docs, and no tests, fixtures or sources', () => {
    const files = listTarball(tgz);
    expect(files).toContain('packages/cli/dist/index.js');
    expect(files).toContain('schemas/mlops.schema.json');
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('CHANGELOG.md');
    for (const f of files) {
      expect(f).not.toMatch(/^(test|examples|bench|scripts|actions|workflows-examples)\//);
      expect(f).not.toMatch(/\.ts$|\.onnx$|\.csv$|^\.npmrc$/);
    }
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ mlops: 'packages/cli/dist/index.js' });
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository.url).toMatch(/github\.com\/mlops-actions\/mlops-actions/);
  });

  it('installs', () => {
    expect(install.code, show(install)).toBe(0);
    expect(existsSync(path.join(project, 'node_modules/.bin/mlops'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/mlops-actions/schemas/mlops.schema.json'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/onnxruntime-node/package.json'))).toBe(true);
  });

  // These two hold once package.json "dependencies" lists only onnxruntime-node (everything else is
  // bundled into packages/cli/dist by ncc, so it belongs in devDependencies): today @actions/artifact
  // brings content-type 3 (engines >=22) and onnx-proto brings protobufjs 6 (a postinstall).
  it('installs quietly: no unknown-config, engine or install-script warnings', () => {
    expect(install.stderr).not.toMatch(/Unknown (env|project|user) config/);
    expect(install.stderr).not.toMatch(/EBADENGINE|Unsupported engine/);
    expect(install.stderr).not.toMatch(/install-scripts/);
  });

  it('declares an engines range every installed package accepts', () => {
    // What the declared minimum promises must hold for the whole installed tree.
    const declared = JSON.parse(
      readFileSync(path.join(project, 'node_modules/mlops-actions/package.json'), 'utf8'),
    ).engines.node as string;
    const minimum = /^>=\s*(\d+)\.(\d+)/.exec(declared);
    expect(minimum, `engines.node '${declared}' should be a >= range`).not.toBeNull();
    const lock = JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string }; dev?: boolean }>;
    };
    const needsNewer = Object.entries(lock.packages)
      .filter(([, p]) => p.engines?.node && /^>=\s*(\d+)/.exec(p.engines.node))
      .filter(([, p]) => Number(/^>=\s*(\d+)/.exec(p.engines!.node!)![1]) > Number(minimum![1]))
      .map(([k, p]) => `${k} (${p.engines!.node})`);
    expect(needsNewer).toEqual([]);
  });

  const mlops = (...args: string[]) => sh('npx', ['mlops', ...args], project);

  it('npx mlops --version and --help', () => {
    const v = mlops('--version');
    expect(v.code, show(v)).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = mlops('--help');
    expect(h.stdout).toMatch(/Usage: mlops <command>/);
  });

  it('npx mlops validate', () => {
    const r = mlops('validate');
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/mlops\.yml: valid/);
    expect(r.stderr).not.toMatch(/npm warn/);
  });

  it('npx mlops evaluate, with onnxruntime-node from the package dependency', () => {
    const r = mlops('evaluate');
    expect(r.code, show(r)).toBe(0);
    const result = JSON.parse(readFileSync(path.join(project, '.mlops/evaluate.json'), 'utf8'));
    expect(result.status).toBe('passed');
    expect(result.values.roc_auc.candidate).toBeGreaterThan(0.9);
    expect(result.values.roc_auc.delta).toBe(0);
    // The runtime the CLI can find is the one npm installed for mlops-actions.
    const ort = realpathSync(path.join(project, 'node_modules/onnxruntime-node'));
    expect(ort.startsWith(realpathSync(project))).toBe(true);
  });

  it('npx mlops report', () => {
    const r = mlops('report', '--format', 'markdown', '--out', 'report.md');
    expect(r.code, show(r)).toBe(0);
    const md = readFileSync(path.join(project, 'report.md'), 'utf8');
    expect(md).toMatch(/roc_auc/);
  });

  it('npx mlops run', () => {
    rmSync(path.join(project, '.mlops'), { recursive: true, force: true });
    const r = mlops('run');
    expect(r.code, show(r)).toBe(0);
    expect(existsSync(path.join(project, '.mlops/evaluate.json'))).toBe(true);
    expect(existsSync(path.join(project, '.mlops/report.md'))).toBe(true);
  });

  it('a failing gate exits 1 from the installed CLI too', () => {
    writeFileSync(path.join(project, 'strict.yml'), SPEC.replace('min: 0.9', 'min: 0.99999'));
    const r = mlops('evaluate', '--spec', 'strict.yml');
    expect(r.code, show(r)).toBe(1);
  });
});
