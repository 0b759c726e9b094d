import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../packages/stages/src/train/index.js';
import type { ModelCache } from '../../packages/stages/src/index.js';
import { makeProject, sha256Of } from './helpers.js';

const cacheOf = (details: Record<string, unknown> | undefined): { key: string; hit: boolean } =>
  details?.cache as { key: string; hit: boolean };

describe('train cache', () => {
  it('skips the command on an unchanged second run and restores the model byte-identical', async () => {
    const p = await makeProject();
    const first = await runTrain(p.config({ metrics: 'artifacts/metrics.json' }), p.ctx());
    expect(first.status).toBe('passed');
    expect(cacheOf(first.details).hit).toBe(false);
    expect(first.details).toMatchObject({ cache: { saved: true } });
    const model = path.join(p.dir, 'artifacts/model.onnx');
    const trained = await readFile(model);

    // A fresh checkout: nothing produced is on disk any more.
    await rm(path.join(p.dir, 'artifacts'), { recursive: true });
    const second = await runTrain(p.config({ metrics: 'artifacts/metrics.json' }), p.ctx());
    expect(await p.runs()).toBe(1);
    expect(second.status).toBe('passed');
    expect(second.details).toMatchObject({
      cache: { key: cacheOf(first.details).key, hit: true },
      exitCode: null,
    });
    expect(await readFile(model)).toEqual(trained);
    expect(second.model?.sha256).toBe(await sha256Of(model));
    expect(second.values).toEqual({ loss: { candidate: 0.25 }, accuracy: { candidate: 0.9 } });
    expect(second.artifacts).toEqual(first.artifacts);
    expect(p.lines.some((l) => l.includes('train cache hit'))).toBe(true);
  });

  it('retrains with a new key when an input changes', async () => {
    const p = await makeProject();
    const first = await runTrain(p.config(), p.ctx());
    await p.write('data/train.csv', 'x,y\n1,0\n2,1\n3,1\n');
    const second = await runTrain(p.config(), p.ctx());
    expect(await p.runs()).toBe(2);
    expect(cacheOf(second.details).hit).toBe(false);
    expect(cacheOf(second.details).key).not.toBe(cacheOf(first.details).key);
    expect(cacheOf(second.details).key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes directory inputs recursively, whatever order inputs are listed in', async () => {
    const p = await makeProject();
    await p.write('features/a.csv', 'a\n');
    await p.write('features/deep/b.csv', 'b\n');
    const inputs = ['data/train.csv', 'features'];
    const first = await runTrain(p.config({ inputs }), p.ctx());
    expect(Object.keys(first.inputs)).toEqual(['data/train.csv', 'features/a.csv', 'features/deep/b.csv']);

    const reordered = await runTrain(p.config({ inputs: [...inputs].reverse() }), p.ctx());
    expect(cacheOf(reordered.details)).toEqual({ key: cacheOf(first.details).key, hit: true });

    await p.write('features/deep/b.csv', 'changed\n');
    const changed = await runTrain(p.config({ inputs }), p.ctx());
    expect(cacheOf(changed.details).hit).toBe(false);
    expect(cacheOf(changed.details).key).not.toBe(cacheOf(first.details).key);
    expect(await p.runs()).toBe(2);
  });

  it('changes the key with the command, the shell, the declared env and the tool version', async () => {
    const p = await makeProject();
    const keyOf = async (overrides: Parameters<typeof p.config>[0], toolVersion?: string): Promise<string> =>
      cacheOf(
        (await runTrain(p.config({ ...overrides, cache: false }), p.ctx(toolVersion ? { toolVersion } : {})))
          .details,
      ).key;
    const base = await keyOf({});
    const variants = [
      await keyOf({ run: `${p.config().run}\n// changed` }),
      await keyOf({ env: { COUNTER: p.counter, SEED: '2' } }),
      await keyOf({}, '9.9.9'),
      await keyOf({ run: 'mkdir -p artifacts; printf M > artifacts/model.onnx', shell: 'sh' }),
      await keyOf({ run: 'mkdir -p artifacts; printf M > artifacts/model.onnx', shell: 'bash' }),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('runs the command when caching is off, and saves nothing then', async () => {
    const p = await makeProject();
    await runTrain(p.config(), p.ctx());
    const forced = await runTrain(p.config({ cache: false }), p.ctx());
    expect(await p.runs()).toBe(2);
    expect(cacheOf(forced.details).hit).toBe(false);

    const saves: string[] = [];
    const spy: ModelCache = {
      restore: async () => false,
      save: async (key) => void saves.push(key),
    };
    const off = await runTrain(p.config({ cache: false }), p.ctx({ cache: spy }));
    expect(off.details).toMatchObject({ cache: { hit: false, enabled: false } });
    expect(saves).toEqual([]);
  });

  it('retrains when a cached entry does not match its model card', async () => {
    const p = await makeProject();
    const first = await runTrain(p.config(), p.ctx());
    const key = cacheOf(first.details).key;
    // A cache that "restores" a model other than the one the card describes.
    const lying: ModelCache = {
      restore: async () => {
        await p.write('artifacts/model.onnx', 'tampered');
        return true;
      },
      save: async () => {},
    };
    const second = await runTrain(p.config(), p.ctx({ cache: lying }));
    expect(await p.runs()).toBe(2);
    expect(second.status).toBe('passed');
    expect(p.warnings).toContain(
      `the cached entry for key ${key} does not match its model card; training again`,
    );
  });

  it('keeps going when the cache fails to save', async () => {
    const p = await makeProject();
    const broken: ModelCache = {
      restore: async () => false,
      save: async () => {
        throw new Error('disk full');
      },
    };
    const result = await runTrain(p.config(), p.ctx({ cache: broken }));
    expect(result.status).toBe('passed');
    expect(result.details).toMatchObject({ cache: { saved: false } });
    expect(p.warnings).toContain('could not save the trained model to the cache: disk full');
  });
});
