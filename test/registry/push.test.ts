import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MEDIA_TYPE_OCI_INDEX,
  OciLayout,
  RegistryClient,
  copyManifest,
  type ImageIndex,
  type ImageManifest,
} from '@mlops-actions/registry';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pseudoRandom, simpleImage, skopeo, skopeoInspect } from './fixtures.js';

let reg: TestRegistry;
let dir: string;
beforeAll(async () => {
  reg = await startRegistry();
  dir = await mkdtemp(path.join(tmpdir(), 'push-test-'));
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('push to a real docker-registry', () => {
  it('copies a layout image; skopeo reads the same digests; a second push uploads no blob', async () => {
    const layout = await OciLayout.open(path.join(dir, 'l1'));
    const m = await simpleImage(layout, [pseudoRandom(20 << 20, 3), 'small layer']);
    const desc = await layout.putManifest(m, 'v1');
    const client = new RegistryClient(reg.host, { dockerConfig: false });
    const repo = client.repository('models/demo');
    const res = await copyManifest(layout, 'v1', repo, { tags: ['v1', 'latest'] });
    expect(res.descriptor.digest).toBe(desc.digest);
    expect(client.stats.uploaded).toBe(3);
    const info = (await skopeoInspect(`docker://${reg.host}/models/demo:latest`)) as {
      Digest: string;
      Layers: string[];
    };
    expect(info.Digest).toBe(desc.digest);
    expect(info.Layers).toEqual(m.layers.map((l) => l.digest));
    const raw = (await skopeoInspect(`docker://${reg.host}/models/demo:v1`, ['--raw'])) as ImageManifest;
    expect(raw).toEqual(m);
    expect(await repo.listTags()).toEqual(['latest', 'v1']);
    expect((await repo.resolve('v1'))?.digest).toBe(desc.digest);

    const again = new RegistryClient(reg.host, { dockerConfig: false });
    await copyManifest(layout, 'v1', again.repository('models/demo'), { tags: ['v1'] });
    expect(again.stats.uploaded).toBe(0);
    expect(again.stats.skipped).toBe(3);

    // skopeo copies it back into a layout, byte-identical
    const back = path.join(dir, 'back');
    await skopeo([
      'copy',
      '--preserve-digests',
      '--src-tls-verify=false',
      `docker://${reg.host}/models/demo:v1`,
      `oci:${back}:v1`,
    ]);
    const backLayout = await OciLayout.open(back, { create: false });
    expect((await backLayout.resolve('v1'))?.digest).toBe(desc.digest);
  });

  it('pulls back to a layout with digest verification and mounts across repositories', async () => {
    const client = new RegistryClient(reg.host, { dockerConfig: false });
    const layout = await OciLayout.open(path.join(dir, 'pull'));
    const r = await copyManifest(client.repository('models/demo'), 'v1', layout);
    expect((await layout.resolve('v1'))?.digest).toBe(r.descriptor.digest);
    const c2 = new RegistryClient(reg.host, { dockerConfig: false });
    await copyManifest(c2.repository('models/demo'), 'v1', c2.repository('other/repo'), { tags: ['x'] });
    expect(c2.stats.mounted).toBe(3);
    expect(c2.stats.uploaded).toBe(0);
  });

  it('copies a multi-platform index with its platforms; skopeo picks each by arch', async () => {
    const layout = await OciLayout.open(path.join(dir, 'multi'));
    const amd = await layout.putManifest(await simpleImage(layout, ['amd64 layer']));
    const armImage = await simpleImage(layout, ['arm64 layer']);
    const arm = await layout.putManifest(armImage);
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_INDEX,
      manifests: [
        { ...amd, platform: { architecture: 'amd64', os: 'linux' } },
        { ...arm, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    };
    const idx = await layout.putManifest(index, 'multi');
    const client = new RegistryClient(reg.host, { dockerConfig: false });
    const res = await copyManifest(layout, 'multi', client.repository('multi/img'));
    expect(res.descriptor.digest).toBe(idx.digest);
    const raw = (await skopeoInspect(`docker://${reg.host}/multi/img:multi`, ['--raw'])) as ImageIndex;
    expect(raw.manifests.map((m) => m.digest)).toEqual([amd.digest, arm.digest]);
    // skopeo reports the index digest as Digest; the layers show which instance it chose
    const armInfo = (await skopeoInspect(`docker://${reg.host}/multi/img:multi`, [
      '--override-arch',
      'arm64',
    ])) as {
      Digest: string;
      Layers: string[];
    };
    expect(armInfo.Digest).toBe(idx.digest);
    expect(armInfo.Layers).toEqual([armImage.layers[0]!.digest]);
  });

  it('concurrent pushes of two tags of the same image both land', async () => {
    const layout = await OciLayout.open(path.join(dir, 'conc'));
    const m = await simpleImage(layout, [pseudoRandom(3 << 20, 9)]);
    const desc = await layout.putManifest(m, 'a');
    const c1 = new RegistryClient(reg.host, { dockerConfig: false });
    const c2 = new RegistryClient(reg.host, { dockerConfig: false });
    await Promise.all([
      copyManifest(layout, 'a', c1.repository('conc/img'), { tags: ['one'] }),
      copyManifest(layout, 'a', c2.repository('conc/img'), { tags: ['two'] }),
    ]);
    const repo = c1.repository('conc/img');
    expect(await repo.listTags()).toEqual(['one', 'two']);
    expect((await repo.resolve('one'))?.digest).toBe(desc.digest);
    expect((await repo.resolve('two'))?.digest).toBe(desc.digest);
  });
});
