import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StageClock, sha256File, writeStageResult, type Logger, type Spec } from '@mlops-actions/core';
import {
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
  ARTIFACT_TYPE_EVALUATION,
  ARTIFACT_TYPE_PROMOTION_AUDIT,
  MODEL_ARTIFACT_TYPE,
  OciLayout,
  RegistryClient,
  readReferrers,
} from '@mlops-actions/registry';
import type { StageContext } from '@mlops-actions/stages';
// The stage folder directly: the stage list wires it in separately.
import {
  modelRegistryResolver,
  promote,
  type PromoteDetails,
  type RawPromote,
} from '../../packages/stages/src/promote/index.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const execFileP = promisify(execFile);
const MODEL_A = path.resolve('examples/breast-cancer/baseline/model.onnx');
const MODEL_B = path.resolve('examples/wine/baseline/model.onnx');

let dir: string;
let reg: TestRegistry;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'promote-test-'));
  reg = await startRegistry();
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

const lines: string[] = [];
const log: Logger = {
  info: (m) => lines.push(m),
  warn: (m) => lines.push(`warn: ${m}`),
  error: (m) => lines.push(`error: ${m}`),
  group: (_n, fn) => fn(),
};

function fakeSpec(project: string, section: Partial<RawPromote>): Spec {
  const sdir = path.join(dir, project);
  return {
    version: 1,
    project,
    model: { name: project, path: 'model.onnx', task: 'binary-classification' },
    report: { title: project, comment: 'update', key: project, maxSlices: 5 },
    sections: {
      promote: {
        environment: 'production',
        approval: 'none',
        store: '.model-store',
        insecure: false,
        to: 'production',
        require: [],
        ...section,
      },
    },
    file: path.join(sdir, 'mlops.yml'),
    dir: sdir,
    digest: '0'.repeat(64),
  };
}

function context(spec: Spec): StageContext {
  return {
    log,
    resultsDir: path.join(spec.dir, '.mlops'),
    cwd: spec.dir,
    host: 'local',
    cache: undefined as never,
  };
}

async function useModel(spec: Spec, file: string): Promise<void> {
  await mkdir(spec.dir, { recursive: true });
  await copyFile(file, path.join(spec.dir, 'model.onnx'));
}

async function runPromote(spec: Spec, settings: Record<string, unknown> = {}) {
  const ctx = context(spec);
  const config = await promote.configure(spec, settings, ctx);
  const result = await promote.run(config, ctx);
  return { result, details: result.details as unknown as PromoteDetails };
}

/** skopeo reads artifacts only raw ("unsupported image-specific operation" otherwise): hash its bytes. */
async function skopeoDigest(ref: string): Promise<string> {
  const { stdout } = await execFileP('skopeo', ['inspect', '--raw', '--tls-verify=false', ref], {
    encoding: 'buffer',
  });
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
}

describe('promote on the embedded OCI layout registry', () => {
  let spec: Spec;
  beforeAll(() => {
    spec = fakeSpec('local', {});
  });
  const store = () => OciLayout.open(path.join(spec.dir, '.model-store'), { create: false });

  it('first promotion: production names the verified digest; the audit record is a referrer', async () => {
    await useModel(spec, MODEL_A);
    const { result, details } = await runPromote(spec);
    expect(result.status).toBe('passed');
    expect(details.changed).toBe(true);
    expect(details.from).toBeNull();
    const layout = await store();
    expect((await layout.resolve('production'))?.digest).toBe(details.to);
    expect(await layout.resolve('production-previous')).toBeUndefined();
    expect(await skopeoDigest(`oci:${layout.dir}:production`)).toBe(details.to);
    const manifest = await layout.getManifest('production');
    expect(manifest?.manifest.artifactType).toBe(MODEL_ARTIFACT_TYPE);
    expect(details.model?.weights).toBe(`sha256:${await sha256File(MODEL_A)}`);
    const audits = await readReferrers(layout, details.to!, ARTIFACT_TYPE_PROMOTION_AUDIT);
    expect(audits).toHaveLength(1);
    const audit = JSON.parse(audits[0]!.content.toString('utf8'));
    expect(audit).toMatchObject({ action: 'promote', channel: 'production', from: null, to: details.to });
    expect(audit.approval.method).toBe('none');
    expect(details.audit?.digest).toBe(audits[0]!.descriptor.digest);
    // the plain store layout evaluate's local baseline reads today
    expect(
      (await readFile(path.join(layout.dir, 'production', 'model.onnx'))).equals(await readFile(MODEL_A)),
    ).toBe(true);
    const section = promote.report(result, { maxSlices: 5 })[0]!.markdown;
    expect(section).toContain('production');
    expect(section).toContain(details.audit!.digest.slice(0, 19));
  });

  it('second model: production moves, the old digest becomes production-previous; re-running moves nothing', async () => {
    const layout = await store();
    const before = (await layout.resolve('production'))!.digest;
    await useModel(spec, MODEL_B);
    const { details } = await runPromote(spec);
    expect(details).toMatchObject({ changed: true, from: before, previous: before });
    expect((await layout.resolve('production'))?.digest).toBe(details.to);
    expect((await layout.resolve('production-previous'))?.digest).toBe(before);
    const again = await runPromote(spec);
    expect(again.result.status).toBe('passed');
    expect(again.details.changed).toBe(false);
    expect((await layout.resolve('production-previous'))?.digest).toBe(before);
  });

  it('--rollback restores production-previous in one step, and records it', async () => {
    const layout = await store();
    const current = (await layout.resolve('production'))!.digest;
    const previous = (await layout.resolve('production-previous'))!.digest;
    const { result, details } = await runPromote(spec, { rollback: true });
    expect(result.status).toBe('passed');
    expect(details).toMatchObject({
      action: 'rollback',
      from: current,
      to: previous,
      previous: current,
      changed: true,
    });
    expect((await layout.resolve('production'))?.digest).toBe(previous);
    expect((await layout.resolve('production-previous'))?.digest).toBe(current);
    const audits = await readReferrers(layout, previous, ARTIFACT_TYPE_PROMOTION_AUDIT);
    expect(audits.map((a) => JSON.parse(a.content.toString('utf8')).action)).toEqual(['promote', 'rollback']);
    expect(
      (await readFile(path.join(layout.dir, 'production', 'model.onnx'))).equals(await readFile(MODEL_A)),
    ).toBe(true);
  });

  it('a failed earlier stage blocks the promotion (exit 1), and nothing moves', async () => {
    const s = fakeSpec('blocked', {});
    await useModel(s, MODEL_A);
    const ctx = context(s);
    await writeStageResult(
      ctx.resultsDir,
      new StageClock('load-test').finish({ status: 'failed', summary: 'p(99) 80 ms > 50 ms' }),
    );
    const { result, details } = await runPromote(s);
    expect(result.status).toBe('failed');
    expect(details.blocked).toMatch(/load-test failed/);
    expect(details.gates).toEqual([expect.objectContaining({ stage: 'load-test', status: 'failed' })]);
    const layout = await OciLayout.open(path.join(s.dir, '.model-store'));
    expect(await layout.resolve('production')).toBeUndefined();
  });

  it('a required stage result that is missing blocks; one that passed lets it through and is attached', async () => {
    const s = fakeSpec('required', { require: ['evaluate'] });
    await useModel(s, MODEL_A);
    const blocked = await runPromote(s);
    expect(blocked.result.status).toBe('failed');
    expect(blocked.details.blocked).toMatch(/missing.*evaluate/);
    const ctx = context(s);
    await writeStageResult(
      ctx.resultsDir,
      new StageClock('evaluate').finish({
        status: 'passed',
        summary: 'ok',
        model: { name: 'required', sha256: await sha256File(MODEL_A) },
      }),
    );
    const ok = await runPromote(s);
    expect(ok.result.status).toBe('passed');
    const layout = await OciLayout.open(path.join(s.dir, '.model-store'));
    expect(await readReferrers(layout, ok.details.to!, ARTIFACT_TYPE_EVALUATION)).toHaveLength(1);
  });

  it('refuses a model whose weights are not the evaluated ones', async () => {
    const s = fakeSpec('mismatch', {});
    await useModel(s, MODEL_B);
    await writeStageResult(
      context(s).resultsDir,
      new StageClock('evaluate').finish({
        status: 'passed',
        summary: 'ok',
        model: { name: 'm', sha256: await sha256File(MODEL_A) },
      }),
    );
    await expect(runPromote(s)).rejects.toThrow(/not promoting a different model/);
  });

  it('moves the image of image.json along with the model, and refuses an image of another model', async () => {
    const s = fakeSpec('with-image', {});
    await useModel(s, MODEL_A);
    const ctx = context(s);
    const imageDir = path.join(s.dir, 'oci');
    const images = await OciLayout.open(imageDir);
    const imageDigests: string[] = [];
    for (const [i, model] of [MODEL_A, MODEL_B].entries()) {
      const layer = await images.putBlob(`layer ${i}`, MEDIA_TYPE_OCI_LAYER_TAR);
      const config = await images.putBlob(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
        }),
        MEDIA_TYPE_OCI_CONFIG,
      );
      const desc = await images.putManifest(
        { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers: [layer] },
        'latest',
      );
      imageDigests.push(desc.digest);
      await useModel(s, model);
      await writeStageResult(
        ctx.resultsDir,
        new StageClock('image').finish({
          status: 'passed',
          summary: 'built',
          details: {
            image: { location: `oci:${imageDir}`, digest: desc.digest },
            model: { sha256: await sha256File(model) },
          },
        }),
      );
      const { details } = await runPromote(s);
      expect(details.image).toMatchObject({ to: desc.digest, changed: true });
      expect((await images.resolve('production'))?.digest).toBe(desc.digest);
    }
    expect((await images.resolve('production-previous'))?.digest).toBe(imageDigests[0]);
    const rb = await runPromote(s, { rollback: true });
    expect(rb.details.image).toMatchObject({ to: imageDigests[0] });
    expect((await images.resolve('production'))?.digest).toBe(imageDigests[0]);
    // image.json names a model other than the spec's: blocked before anything moves
    await useModel(s, MODEL_A);
    const blocked = await runPromote(s);
    expect(blocked.result.status).toBe('failed');
    expect(blocked.details.blocked).toMatch(/image\.json's image carries model/);
  });

  it("evaluate's registry baseline resolves production to the promoted digest; none before the first promotion", async () => {
    const s = fakeSpec('baseline', {});
    const resolver = modelRegistryResolver(s, { resultsDir: context(s).resultsDir, cwd: s.dir });
    expect(await resolver.resolve({ kind: 'registry', registry: 'production' })).toBeUndefined();
    await useModel(s, MODEL_B);
    const { details } = await runPromote(s);
    const baseline = await resolver.resolve({ kind: 'registry', registry: 'production' });
    expect(baseline?.source).toContain(details.to!);
    expect(await sha256File(baseline!.path)).toBe(await sha256File(MODEL_B));
  });

  it('rollback with no previous says so', async () => {
    const s = fakeSpec('norollback', {});
    await useModel(s, MODEL_A);
    await runPromote(s);
    await expect(runPromote(s, { rollback: true })).rejects.toThrow(
      /no 'production-previous' tag: nothing to roll back to/,
    );
  });
});

describe('promote against the real docker-registry', () => {
  it('moves the tag by digest (skopeo agrees) and rolls back in one step', async () => {
    const registry = `${reg.host}/models/churn`;
    const spec = fakeSpec('remote', { registry });
    await useModel(spec, MODEL_A);
    const first = await runPromote(spec);
    await useModel(spec, MODEL_B);
    const second = await runPromote(spec);
    expect(second.details).toMatchObject({
      changed: true,
      from: first.details.to,
      previous: first.details.to,
    });
    expect(await skopeoDigest(`docker://${registry}:production`)).toBe(second.details.to);
    expect(await skopeoDigest(`docker://${registry}:production-previous`)).toBe(first.details.to);
    const rb = await runPromote(spec, { rollback: true });
    expect(rb.details.to).toBe(first.details.to);
    expect(await skopeoDigest(`docker://${registry}:production`)).toBe(first.details.to);
    expect(await skopeoDigest(`docker://${registry}:production-previous`)).toBe(second.details.to);
    const repo = new RegistryClient(reg.host, { dockerConfig: false }).repository('models/churn');
    const audits = await readReferrers(repo, first.details.to!, ARTIFACT_TYPE_PROMOTION_AUDIT);
    expect(audits.map((a) => JSON.parse(a.content.toString('utf8')).action)).toEqual(['promote', 'rollback']);
  });
});
