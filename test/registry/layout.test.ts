import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
  OciLayout,
  referrersTagFor,
  sha256FileDescriptor,
  type ImageManifest,
} from '@mlops-actions/registry';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'layout-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function skopeoInspect(ref: string, raw = false): unknown {
  const args = ['inspect', ...(raw ? ['--raw'] : []), ref];
  return JSON.parse(execFileSync('skopeo', args, { encoding: 'utf8' }));
}

async function simpleImage(layout: OciLayout, content: string): Promise<ImageManifest> {
  const layer = await layout.putBlob(content, MEDIA_TYPE_OCI_LAYER_TAR);
  const config = await layout.putBlob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      config: {},
    }),
    MEDIA_TYPE_OCI_CONFIG,
  );
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers: [layer] };
}

describe('OciLayout', () => {
  it('writes a layout skopeo reads, with digests that match sha256 of the bytes', async () => {
    const layoutDir = path.join(dir, 'a');
    const layout = await OciLayout.open(layoutDir);
    const manifest = await simpleImage(layout, 'x'.repeat(1024));
    const desc = await layout.putManifest(manifest, 'v1');
    const raw = await readFile(layout.blobPath(desc.digest));
    expect(desc.digest).toBe(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
    const info = skopeoInspect(`oci:${layoutDir}:v1`, true) as ImageManifest;
    expect(info.layers[0]!.digest).toBe(manifest.layers[0]!.digest);
    const full = skopeoInspect(`oci:${layoutDir}:v1`) as { Digest: string };
    expect(full.Digest).toBe(desc.digest);
    expect(await layout.resolve('v1')).toMatchObject({ digest: desc.digest, size: desc.size });
    expect(await layout.resolve('nope')).toBeUndefined();
    const got = await layout.getManifest('v1');
    expect(got?.bytes.equals(raw)).toBe(true);
    expect(await layout.getManifest(desc.digest)).toBeDefined();
  });

  it('moves tags, keeps the old manifest as an untagged root, and stores files by streaming digest', async () => {
    const layoutDir = path.join(dir, 'b');
    const layout = await OciLayout.open(layoutDir);
    const d1 = await layout.putManifest(await simpleImage(layout, 'one'), 'production');
    const d2 = await layout.putManifest(await simpleImage(layout, 'two'));
    await layout.tag('production-previous', d1);
    await layout.tag('production', d2);
    expect((await layout.resolve('production'))?.digest).toBe(d2.digest);
    expect((await layout.resolve('production-previous'))?.digest).toBe(d1.digest);
    expect(await layout.listTags()).toEqual(['production', 'production-previous']);
    const index = await layout.readIndex();
    expect(index.manifests.filter((m) => m.digest === d2.digest)).toHaveLength(1);

    const file = path.join(dir, 'weights.bin');
    await writeFile(file, Buffer.alloc(3 << 20, 7));
    const fd = await layout.putBlob({ file }, 'application/octet-stream');
    expect(fd).toEqual(await sha256FileDescriptor(file, 'application/octet-stream'));
    const sum = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
    expect(fd.digest).toBe(`sha256:${sum}`);
    expect((await layout.getBlob(fd.digest)).length).toBe(3 << 20);
    await expect(layout.tag('bad tag', d1)).rejects.toThrow(/invalid tag/);
  });

  it('concurrent tag writes from one process all land', async () => {
    const layout = await OciLayout.open(path.join(dir, 'c'));
    const m = await simpleImage(layout, 'c');
    await Promise.all(Array.from({ length: 20 }, (_, i) => layout.putManifest(m, `t${i}`)));
    expect(await layout.listTags()).toHaveLength(20);
  });

  it('keeps a referrers fallback index for manifests with a subject', async () => {
    const layoutDir = path.join(dir, 'd');
    const layout = await OciLayout.open(layoutDir);
    const subject = await layout.putManifest(await simpleImage(layout, 's'), 'v1');
    const empty = await layout.putBlob('{}', 'application/vnd.oci.empty.v1+json');
    for (const kind of ['card', 'eval']) {
      const blob = await layout.putBlob(kind, 'text/plain');
      await layout.putManifest({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        artifactType: `application/x.${kind}`,
        config: empty,
        layers: [blob],
        subject,
      });
    }
    const refs = await layout.referrers(subject.digest);
    expect(refs.map((r) => r.artifactType)).toEqual(['application/x.card', 'application/x.eval']);
    expect(await layout.referrers(subject.digest, 'application/x.eval')).toHaveLength(1);
    const idx = skopeoInspect(`oci:${layoutDir}:${referrersTagFor(subject.digest)}`, true) as {
      manifests: unknown[];
    };
    expect(idx.manifests).toHaveLength(2);
  });
});
