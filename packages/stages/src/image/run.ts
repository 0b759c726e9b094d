/**
 * The image stage: build the model-server image on the base (daemonless), write it to an OCI
 * layout or push it to a registry, and record digest, references, layers and what changed since
 * the image the first tag pointed at before.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  InputError,
  StageClock,
  combineDigests,
  digestPath,
  readStageResult,
  sha256File,
  writeStageResult,
  type Logger,
  type StageResult,
} from '@mlops-actions/core';
import {
  ANNOTATION_LAYER_ROLE,
  buildImage,
  buildWithDockerfile,
  detectDockerEngine,
  ghaCacheAvailable,
  HOST_BASE_REF,
  hostBaseImage,
  lineageLabels,
  locateServerSources,
  noEngineError,
  readBaseImage,
  type BuiltImage,
  type LayerRole,
  type ServerSources,
} from '@mlops-actions/image';
import { resolveOnnxRuntime } from '@mlops-actions/inference';
import {
  ARTIFACT_TYPE_EVALUATION,
  ARTIFACT_TYPE_MODEL_CARD,
  OciLayout,
  attachReferrer,
  copyManifest,
  isIndex,
  openStore,
  pushModel,
  type OciStore,
} from '@mlops-actions/registry';
import type { StageContext } from '../context.js';
import { readGitInfo } from '../git.js';
import { findServerBundle, type ImageStageConfig } from './spec.js';

export interface LayerChange {
  role: LayerRole;
  status: 'same' | 'changed' | 'added' | 'removed';
  digest?: string;
  previous?: string;
  size?: number;
}

export interface ImageDetails {
  image: {
    name: string;
    digest: string;
    /** `name@sha256:…` */
    reference: string;
    mediaType: string;
    /** Where it was written: `oci:DIR` or `host/repository`. */
    location: string;
    tags: string[];
    /** `location:tag` for each tag, as skopeo names them. */
    tagReferences: string[];
    bytes: number;
  };
  model: {
    name: string;
    sha256: string;
    pathInImage: string;
    layerDigest?: string;
    /** The model's own OCI artifact (ModelPack): `location@digest`. */
    reference: string;
    artifact?: { reference: string; tag: string; digest: string };
  };
  base: { ref: string; digest: string; skipped: { platform: string; reason: string }[] };
  platforms: {
    platform: string;
    manifest: string;
    config: string;
    layers: { role: LayerRole; digest: string; size: number }[];
  }[];
  serverIncluded: boolean;
  labels: Record<string, string>;
  previous: { digest: string; changes: LayerChange[] } | null;
  builder: 'daemonless' | 'docker-buildx';
}

function run(cmd: string, args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 15_000 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}

/** The repository's web URL: GitHub's env inside Actions, else the origin remote (ssh forms rewritten). */
async function sourceUrl(dir: string): Promise<string | undefined> {
  const env = process.env;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY)
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
  const remote = await run('git', ['remote', 'get-url', 'origin'], dir);
  if (!remote) return undefined;
  const ssh = /^git@([^:]+):(.+?)(\.git)?$/.exec(remote);
  if (ssh) return `https://${ssh[1]}/${ssh[2]}`;
  // Credentials embedded in an https remote must not end up in a public label.
  return remote.replace(/\/\/[^@/]+@/, '//').replace(/\.git$/, '');
}

async function modelDigest(file: string): Promise<string> {
  const info = await stat(file).catch(() => {
    throw new InputError(`model ${file} does not exist: train it first or fix model.path`, { file });
  });
  if (!info.isDirectory()) return sha256File(file);
  return combineDigests(await digestPath(file, file));
}

/** The evaluate result's candidate values, when the stage ran before in this results dir. */
async function headlineMetrics(
  resultsDir: string,
): Promise<{ headline?: string; metrics: Record<string, number> }> {
  const result = await readStageResult(resultsDir, 'evaluate').catch(() => undefined);
  const metrics: Record<string, number> = {};
  for (const [name, m] of Object.entries(result?.values ?? {})) {
    if (typeof m.candidate === 'number' && Number.isFinite(m.candidate)) metrics[name] = m.candidate;
  }
  return { ...(result?.headline ? { headline: result.headline } : {}), metrics };
}

async function openTarget(
  config: ImageStageConfig,
  log: Logger,
): Promise<{ store: OciStore; location: string }> {
  if (config.target.kind === 'layout') {
    const store = await OciLayout.open(config.target.dir);
    return { store, location: `oci:${config.target.dir}` };
  }
  const { host, repository, insecure } = config.target;
  const { store } = await openStore(`${host}/${repository}`, { insecure, log });
  return { store, location: `${host}/${repository}` };
}

async function openBase(ref: string): Promise<{ store: OciStore; tagOrDigest: string }> {
  const { store, ref: parsed } = await openStore(ref, { create: false });
  if (parsed.digest) return { store, tagOrDigest: parsed.digest };
  if (parsed.tag) return { store, tagOrDigest: parsed.tag };
  if (parsed.kind === 'registry') return { store, tagOrDigest: 'latest' };
  // skopeo's rule for `oci:DIR` without a tag: the layout's only image.
  const tags = await store.listTags();
  if (tags.length === 1 && tags[0] !== undefined) return { store, tagOrDigest: tags[0] };
  throw new InputError(
    `base image '${ref}': name a tag (oci:DIR:TAG); the layout has ${tags.length === 0 ? 'no tags' : `tags ${tags.join(', ')}`}`,
  );
}

/** Our layers' roles in a stored manifest (the platform matching `platform`, for an index). */
async function layerRoles(
  store: OciStore,
  digest: string,
  platform: string,
): Promise<Map<LayerRole, string> | undefined> {
  const top = await store.getManifest(digest).catch(() => undefined);
  if (!top) return undefined;
  let manifest = top.manifest;
  if (isIndex(manifest)) {
    const entry = manifest.manifests.find(
      (m) =>
        m.platform &&
        `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` ===
          platform,
    );
    if (!entry) return undefined;
    const child = await store.getManifest(entry.digest).catch(() => undefined);
    if (!child || isIndex(child.manifest)) return undefined;
    manifest = child.manifest;
  }
  const roles = new Map<LayerRole, string>();
  const base: string[] = [];
  for (const l of manifest.layers) {
    const role = l.annotations?.[ANNOTATION_LAYER_ROLE] as LayerRole | undefined;
    if (role) roles.set(role, l.digest);
    else base.push(l.digest);
  }
  roles.set('base', combineDigests(base.map((d, i) => ({ path: String(i), sha256: d }))));
  return roles;
}

export function compareLayers(
  previous: Map<LayerRole, string>,
  current: Map<LayerRole, string>,
  sizes: Map<LayerRole, number>,
): LayerChange[] {
  const order: LayerRole[] = ['base', 'server', 'model', 'serve-config'];
  const out: LayerChange[] = [];
  for (const role of order) {
    const p = previous.get(role);
    const c = current.get(role);
    if (p === undefined && c === undefined) continue;
    const size = sizes.get(role);
    if (p === undefined)
      out.push({ role, status: 'added', digest: c, ...(size !== undefined ? { size } : {}) });
    else if (c === undefined) out.push({ role, status: 'removed', previous: p });
    else
      out.push({
        role,
        status: p === c ? 'same' : 'changed',
        digest: c,
        previous: p,
        ...(size !== undefined ? { size } : {}),
      });
  }
  return out;
}

function serverSources(config: ImageStageConfig): ServerSources | 'skip' {
  if (config.server === 'skip') return 'skip';
  const bundle = config.serverBundle ?? process.env.MLOPS_SERVER_BUNDLE ?? findServerBundle();
  if (!bundle) {
    throw new InputError(
      'the mlops CLI bundle (packages/cli/dist) that becomes the image server was not found; set MLOPS_SERVER_BUNDLE, or image.server: skip with a base that carries it',
    );
  }
  const ortMain = resolveOnnxRuntime({
    searchPaths: [process.env.MLOPS_ORT_PATH, config.specDir, process.cwd(), bundle].filter(
      (p): p is string => Boolean(p),
    ),
  });
  return locateServerSources(bundle, path.dirname(ortMain));
}

export async function runImageStage(config: ImageStageConfig, ctx: StageContext): Promise<StageResult> {
  const clock = new StageClock('image');
  const log = ctx.log;
  if (config.dockerfile) return runDockerfile(config, ctx, clock);

  const { store: target, location } = await openTarget(config, log);
  const firstTag = config.tags[0] as string;
  const previousDesc = await clock.phase('previous', () => target.resolve(firstTag).catch(() => undefined));

  const server = serverSources(config);
  const base = await clock.phase('base', async () => {
    if (config.base === HOST_BASE_REF) {
      const ortBinDir =
        server === 'skip' ? undefined : path.join(server.ortDir, 'bin/napi-v6/linux', process.arch);
      return hostBaseImage(ortBinDir ? { ortBinDir } : {});
    }
    const { store: baseStore, tagOrDigest } = await openBase(config.base);
    return readBaseImage(baseStore, tagOrDigest, config.base);
  });
  for (const s of base.skipped) log.info(`base ${config.base}: skipping ${s.platform} (${s.reason})`);

  const sha256 = await modelDigest(config.model.path);
  const { headline, metrics } = await headlineMetrics(ctx.resultsDir);
  const git = await readGitInfo(config.specDir);
  const source = await sourceUrl(config.specDir);
  const version = config.version ?? config.tags.find((t) => t !== 'latest');

  const image: BuiltImage = await clock.phase('build', () =>
    buildImage({
      base,
      target,
      tags: config.tags,
      model: { model: config.model.path, ...(config.model.card ? { card: config.model.card } : {}) },
      modelInfo: {
        name: config.model.name,
        task: config.model.task,
        sha256,
        ...(headline ? { headline } : {}),
        metrics,
      },
      server,
      lineage: {
        ...(source ? { source } : {}),
        ...(git.commit ? { revision: git.commit } : {}),
        ...(version ? { version } : {}),
      },
      port: config.port,
      user: config.user,
      log,
    }),
  );

  const first = image.platforms[0];
  let previous: ImageDetails['previous'] = null;
  if (previousDesc && first) {
    const before = await layerRoles(target, previousDesc.digest, first.platform);
    const now = await layerRoles(target, image.digest, first.platform);
    if (before && now) {
      const sizes = new Map(
        first.layers.filter((l) => l.role !== 'base').map((l) => [l.role, l.size] as const),
      );
      previous = { digest: previousDesc.digest, changes: compareLayers(before, now, sizes) };
    }
  }

  const bytes = first ? first.layers.reduce((n, l) => n + l.size, 0) : 0;
  const added = image.added.reduce((n, l) => n + l.size, 0);
  const modelLayer = image.added.find((l) => l.role === 'model');
  const reference = `${config.name}@${image.digest}`;
  // The model also travels as its own OCI artifact (CNCF ModelPack) beside the image, with its
  // card and evaluation attached as referrers: the registry is the model registry.
  const artifact = await clock.phase('model-artifact', async () => {
    const version = `model-${sha256.slice(0, 12)}`;
    const pushed = await pushModel(target, {
      modelPath: config.model.path,
      name: config.model.name,
      version,
      ...(git.commit ? { revision: git.commit } : {}),
    });
    if (config.model.card) {
      await attachReferrer(target, pushed.descriptor, {
        artifactType: ARTIFACT_TYPE_MODEL_CARD,
        content: { file: config.model.card },
        mediaType: 'application/json',
        filename: 'model-card.json',
      });
    }
    const evaluation = path.join(ctx.resultsDir, 'evaluate.json');
    if (existsSync(evaluation)) {
      await attachReferrer(target, pushed.descriptor, {
        artifactType: ARTIFACT_TYPE_EVALUATION,
        content: { file: evaluation },
        filename: 'evaluate.json',
      });
    }
    return {
      reference: `${location}@${pushed.descriptor.digest}`,
      tag: `${location}:${version}`,
      digest: pushed.descriptor.digest,
    };
  });
  const details: ImageDetails = {
    image: {
      name: config.name,
      digest: image.digest,
      reference,
      mediaType: image.mediaType,
      location,
      tags: image.tags,
      tagReferences: image.tags.map((t) => `${location}:${t}`),
      bytes,
    },
    model: {
      name: config.model.name,
      sha256,
      pathInImage: image.modelPath,
      ...(modelLayer ? { layerDigest: modelLayer.digest } : {}),
      reference: artifact.reference,
      artifact,
    },
    base: image.base,
    platforms: image.platforms.map((p) => ({
      platform: p.platform,
      manifest: p.manifest.digest,
      config: p.config.digest,
      layers: p.layers.map((l) => ({ role: l.role, digest: l.digest, size: l.size })),
    })),
    serverIncluded: image.serverIncluded,
    labels: image.labels,
    previous,
    builder: 'daemonless',
  };
  const changed = previous?.changes.filter((c) => c.status !== 'same').map((c) => c.role) ?? [];
  const result = clock.finish({
    status: 'passed',
    summary:
      `${reference.replace(/(sha256:[a-f0-9]{12})[a-f0-9]+/, '$1')} → ${location}:${firstTag}` +
      (previous ? (changed.length ? `; changed: ${changed.join(', ')}` : '; unchanged') : ''),
    ...(config.specDigest ? { specDigest: config.specDigest } : {}),
    model: { name: config.model.name, path: config.model.path, sha256 },
    inputs: {
      model: { path: config.model.path, sha256 },
      ...(config.model.card
        ? { 'model-card': { path: config.model.card, sha256: await sha256File(config.model.card) } }
        : {}),
    },
    values: {
      image_bytes: { candidate: bytes, unit: 'bytes', direction: 'lower-is-better' },
      added_bytes: { candidate: added, unit: 'bytes', direction: 'lower-is-better' },
      layers: { candidate: first?.layers.length ?? 0, unit: 'count', direction: 'neutral' },
    },
    artifacts: [
      {
        name: 'image',
        sha256: image.digest.slice('sha256:'.length),
        ...(config.target.kind === 'layout'
          ? { path: config.target.dir }
          : { url: `${location}@${image.digest}` }),
      },
    ],
    details: details as unknown as Record<string, unknown>,
  });
  await writeStageResult(ctx.resultsDir, result);
  return result;
}

async function runDockerfile(
  config: ImageStageConfig,
  ctx: StageContext,
  clock: StageClock,
): Promise<StageResult> {
  const dockerfile = config.dockerfile as string;
  const engine = await detectDockerEngine();
  if (!engine.available)
    throw noEngineError(path.relative(config.specDir, dockerfile) || dockerfile, engine.reason);
  ctx.log.info(`image: building ${dockerfile} with docker buildx (engine ${engine.version})`);
  const sha256 = await modelDigest(config.model.path);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'mlops-buildx-'));
  try {
    const push = config.target.kind === 'registry';
    const repo =
      config.target.kind === 'registry' ? `${config.target.host}/${config.target.repository}` : config.name;
    const git = await readGitInfo(config.specDir);
    const labels = lineageLabels(
      { name: config.model.name, task: config.model.task, sha256 },
      { ...(git.commit ? { revision: git.commit } : {}) },
      new Date(0).toISOString().replace('.000Z', 'Z'),
      undefined,
    );
    // Without a registry buildx writes an OCI layout directory, copied into the target layout.
    const ociDest = path.join(tmp, 'oci');
    const { digest } = await clock.phase('build', () =>
      buildWithDockerfile({
        dockerfile,
        context: config.context ?? config.specDir,
        tags: config.tags.map((t) => `${repo}:${t}`),
        push,
        ociDest,
        labels,
        metadataFile: path.join(tmp, 'metadata.json'),
        ghaCache: ghaCacheAvailable(),
      }),
    );
    if (!push && config.target.kind === 'layout') {
      await copyManifest(
        await OciLayout.open(ociDest, { create: false }),
        digest,
        await OciLayout.open(config.target.dir),
        {
          tags: config.tags,
          log: ctx.log,
        },
      );
    }
    const reference = `${config.name}@${digest}`;
    const result = clock.finish({
      status: 'passed',
      summary: `${reference} built with docker buildx`,
      model: { name: config.model.name, path: config.model.path, sha256 },
      inputs: { model: { path: config.model.path, sha256 } },
      values: {},
      artifacts: [{ name: 'image', sha256: digest.slice(7) }],
      details: {
        image: {
          name: config.name,
          digest,
          reference,
          location: push ? repo : `oci:${config.target.kind === 'layout' ? config.target.dir : ociDest}`,
          tags: config.tags,
        },
        model: { name: config.model.name, sha256, reference },
        builder: 'docker-buildx',
        previous: null,
      },
    });
    await writeStageResult(ctx.resultsDir, result);
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
