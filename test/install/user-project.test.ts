import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsideDir, packTarball, repoRoot, sh, show, userEnv } from './helpers.js';

// The trainer needs Debian's python3-onnx: /usr/bin first, as on a machine without pyenv.
const env = userEnv({ PATH: `/usr/bin:/bin:${userEnv().PATH}` });
let tgz = '';
let project = '';

beforeAll(() => {
  tgz = packTarball();
  project = outsideDir('mlops-user-project-');
  cpSync(path.join(repoRoot, 'examples/user-project'), project, {
    recursive: true,
    filter: (p) =>
      !/[/\\](node_modules|artifacts|baseline|\.mlops)([/\\]|$)/.test(path.relative(repoRoot, p)),
  });
  cpSync(tgz, path.join(project, path.basename(tgz)));
}, 300_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
  if (tgz) rmSync(path.dirname(tgz), { recursive: true, force: true });
});

const run = (cmd: string, ...args: string[]) => sh(cmd, args, project, env);

/** `npx mlops init` once the bundled CLI has the command; until then the same command object, from source. */
function init(args: string[]) {
  const help = run('npx', 'mlops', 'init', '--help');
  if (help.code === 0) return { via: 'npx mlops init', ...run('npx', 'mlops', 'init', ...args) };
  const script = path.join(project, '.init-from-source.mts');
  writeFileSync(
    script,
    `import { initCommand } from ${JSON.stringify(path.join(repoRoot, 'packages/cli/src/commands/init.ts'))};\n` +
      `process.exitCode = await initCommand.run(process.argv.slice(2));\n`,
  );
  try {
    return {
      via: 'init.ts (not yet in the bundle)',
      ...run(path.join(repoRoot, 'node_modules/.bin/tsx'), script, ...args),
    };
  } finally {
    rmSync(script);
  }
}

describe("a user's project, outside the repository, with nothing but the tarball", () => {
  it(
    'npm install ./mlops-actions-*.tgz && mlops init && mlops run writes the report',
    { timeout: 900_000 },
    () => {
      const install = run('npm', 'install', `./${path.basename(tgz)}`);
      expect(install.code, show(install)).toBe(0);
      expect(install.stderr).not.toMatch(/Unknown (env|project) config/);

      for (const [out, epochs] of [
        ['baseline/model.onnx', '5'],
        ['artifacts/model.onnx', '300'],
      ] as const) {
        const t = run('python3', 'train.py', '--out', out, '--epochs', epochs);
        expect(t.code, show(t)).toBe(0);
      }

      const written = init([
        '--model',
        'artifacts/model.onnx',
        '--data',
        'data/eval.csv',
        '--baseline',
        'baseline/model.onnx',
        '--train',
        'python3 train.py --out artifacts/model.onnx',
        '--name',
        'breast-cancer',
      ]);
      expect(written.code, `${written.via}\n${show(written)}`).toBe(0);
      expect(written.stdout).toMatch(/label: 'malignant'/);
      expect(written.stdout).toMatch(/task: binary-classification/);
      expect(written.stdout).toMatch(/wrote mlops\.yml/);
      // The package is installed, so the schema comment points into node_modules.
      expect(readFileSync(path.join(project, 'mlops.yml'), 'utf8').split('\n')[0]).toBe(
        '# yaml-language-server: $schema=./node_modules/mlops-actions/schemas/mlops.schema.json',
      );
      expect(existsSync(path.join(project, 'node_modules/mlops-actions/schemas/mlops.schema.json'))).toBe(
        true,
      );

      const validate = run('npx', 'mlops', 'validate');
      expect(validate.code, show(validate)).toBe(0);

      const pipeline = run('npx', 'mlops', 'run');
      expect(pipeline.code, show(pipeline)).toBe(0);
      expect(pipeline.stdout + pipeline.stderr).not.toMatch(/npm warn/);
      for (const f of ['train.json', 'evaluate.json', 'report.md']) {
        expect(existsSync(path.join(project, '.mlops', f)), f).toBe(true);
      }
      const evaluate = JSON.parse(readFileSync(path.join(project, '.mlops/evaluate.json'), 'utf8'));
      expect(evaluate.status).toBe('passed');
      expect(evaluate.values.roc_auc.baseline).toBeTypeOf('number');
      expect(evaluate.values.roc_auc.candidate).toBeGreaterThan(0.9);
      const report = readFileSync(path.join(project, '.mlops/report.md'), 'utf8');
      expect(report).toMatch(/breast-cancer/);
      expect(report).toMatch(/roc_auc/);

      // A second run restores the model from the train cache instead of training again.
      const again = run('npx', 'mlops', 'run');
      expect(again.code, show(again)).toBe(0);
      const train = JSON.parse(readFileSync(path.join(project, '.mlops/train.json'), 'utf8'));
      expect(train.summary).toMatch(/restored .* from the train cache/);
    },
  );
});
