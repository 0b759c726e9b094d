import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_SERVER, readBaseImage } from '@mlops-actions/image';
import { OciLayout } from '@mlops-actions/registry';
import { testBaseLayout } from './helpers/base-image.js';
import { buildTestImage, skopeo, WINE_MODEL } from './helpers/build.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-image-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  testBaseLayout();
});

interface Inspect {
  Digest: string;
  Labels: Record<string, string>;
  Architecture: string;
  Os: string;
  Layers: string[];
  Env: string[];
  Created: string;
}
interface RawManifest {
  mediaType: string;
  config: { digest: string; size: number };
  layers: { digest: string; size: number; mediaType: string }[];
  annotations: Record<string, string>;
  manifests?: { digest: string; platform: { os: string; architecture: string } }[];
}
interface Config {
  architecture: string;
  config: {
    User: string;
    Entrypoint: string[];
    Cmd: string[];
    ExposedPorts: Record<string, object>;
    Env: string[];
    Labels: Record<string, string>;
    Healthcheck: { Test: string[]; Interval: number; Retries: number };
  };
  rootfs: { diff_ids: string[] };
  history: { created_by?: string; empty_layer?: boolean }[];
}

function sha256sum(file: string): string {
  return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0] ?? '';
}

describe('daemonless image assembly', () => {
  it('builds an image skopeo reads: config, layers, lineage labels and annotations, digests', async () => {
    const dir = path.join(tmp, 'one');
    const { image } = await buildTestImage(dir, { tags: ['v1', 'latest'] });
    const inspect = skopeo(['inspect', `oci:${dir}:v1`]) as Inspect;
    expect(inspect.Digest).toBe(image.digest);
    expect((skopeo(['inspect', `oci:${dir}:latest`]) as Inspect).Digest).toBe(image.digest);
    expect(inspect.Architecture).toBe('amd64');
    expect(inspect.Os).toBe('linux');
    expect(inspect.Created).toBe('1970-01-01T00:00:00Z');
    expect(inspect.Layers).toEqual(image.platforms[0]?.layers.map((l) => l.digest));
    expect(image.platforms[0]?.layers.map((l) => l.role)).toEqual([
      'base',
      'server',
      'model',
      'serve-config',
    ]);
    expect(inspect.Labels).toMatchObject({
      'org.example.base': 'test-node',
      'org.opencontainers.image.source': 'https://github.com/example/wine',
      'org.opencontainers.image.revision': 'abc1234',
      'org.opencontainers.image.version': '1.0.0',
      'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
      'dev.mlops-actions.model.digest': `sha256:${sha256sum(WINE_MODEL)}`,
      'dev.mlops-actions.model.task': 'multiclass-classification',
      'dev.mlops-actions.model.headline': 'accuracy',
      [LABEL_SERVER]: '0.1.0',
    });
    expect(JSON.parse(inspect.Labels['dev.mlops-actions.model.metrics'] ?? '{}')).toEqual({
      accuracy: 0.95,
      macro_f1: 0.94,
    });
    expect(inspect.Env).toContain('BASE_MARKER=1');
    expect(inspect.Env).toContain('MLOPS_ORT_PATH=/opt/mlops');

    const raw = skopeo(['inspect', '--raw', `oci:${dir}:v1`]) as RawManifest;
    expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(raw.annotations['dev.mlops-actions.model.digest']).toBe(
      inspect.Labels['dev.mlops-actions.model.digest'],
    );
    expect(raw.annotations['org.opencontainers.image.base.name']).toBe('oci:test-base:node');
    // Every blob is where its digest says, with the size the manifest says.
    for (const d of [raw.config, ...raw.layers]) {
      const file = path.join(dir, 'blobs/sha256', d.digest.slice(7));
      expect(sha256sum(file)).toBe(d.digest.slice(7));
    }

    // --raw: skopeo's parsed config would drop Docker's Healthcheck (not an OCI field).
    const config = skopeo(['inspect', '--config', '--raw', `oci:${dir}:v1`]) as Config;
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Entrypoint).toEqual(['node', '/opt/mlops/cli/index.js', 'serve']);
    expect(config.config.Cmd).toEqual([
      '--model',
      '/opt/mlops/model/model.onnx',
      '--name',
      'wine',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
    ]);
    expect(config.config.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(config.config.Healthcheck.Test[0]).toBe('CMD');
    expect(config.config.Healthcheck.Test.join(' ')).toContain('/v2/health/ready');
    expect(config.config.Healthcheck.Interval).toBe(10_000_000_000);
    // diff_ids: one per layer, ours the sha256 of the uncompressed tar.
    expect(config.rootfs.diff_ids).toHaveLength(raw.layers.length);
    const modelLayer = image.added.find((l) => l.role === 'model');
    const rawTar = execFileSync('gzip', [
      '-dc',
      path.join(dir, 'blobs/sha256', (modelLayer?.digest ?? '').slice(7)),
    ]);
    expect(config.rootfs.diff_ids[2]).toBe(
      `sha256:${(await import('node:crypto')).createHash('sha256').update(rawTar).digest('hex')}`,
    );
    expect(config.history.filter((h) => !h.empty_layer)).toHaveLength(raw.layers.length);
    // The server layer carries only the linux/x64 runtime, not every platform's 100 MB of binaries.
    const serverLayer = image.added.find((l) => l.role === 'server');
    const listing = execFileSync(
      'tar',
      ['-tzf', path.join(dir, 'blobs/sha256', (serverLayer?.digest ?? '').slice(7))],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      },
    );
    expect(listing).toContain(
      'opt/mlops/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    );
    expect(listing).not.toContain('darwin');
    expect(listing).not.toContain('linux/arm64');
    expect(listing).not.toContain('.d.ts');
    expect(listing).toContain('opt/mlops/cli/index.js');
    expect(listing).toContain('opt/mlops/node_modules/onnxruntime-common/dist/cjs/index.js');
  });

  it('gives the same digest for the same inputs, built twice into different layouts', async () => {
    const a = await buildTestImage(path.join(tmp, 'rep-a'));
    const b = await buildTestImage(path.join(tmp, 'rep-b'));
    expect(b.image.digest).toBe(a.image.digest);
    expect(b.image.added.map((l) => l.digest)).toEqual(a.image.added.map((l) => l.digest));
    const c = await buildTestImage(path.join(tmp, 'rep-c'), { lineage: { created: 1_733_011_200 } });
    expect(c.image.digest).not.toBe(a.image.digest);
    // The layers' content is the same; only their timestamps (and so their digests) moved.
    expect(c.image.labels['org.opencontainers.image.created']).toBe('2024-12-01T00:00:00Z');
  });

  it('changes only the model layer when only the model changes', async () => {
    const a = await buildTestImage(path.join(tmp, 'chg-a'));
    const other = path.join(tmp, 'model.onnx');
    copyFileSync(path.join(path.dirname(WINE_MODEL), '..', '..', 'breast-cancer/baseline/model.onnx'), other);
    const b = await buildTestImage(path.join(tmp, 'chg-b'), {
      model: { model: other },
      modelInfo: { name: 'wine', task: 'multiclass-classification', sha256: sha256sum(other) },
    });
    const roles = (img: typeof a.image): Record<string, string> =>
      Object.fromEntries(img.added.map((l) => [l.role, l.digest]));
    expect(roles(b.image).server).toBe(roles(a.image).server);
    expect(roles(b.image).model).not.toBe(roles(a.image).model);
  });

  it('keeps the platforms of a multi-platform base: one manifest each, an index on top', async () => {
    const dir = path.join(tmp, 'multi');
    const { image } = await buildTestImage(dir, { baseTag: 'multi' });
    expect(image.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(image.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(image.base.skipped).toEqual([
      { platform: 'unknown/unknown', reason: expect.stringMatching(/attestation/) },
    ]);
    const raw = skopeo(['inspect', '--raw', `oci:${dir}:v1`]) as RawManifest;
    expect(raw.manifests?.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    // skopeo resolves the index to this machine's platform (Digest stays the index's).
    const inspect = skopeo(['inspect', `oci:${dir}:v1`]) as Inspect;
    expect(inspect.Digest).toBe(image.digest);
    expect(inspect.Layers).toEqual(image.platforms[0]?.layers.map((l) => l.digest));
    const arm = skopeo(['--override-arch', 'arm64', 'inspect', '--config', `oci:${dir}:v1`]) as Config;
    expect(arm.architecture).toBe('arm64');
    const servers = image.added.filter((l) => l.role === 'server');
    expect(servers).toHaveLength(2);
    const armServer = image.platforms[1]?.layers.find((l) => l.role === 'server');
    const listing = execFileSync(
      'tar',
      ['-tzf', path.join(dir, 'blobs/sha256', (armServer?.digest ?? '').slice(7))],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      },
    );
    expect(listing).toContain('linux/arm64/onnxruntime_binding.node');
    expect(listing).not.toContain('linux/x64');
    // Shared layers are shared.
    const model = (i: number): string | undefined =>
      image.platforms[i]?.layers.find((l) => l.role === 'model')?.digest;
    expect(model(0)).toBe(model(1));
    // Reproducible as an index too.
    const again = await buildTestImage(path.join(tmp, 'multi-2'), { baseTag: 'multi' });
    expect(again.image.digest).toBe(image.digest);
  });

  it('leaves the server out when the base image already carries it', async () => {
    const first = path.join(tmp, 'server-base');
    await buildTestImage(first, { tags: ['with-server'] });
    const store = await OciLayout.open(first, { create: false });
    const base = await readBaseImage(store, 'with-server', `oci:${first}:with-server`);
    const { image } = await buildTestImage(path.join(tmp, 'on-server'), { base });
    expect(image.serverIncluded).toBe(false);
    expect(image.added.map((l) => l.role)).toEqual(['model', 'serve-config']);
    expect(image.labels[LABEL_SERVER]).toBe('0.1.0');
  });

  it('names what is wrong with a base reference', async () => {
    const store = await OciLayout.open(testBaseLayout(), { create: false });
    await expect(readBaseImage(store, 'nope', 'oci:base:nope')).rejects.toThrow(
      /base image 'oci:base:nope' not found.*tags there: multi, node/,
    );
  });

  it('builds from a docker-schema2 base, mapping its layer media types to OCI', async () => {
    const src = testBaseLayout();
    const dir = path.join(tmp, 'docker-base');
    execFileSync('skopeo', ['copy', '--format', 'v2s2', `oci:${src}:node`, `oci:${dir}:docker`]);
    const store = await OciLayout.open(dir, { create: false });
    const base = await readBaseImage(store, 'docker', 'oci:docker-base:docker');
    expect(base.images[0]?.manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const out = path.join(tmp, 'from-docker');
    await buildTestImage(out, { base });
    const raw = skopeo(['inspect', '--raw', `oci:${out}:v1`]) as RawManifest;
    expect(raw.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip')).toBe(true);
    writeFileSync(path.join(tmp, 'ok'), '');
  });
});
