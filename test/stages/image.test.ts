/**
 * The image stage end to end: spec section → config → build → image.json and report, into the
 * embedded-default OCI layout and to a real registry (Debian's docker-registry on loopback).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, loadSpec, readStageResult, silentLogger, type Spec } from '@mlops-actions/core';
import { LocalDirCache, type StageContext } from '@mlops-actions/stages';
import {
  image as imageStage,
  imageConfig,
  type ImageDetails,
} from '../../packages/stages/src/image/index.js';
import { resolveModel } from '../../packages/registry/src/index.js';
import { REPO_ROOT, testBaseLayout } from '../image/helpers/base-image.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-image-stage-'));
let registry: TestRegistry | undefined;
afterAll(async () => {
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

let baseLayout: string;
beforeAll(() => {
  baseLayout = testBaseLayout();
});

/** A project dir with the wine model, a card and a spec; the image section set after loading. */
async function project(name: string, section: Record<string, unknown>): Promise<{ spec: Spec; dir: string }> {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'artifacts'), { recursive: true });
  copyFileSync(
    path.join(REPO_ROOT, 'examples/wine/baseline/model.onnx'),
    path.join(dir, 'artifacts/model.onnx'),
  );
  writeFileSync(
    path.join(dir, 'artifacts/model-card.json'),
    JSON.stringify({ schemaVersion: 1, note: 'test card' }),
  );
  writeFileSync(
    path.join(dir, 'mlops.yml'),
    'version: 1\nmodel: { name: wine, path: artifacts/model.onnx, task: multiclass-classification }\n',
  );
  const spec = await loadSpec(path.join(dir, 'mlops.yml'));
  // The stage's section is set directly: schemas/mlops.schema.json is regenerated from the stage parts by the lead.
  spec.sections.image = section;
  return { spec, dir };
}

function context(dir: string): StageContext {
  const resultsDir = path.join(dir, '.mlops');
  return {
    log: silentLogger,
    resultsDir,
    cwd: dir,
    host: 'local',
    cache: new LocalDirCache(path.join(resultsDir, 'cache')),
  };
}

function sha256sum(file: string): string {
  return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0] ?? '';
}

describe('image stage', () => {
  it('builds into the embedded-default layout, writes image.json, reports layers and what changed', async () => {
    const { spec, dir } = await project('layout', {
      name: 'wine',
      tags: ['v1', 'latest'],
      base: `oci:${baseLayout}:node`,
    });
    const ctx = context(dir);
    // An evaluate result in the same results dir gives the headline metrics to the labels.
    mkdirSync(ctx.resultsDir, { recursive: true });
    const config = await imageStage.configure(spec, {}, ctx);
    expect(config.target).toEqual({ kind: 'layout', dir: path.join(ctx.resultsDir, 'oci') });
    expect(config.model.card).toBe(path.join(dir, 'artifacts/model-card.json'));

    const result = await imageStage.run(config, ctx);
    expect(result.status).toBe('passed');
    const onDisk = await readStageResult(ctx.resultsDir, 'image');
    expect(onDisk?.details).toEqual(result.details);
    const d = result.details as unknown as ImageDetails;
    expect(d.image.reference).toBe(`wine@${d.image.digest}`);
    expect(d.image.tagReferences).toEqual([
      `oci:${ctx.resultsDir}/oci:v1`,
      `oci:${ctx.resultsDir}/oci:latest`,
    ]);
    expect(d.model.sha256).toBe(sha256sum(path.join(dir, 'artifacts/model.onnx')));
    expect(d.previous).toBeNull();
    // skopeo is the independent reader.
    const inspect = JSON.parse(
      execFileSync('skopeo', ['inspect', `oci:${ctx.resultsDir}/oci:v1`], { encoding: 'utf8' }),
    ) as {
      Digest: string;
      Labels: Record<string, string>;
      Layers: string[];
    };
    expect(inspect.Digest).toBe(d.image.digest);
    expect(inspect.Labels['org.opencontainers.image.version']).toBe('v1');
    expect(inspect.Labels['dev.mlops-actions.model.digest']).toBe(`sha256:${d.model.sha256}`);
    expect(inspect.Layers).toEqual(d.platforms[0]?.layers.map((l) => l.digest));
    expect(result.values.image_bytes?.candidate).toBe(d.platforms[0]?.layers.reduce((n, l) => n + l.size, 0));
    // The card is in the model layer.
    const modelLayer = d.platforms[0]?.layers.find((l) => l.role === 'model');
    const listing = execFileSync(
      'tar',
      ['-tzf', path.join(ctx.resultsDir, 'oci/blobs/sha256', (modelLayer?.digest ?? '').slice(7))],
      {
        encoding: 'utf8',
      },
    );
    expect(listing).toContain('opt/mlops/model/model-card.json');

    const md = imageStage
      .report(result, { maxSlices: 5 })
      .map((s) => s.markdown)
      .join('\n');
    expect(md).toContain('### Build image');
    expect(md).toContain('model server (mlops CLI + onnxruntime-node)');
    expect(md).toContain('No previous image under this tag');
    expect(imageStage.action.outputs(result, config)).toMatchObject({
      digest: d.image.digest,
      image: d.image.reference,
      tags: 'v1,latest',
      'model-ref': d.model.reference,
    });
    // The model is its own ModelPack artifact in the same store, weights verified on the way out.
    expect(d.model.artifact?.tag).toMatch(/:model-[0-9a-f]{12}$/);
    const artifact = await resolveModel(d.model.artifact!.tag, { cacheDir: path.join(tmp, 'model-cache') });
    expect(artifact.digest).toBe(d.model.artifact!.digest);
    expect(artifact.weightDigest).toBe(`sha256:${d.model.sha256}`);

    // Same inputs again: same digest, reported as the same image.
    const again = await imageStage.run(config, ctx);
    const d2 = again.details as unknown as ImageDetails;
    expect(d2.image.digest).toBe(d.image.digest);
    expect(d2.previous?.changes.every((c) => c.status === 'same')).toBe(true);
    expect(imageStage.report(again, { maxSlices: 5 })[0]?.markdown).toContain('Same image as before');

    // A new model: only the model layer changed.
    copyFileSync(
      path.join(REPO_ROOT, 'examples/breast-cancer/baseline/model.onnx'),
      path.join(dir, 'artifacts/model.onnx'),
    );
    const third = await imageStage.run(config, ctx);
    const d3 = third.details as unknown as ImageDetails;
    expect(d3.image.digest).not.toBe(d.image.digest);
    expect(Object.fromEntries(d3.previous?.changes.map((c) => [c.role, c.status]) ?? [])).toEqual({
      base: 'same',
      server: 'same',
      model: 'changed',
      'serve-config': 'same',
    });
    const md3 = imageStage.report(third, { maxSlices: 5 })[0]?.markdown ?? '';
    expect(md3).toContain('Changes since the previous image');
    expect(md3).toMatch(/model \+ model card \| \*\*changed\*\*/);
  });

  it('pushes to a registry given by --registry, and skopeo reads it back by digest', async () => {
    registry = await startRegistry({ auth: 'none' });
    const { spec, dir } = await project('push', { name: 'team/wine', base: `oci:${baseLayout}:multi` });
    const ctx = context(dir);
    const settings = imageStage.cli.settings({ registry: registry.host, tag: ['v2'] }, []);
    const config = await imageStage.configure(spec, settings, ctx);
    expect(config.target).toEqual({
      kind: 'registry',
      host: registry.host,
      repository: 'team/wine',
      insecure: true,
    });
    const result = await imageStage.run(config, ctx);
    const d = result.details as unknown as ImageDetails;
    expect(d.image.location).toBe(`${registry.host}/team/wine`);
    expect(d.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    const raw = JSON.parse(
      execFileSync(
        'skopeo',
        ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/team/wine:v2`],
        { encoding: 'utf8' },
      ),
    ) as { mediaType: string; manifests: unknown[] };
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(raw.manifests).toHaveLength(2);
    const inspect = JSON.parse(
      execFileSync(
        'skopeo',
        ['inspect', '--tls-verify=false', `docker://${registry.host}/team/wine@${d.image.digest}`],
        { encoding: 'utf8' },
      ),
    ) as { Digest: string; Layers: string[] };
    expect(inspect.Digest).toBe(d.image.digest);
    expect(inspect.Layers).toEqual(d.platforms[0]?.layers.map((l) => l.digest));
    // Pushing and building into a layout give the same digest: the bytes do not depend on the target.
    const local = await imageStage.run(
      await imageStage.configure(spec, { layout: path.join(dir, 'local'), tags: ['v2'] }, ctx),
      ctx,
    );
    expect((local.details as unknown as ImageDetails).image.digest).toBe(d.image.digest);
  });

  it('says clearly when a Dockerfile is named but no Docker engine runs', async () => {
    const { spec, dir } = await project('docker', { name: 'wine', dockerfile: 'Dockerfile' });
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    const ctx = context(dir);
    const config = await imageStage.configure(spec, {}, ctx);
    const oldPath = process.env.PATH;
    // An empty PATH dir: no docker command at all (this machine has no engine either way).
    process.env.PATH = path.join(tmp, 'empty-bin');
    try {
      await expect(imageStage.run(config, ctx)).rejects.toThrow(
        /image\.dockerfile is set \(Dockerfile\) but no Docker engine is available \(no 'docker' command on PATH\)/,
      );
    } finally {
      process.env.PATH = oldPath;
    }
  });

  it('names the field when the section is wrong', async () => {
    const { spec, dir } = await project('bad', { name: 'wine', tags: ['bad tag'] });
    expect(() => imageConfig(spec, {}, path.join(dir, '.mlops'), dir)).toThrow(InputError);
    expect(() => imageConfig(spec, {}, path.join(dir, '.mlops'), dir)).toThrow(
      /image\.tags: invalid tag 'bad tag'/,
    );
    spec.sections.image = { name: 'wine', registry: {} };
    expect(() => imageConfig(spec, {}, path.join(dir, '.mlops'), dir)).toThrow(/no registry host/);
    spec.sections.image = { name: 'ghcr.io/org/wine', registry: { url: 'http://localhost:5000' } };
    expect(imageConfig(spec, {}, path.join(dir, '.mlops'), dir).target).toEqual({
      kind: 'registry',
      host: 'localhost:5000',
      repository: 'org/wine',
      insecure: true,
    });
    expect(() => imageStage.cli.settings({ layout: 'x', registry: 'y' }, [])).toThrow(/exclusive/);
    spec.sections.image = { name: 'wine', base: 'oci:missing-dir:v1' };
    const ctx = context(dir);
    const config = await imageStage.configure(spec, {}, ctx);
    await expect(imageStage.run(config, ctx)).rejects.toThrow(/missing-dir/);
  });
});
