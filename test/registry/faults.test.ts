import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciLayout, RegistryClient, copyManifest } from '@mlops-actions/registry';
import type { Logger } from '@mlops-actions/core';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pseudoRandom, simpleImage, skopeoInspect } from './fixtures.js';
import { startCuttingProxy, startFaultProxy } from './proxy.js';

let reg: TestRegistry;
let dir: string;
beforeAll(async () => {
  reg = await startRegistry();
  dir = await mkdtemp(path.join(tmpdir(), 'faults-test-'));
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

const quietLog = (lines: string[]): Logger => ({
  info: (m) => lines.push(m),
  warn: (m) => lines.push(m),
  error: (m) => lines.push(m),
  group: (_n, fn) => fn(),
});

describe('faults between client and registry', () => {
  const cases = [
    // distribution 2.8 cancels an upload session whose request broke mid-body (its stored size no
    // longer matches the signed offset): the client must notice and start over, still correct.
    { name: 'cut mid-body, whole-blob PATCH', mode: 'mid-body', chunkSize: undefined, expect: 'restarted' },
    { name: 'cut mid-body, 4 MiB chunks', mode: 'mid-body', chunkSize: 4 << 20, expect: 'restarted' },
    // A cut before the registry saw the next chunk: resume from the offset the registry reports.
    { name: 'cut between 4 MiB chunks', mode: 'before-patch', chunkSize: 4 << 20, expect: 'resumed' },
  ] as const;
  for (const c of cases) {
    it(`a connection cut mid-upload ends in a correct blob (${c.name})`, async () => {
      const repoName = `cut/${c.mode}-${c.chunkSize ?? 0}`;
      const layout = await OciLayout.open(path.join(dir, repoName));
      const big = pseudoRandom(24 << 20, (c.chunkSize ?? 77) + c.mode.length);
      const m = await simpleImage(layout, [big]);
      await layout.putManifest(m, 'v1');
      const proxy = await startCuttingProxy(reg.host, 10 << 20, 1, c.mode);
      try {
        const lines: string[] = [];
        const client = new RegistryClient(proxy.host, {
          dockerConfig: false,
          chunkSize: c.chunkSize,
          log: quietLog(lines),
          retry: { baseDelayMs: 20 },
        });
        const res = await copyManifest(layout, 'v1', client.repository(repoName), { tags: ['v1'] });
        expect(proxy.cuts).toBe(1);
        expect(client.stats[c.expect]).toBe(1);
        if (c.expect === 'resumed') {
          expect(client.stats.restarted).toBe(0);
          expect(lines.filter((l) => /resumes at byte/.test(l))).toEqual([
            expect.stringMatching(/resumes at byte (8388608|12582912) /),
          ]);
        }
        // read back directly from the registry: the layer is byte-identical
        const direct = new RegistryClient(reg.host, { dockerConfig: false });
        const blob = await direct.repository(repoName).getBlob(m.layers[0]!.digest);
        expect(blob.equals(big)).toBe(true);
        const info = (await skopeoInspect(`docker://${reg.host}/${repoName}:v1`)) as { Digest: string };
        expect(info.Digest).toBe(res.descriptor.digest);
      } finally {
        await proxy.close();
      }
    });
  }

  it('a 500 on the manifest PUT is retried', async () => {
    const layout = await OciLayout.open(path.join(dir, 'f500'));
    const m = await simpleImage(layout, ['a layer']);
    const desc = await layout.putManifest(m, 'v1');
    const proxy = await startFaultProxy(
      reg.host,
      (method, url) => method === 'PUT' && url.includes('/manifests/'),
      500,
      2,
    );
    try {
      const lines: string[] = [];
      const client = new RegistryClient(proxy.host, {
        dockerConfig: false,
        log: quietLog(lines),
        retry: { baseDelayMs: 20 },
      });
      await copyManifest(layout, 'v1', client.repository('f500/img'), { tags: ['v1'] });
      expect(proxy.injected).toHaveLength(2);
      expect(lines.some((l) => /HTTP 500, retrying/.test(l))).toBe(true);
      expect((await client.repository('f500/img').resolve('v1'))?.digest).toBe(desc.digest);
    } finally {
      await proxy.close();
    }
  });

  it('a 500 on the blob commit (PUT ?digest) after a chunked upload restarts it to a correct blob', async () => {
    const layout = await OciLayout.open(path.join(dir, 'commit500'));
    const big = pseudoRandom(9 << 20, 4242);
    const m = await simpleImage(layout, [big]);
    const desc = await layout.putManifest(m, 'v1');
    const proxy = await startFaultProxy(
      reg.host,
      (method, url) =>
        method === 'PUT' && url.includes('/blobs/uploads/') && url.includes(m.layers[0]!.digest.slice(7)),
      500,
      1,
    );
    try {
      const client = new RegistryClient(proxy.host, { dockerConfig: false, retry: { baseDelayMs: 10 } });
      await copyManifest(layout, 'v1', client.repository('commit500/img'), { tags: ['v1'] });
      expect(proxy.injected).toHaveLength(1);
      expect(client.stats.restarted).toBe(1);
      const direct = new RegistryClient(reg.host, { dockerConfig: false }).repository('commit500/img');
      expect((await direct.getBlob(m.layers[0]!.digest)).equals(big)).toBe(true);
      expect((await direct.resolve('v1'))?.digest).toBe(desc.digest);
    } finally {
      await proxy.close();
    }
  });

  it('a 429 with Retry-After on a blob HEAD is retried; a persistent 500 fails with the status', async () => {
    const layout = await OciLayout.open(path.join(dir, 'f429'));
    await layout.putManifest(await simpleImage(layout, ['b layer']), 'v1');
    const proxy = await startFaultProxy(reg.host, (method) => method === 'HEAD', 429, 1);
    const always = await startFaultProxy(
      reg.host,
      (method, url) => method === 'PUT' && url.includes('/manifests/'),
      500,
      1000,
    );
    try {
      const client = new RegistryClient(proxy.host, { dockerConfig: false, retry: { baseDelayMs: 10 } });
      await copyManifest(layout, 'v1', client.repository('f429/img'), { tags: ['v1'] });
      expect(client.stats.retries).toBeGreaterThanOrEqual(1);
      const c2 = new RegistryClient(always.host, {
        dockerConfig: false,
        retry: { baseDelayMs: 10, attempts: 3 },
      });
      await expect(copyManifest(layout, 'v1', c2.repository('f429/img2'), { tags: ['v1'] })).rejects.toThrow(
        /HTTP 500/,
      );
      expect(always.injected).toHaveLength(3);
    } finally {
      await proxy.close();
      await always.close();
    }
  });
});
