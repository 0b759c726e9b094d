import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionsCache, LocalDirCache } from '../../packages/stages/src/cache/index.js';

async function setup(): Promise<{ root: string; outside: string; cacheDir: string }> {
  const base = await mkdtemp(path.join(tmpdir(), 'mlops-cache-'));
  const root = path.join(base, 'work');
  const outside = path.join(base, 'elsewhere');
  await mkdir(path.join(root, 'artifacts/nested'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(root, 'artifacts/model.onnx'), Buffer.from([0, 1, 2, 255]));
  await writeFile(path.join(root, 'artifacts/nested/vocab.txt'), 'a\nb\n');
  await writeFile(path.join(outside, 'extra.bin'), 'outside');
  return { root, outside, cacheDir: path.join(base, 'cache') };
}

describe('LocalDirCache', () => {
  it('saves files and directories under <dir>/<key>/ at their root-relative paths and restores them', async () => {
    const { root, outside, cacheDir } = await setup();
    const cache = new LocalDirCache(cacheDir, root);
    const paths = [
      path.join(root, 'artifacts/model.onnx'),
      path.join(root, 'artifacts/nested'),
      path.join(outside, 'extra.bin'),
    ];
    await cache.save('k1', paths);
    expect(await readFile(path.join(cacheDir, 'k1/files/artifacts/model.onnx'))).toEqual(
      Buffer.from([0, 1, 2, 255]),
    );
    expect(await readFile(path.join(cacheDir, 'k1/files/artifacts/nested/vocab.txt'), 'utf8')).toBe('a\nb\n');
    // Nothing half-written is left next to the entry.
    expect(await readdir(cacheDir)).toEqual(['k1']);

    await writeFile(path.join(root, 'artifacts/model.onnx'), 'overwritten');
    await writeFile(path.join(outside, 'extra.bin'), 'overwritten');
    expect(await cache.restore('k1', paths)).toBe(true);
    expect(await readFile(path.join(root, 'artifacts/model.onnx'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await readFile(path.join(root, 'artifacts/nested/vocab.txt'), 'utf8')).toBe('a\nb\n');
    expect(await readFile(path.join(outside, 'extra.bin'), 'utf8')).toBe('outside');
  });

  it('misses for an unknown key or when a requested path was not saved', async () => {
    const { root, cacheDir } = await setup();
    const cache = new LocalDirCache(cacheDir, root);
    const model = path.join(root, 'artifacts/model.onnx');
    expect(await cache.restore('nothing', [model])).toBe(false);
    await cache.save('k2', [model]);
    expect(await cache.restore('k2', [model, path.join(root, 'artifacts/other.onnx')])).toBe(false);
  });

  it('lets two writers save the same key at once', async () => {
    const { root, cacheDir } = await setup();
    const model = path.join(root, 'artifacts/model.onnx');
    await Promise.all([
      new LocalDirCache(cacheDir, root).save('k3', [model]),
      new LocalDirCache(cacheDir, root).save('k3', [model]),
    ]);
    expect(await readdir(cacheDir)).toEqual(['k3']);
    expect(await new LocalDirCache(cacheDir, root).restore('k3', [model])).toBe(true);
  });

  it('refuses keys that are not plain directory names', async () => {
    const { root, cacheDir } = await setup();
    await expect(new LocalDirCache(cacheDir, root).save('../escape', [root])).rejects.toThrow(
      "cache key '../escape' is not a safe directory name",
    );
  });
});

describe('ActionsCache outside a runner', () => {
  it('misses on restore and skips saving when no cache service is configured', async () => {
    const { root } = await setup();
    const saved = {
      ACTIONS_CACHE_URL: process.env.ACTIONS_CACHE_URL,
      ACTIONS_RESULTS_URL: process.env.ACTIONS_RESULTS_URL,
    };
    delete process.env.ACTIONS_CACHE_URL;
    delete process.env.ACTIONS_RESULTS_URL;
    try {
      const notes: string[] = [];
      const cache = new ActionsCache({ log: { info: (m) => notes.push(m), warn: (m) => notes.push(m) } });
      const model = path.join(root, 'artifacts/model.onnx');
      expect(await cache.restore('k', [model])).toBe(false);
      await cache.save('k', [model]);
      expect(notes).toHaveLength(2);
      expect(notes[0]).toContain('cache service is not available');
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
  });
});
