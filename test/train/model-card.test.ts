import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/core/src/errors.js';
import { runTrain } from '../../packages/stages/src/train/index.js';
import type { ModelCard } from '../../packages/stages/src/train/index.js';
import { makeProject, sha256Of } from './helpers.js';

async function readCard(dir: string): Promise<ModelCard> {
  return JSON.parse(await readFile(path.join(dir, 'artifacts/model-card.json'), 'utf8')) as ModelCard;
}

describe('model card', () => {
  it('records digests equal to a fresh sha256 of every input, the model and the card', async () => {
    const p = await makeProject();
    await p.write('train.py', 'print("hi")\n');
    await p.write('params.yml', 'lr: 0.1\n');
    const result = await runTrain(
      p.config({ inputs: ['train.py', 'data'], params: 'params.yml', metrics: 'artifacts/metrics.json' }),
      p.ctx({ toolVersion: '1.2.3' }),
    );
    expect(result.status).toBe('passed');
    const card = await readCard(p.dir);
    const expectedInputs = [];
    for (const rel of ['data/train.csv', 'params.yml', 'train.py']) {
      expectedInputs.push({
        path: rel,
        sha256: await sha256Of(path.join(p.dir, rel)),
        bytes: expect.any(Number),
      });
    }
    expect(card.inputs).toEqual(expectedInputs);
    expect(result.inputs).toEqual(Object.fromEntries(card.inputs.map((d) => [d.path, d])));

    const modelSha = await sha256Of(path.join(p.dir, 'artifacts/model.onnx'));
    expect(card.model).toEqual({ name: 'churn', path: 'artifacts/model.onnx', sha256: modelSha, bytes: 64 });
    expect(result.model?.sha256).toBe(modelSha);
    expect(result.artifacts).toEqual([
      { name: 'model', path: 'artifacts/model.onnx', sha256: modelSha },
      {
        name: 'model-card',
        path: 'artifacts/model-card.json',
        sha256: await sha256Of(path.join(p.dir, 'artifacts/model-card.json')),
      },
    ]);
    // sha256sum as a second, external oracle.
    const external = execFileSync('sha256sum', ['artifacts/model.onnx'], { cwd: p.dir, encoding: 'utf8' });
    expect(external.split(' ')[0]).toBe(modelSha);

    expect(card.metrics).toEqual({ loss: 0.25, accuracy: 0.9 });
    expect(result.values).toEqual({ loss: { candidate: 0.25 }, accuracy: { candidate: 0.9 } });
    expect(card.command).toMatchObject({ shell: 'node', workingDirectory: '.', exitCode: 0 });
    expect(card.cacheKey).toBe((result.details?.cache as { key: string }).key);
    expect(card.tools).toMatchObject({ node: process.version, 'mlops-actions': '1.2.3' });
    expect(card.tools['onnxruntime-node']).toMatch(/^\d+\.\d+\.\d+/);
    expect(card.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(card.trainedAt)).not.toBeNaN();
  });

  it('parses the params file as YAML or JSON', async () => {
    const p = await makeProject();
    await p.write('params.yml', 'lr: 0.05\nlayers: [64, 32]\noptimizer:\n  name: adam\n');
    await runTrain(p.config({ params: 'params.yml' }), p.ctx());
    expect((await readCard(p.dir)).params).toEqual({
      lr: 0.05,
      layers: [64, 32],
      optimizer: { name: 'adam' },
    });

    await p.write('params.json', '{"lr": 0.2, "trees": 100}');
    await runTrain(p.config({ params: 'params.json' }), p.ctx());
    expect((await readCard(p.dir)).params).toEqual({ lr: 0.2, trees: 100 });
  });

  it('rejects a malformed params file naming its file and line before training', async () => {
    const p = await makeProject();
    await p.write('params.yml', 'lr: 0.1\nlr: 0.2\n');
    const error = await runTrain(p.config({ params: 'params.yml' }), p.ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('train params file params.yml:2:1: Map keys must be unique');
    expect((error as InputError).location).toMatchObject({ file: path.join(p.dir, 'params.yml'), line: 2 });
    expect(await p.runs()).toBe(0);
  });

  it('rejects a missing input file by name without running the command', async () => {
    const p = await makeProject();
    const error = await runTrain(p.config({ inputs: ['data/train.csv', 'data/missing.csv'] }), p.ctx()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `train input 'data/missing.csv' does not exist (looked for ${path.join(p.dir, 'data/missing.csv')})`,
    );
    expect(await p.runs()).toBe(0);

    const params = await runTrain(p.config({ params: 'nope.yml' }), p.ctx()).catch((e: unknown) => e);
    expect(params).toBeInstanceOf(InputError);
    expect((params as Error).message).toContain("'nope.yml'");
  });

  it('rejects a working directory that does not exist', async () => {
    const p = await makeProject();
    const missing = path.join(p.dir, 'nowhere');
    await expect(runTrain(p.config({ workingDirectory: missing }), p.ctx())).rejects.toThrow(
      new InputError(`train working directory ${missing} does not exist or is not a directory`),
    );
  });

  it('keeps NaN and non-number training metrics as null and warns about each', async () => {
    const p = await makeProject();
    const run = `mkdir -p artifacts; printf M > artifacts/model.onnx
      printf '{"loss": NaN, "accuracy": 0.9, "auc": -Infinity, "note": "a NaN string", "eval": {"f1": 0.5}}' > artifacts/metrics.json`;
    const result = await runTrain(p.config({ run, shell: 'sh', metrics: 'artifacts/metrics.json' }), p.ctx());
    expect(result.status).toBe('passed');
    expect(result.values).toEqual({
      loss: { candidate: null },
      accuracy: { candidate: 0.9 },
      auc: { candidate: null },
      note: { candidate: null },
      'eval.f1': { candidate: 0.5 },
    });
    expect(p.warnings).toEqual([
      'metrics file artifacts/metrics.json: loss is NaN; kept as null',
      'metrics file artifacts/metrics.json: auc is -Infinity; kept as null',
      'metrics file artifacts/metrics.json: note is not a number ("a NaN string"); kept as null',
    ]);
    expect(result.details).toMatchObject({ warnings: p.warnings });
    expect((await readCard(p.dir)).metrics).toEqual({
      loss: null,
      accuracy: 0.9,
      auc: null,
      note: null,
      'eval.f1': 0.5,
    });
  });

  it('fails the stage when the metrics file is missing or not a JSON object', async () => {
    const p = await makeProject();
    const model = 'mkdir -p artifacts; printf M > artifacts/model.onnx';
    const missing = await runTrain(p.config({ run: model, shell: 'sh', metrics: 'out/m.json' }), p.ctx());
    expect(missing.status).toBe('error');
    expect(missing.summary).toBe('train command succeeded but did not write the metrics file out/m.json');

    const run = `${model}; mkdir -p out; echo '[1, 2]' > out/m.json`;
    const notObject = await runTrain(p.config({ run, shell: 'sh', metrics: 'out/m.json' }), p.ctx());
    expect(notObject.summary).toBe(
      'metrics file out/m.json must hold a JSON object of numbers, e.g. {"loss": 0.31}',
    );

    const broken = await runTrain(
      p.config({ run: `${model}; echo '{"loss": 0.1' > out/m.json`, shell: 'sh', metrics: 'out/m.json' }),
      p.ctx(),
    );
    expect(broken.summary).toMatch(/^metrics file out\/m\.json is not valid JSON: /);
  });

  it('takes commit and dirty flag from git when no git info is given, and tolerates non-git dirs', async () => {
    const p = await makeProject();
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: p.dir,
        encoding: 'utf8',
      }).trim();
    const noGit = await runTrain(p.config({ cache: false }), p.ctx({ git: undefined }));
    expect((await readCard(p.dir)).git).toEqual({ commit: null, dirty: null });
    expect(noGit.git).toBeUndefined();

    git('init', '-q');
    await p.write('.gitignore', 'artifacts/\n');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const head = git('rev-parse', 'HEAD');
    const clean = await runTrain(p.config({ cache: false }), p.ctx({ git: undefined }));
    expect((await readCard(p.dir)).git).toEqual({ commit: head, dirty: false });
    expect(clean.git).toEqual({ commit: head, dirty: false });

    await p.write('data/train.csv', 'edited\n');
    await runTrain(p.config(), p.ctx({ git: undefined }));
    expect((await readCard(p.dir)).git).toEqual({ commit: head, dirty: true });
  });
});
