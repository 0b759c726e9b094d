import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANNOTATION_MODEL_FILEPATH,
  ARTIFACT_TYPE_EVALUATION,
  ARTIFACT_TYPE_MODEL_CARD,
  MEDIA_TYPE_MODEL_CONFIG,
  MEDIA_TYPE_MODEL_WEIGHT_RAW,
  MODEL_ARTIFACT_TYPE,
  OciLayout,
  RegistryClient,
  attachReferrer,
  copyManifest,
  pushModel,
  readReferrers,
  referrersTagFor,
  resolveModel,
  type ImageIndex,
  type ImageManifest,
  type OciStore,
} from '@mlops-actions/registry';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { skopeoInspect } from './fixtures.js';

const MODEL = path.resolve('examples/breast-cancer/baseline/model.onnx');
let reg: TestRegistry;
let dir: string;
beforeAll(async () => {
  reg = await startRegistry();
  dir = await mkdtemp(path.join(tmpdir(), 'model-test-'));
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

const opts = {
  modelPath: MODEL,
  name: 'breast-cancer',
  version: '1.0.0',
  createdAt: '2026-01-01T00:00:00Z',
  revision: 'abc123',
  annotations: { 'io.mlops-actions.model.task': 'binary-classification' },
};

async function checkStore(
  store: OciStore,
  skopeoRef: (tag: string) => string,
  resolveRef: string,
): Promise<void> {
  const pushed = await pushModel(store, { ...opts, tags: ['candidate'] });
  const raw = (await skopeoInspect(skopeoRef('1.0.0'), ['--raw'])) as ImageManifest;
  expect(raw.artifactType).toBe(MODEL_ARTIFACT_TYPE);
  expect(raw.config.mediaType).toBe(MEDIA_TYPE_MODEL_CONFIG);
  expect(raw.layers[0]?.mediaType).toBe(MEDIA_TYPE_MODEL_WEIGHT_RAW);
  expect(raw.layers[0]?.annotations?.[ANNOTATION_MODEL_FILEPATH]).toBe('model.onnx');
  const cfg = JSON.parse((await store.getBlob(raw.config.digest)).toString('utf8')) as {
    config: { format: string };
    modelfs: { diff_ids: string[] };
    descriptor: { version: string };
  };
  expect(cfg.config.format).toBe('onnx');
  expect(cfg.modelfs.diff_ids).toEqual([pushed.weightDigest]);
  expect(cfg.descriptor.version).toBe('1.0.0');

  const card = await attachReferrer(store, pushed.descriptor, {
    artifactType: ARTIFACT_TYPE_MODEL_CARD,
    content: '# Model card\n',
    filename: 'MODEL_CARD.md',
  });
  await attachReferrer(store, pushed.descriptor, {
    artifactType: ARTIFACT_TYPE_EVALUATION,
    content: JSON.stringify({ stage: 'evaluate', values: { roc_auc: { candidate: 0.99 } } }),
  });
  const fallback = (await skopeoInspect(skopeoRef(referrersTagFor(pushed.descriptor.digest)), [
    '--raw',
  ])) as ImageIndex;
  expect(fallback.manifests.map((m) => m.artifactType)).toEqual([
    ARTIFACT_TYPE_MODEL_CARD,
    ARTIFACT_TYPE_EVALUATION,
  ]);
  expect(fallback.manifests[0]?.digest).toBe(card.digest);
  const evals = await readReferrers(store, pushed.descriptor.digest, ARTIFACT_TYPE_EVALUATION);
  expect(JSON.parse(evals[0]!.content.toString('utf8')).values.roc_auc.candidate).toBe(0.99);

  await store.tag('production', pushed.descriptor);
  const resolved = await resolveModel(resolveRef, { cacheDir: path.join(dir, 'cache'), dockerConfig: false });
  expect(resolved.digest).toBe(pushed.descriptor.digest);
  expect((await readFile(resolved.localPath)).equals(await readFile(MODEL))).toBe(true);
  const session = await ort.InferenceSession.create(resolved.localPath);
  expect(session.inputNames.length).toBeGreaterThan(0);
}

describe('ModelPack model artifacts', () => {
  it('in an OCI layout (embedded default): skopeo reads them, resolveModel loads in onnxruntime', async () => {
    const layoutDir = path.join(dir, 'registry');
    const layout = await OciLayout.open(layoutDir);
    await checkStore(layout, (t) => `oci:${layoutDir}:${t}`, `oci:${layoutDir}:production`);
  });

  it('in docker-registry (no referrers API → fallback tag), same digest as the layout', async () => {
    const repo = new RegistryClient(reg.host, { dockerConfig: false }).repository('models/breast-cancer');
    await checkStore(
      repo,
      (t) => `docker://${reg.host}/models/breast-cancer:${t}`,
      `${reg.host}/models/breast-cancer:production`,
    );
    const layout = await OciLayout.open(path.join(dir, 'registry'));
    expect((await repo.resolve('1.0.0'))?.digest).toBe((await layout.resolve('1.0.0'))?.digest);
  });

  it('copies a model with its referrers between stores', async () => {
    const layout = await OciLayout.open(path.join(dir, 'registry'));
    const repo = new RegistryClient(reg.host, { dockerConfig: false }).repository('models/copied');
    const res = await copyManifest(layout, '1.0.0', repo, { referrers: true });
    expect(res.referrers).toBe(2);
    expect(await repo.referrers(res.descriptor.digest)).toHaveLength(2);
  });

  it('names what is missing when a tag does not exist or is not a model', async () => {
    const layoutDir = path.join(dir, 'registry');
    await expect(resolveModel(`oci:${layoutDir}:staging`)).rejects.toThrow(
      /no model 'staging' \(tags: .*production/,
    );
    await expect(resolveModel(`oci:${path.join(dir, 'nowhere')}:production`)).rejects.toThrow(
      /no OCI image layout/,
    );
  });
});
