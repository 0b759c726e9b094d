/**
 * Models as OCI artifacts with the CNCF ModelPack media types (modelpack/model-spec):
 * - manifest `artifactType` application/vnd.cncf.model.manifest.v1+json;
 * - config application/vnd.cncf.model.config.v1+json: `descriptor` (name, version, createdAt,
 *   revision, sourceURL), `config.format` ("onnx"), `modelfs` {type: layers, diff_ids};
 * - each file a application/vnd.cncf.model.weight.v1.raw layer (the file's bytes, so diff_id ==
 *   digest) annotated `org.cncf.model.filepath`.
 * The model card, the evaluation result and promotion audit records are attached as referrers
 * (`subject` = the model manifest); stores without a referrers API use the fallback tag.
 * Same inputs (file bytes, metadata, `createdAt`) → same manifest digest.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '@mlops-actions/core';
import { OciLayout, sha256FileDescriptor } from './layout.js';
import { openStore, type OpenStoreOptions } from './open.js';
import type { OciStore } from './store.js';
import {
  MEDIA_TYPE_OCI_EMPTY,
  MEDIA_TYPE_OCI_MANIFEST,
  isDigest,
  isIndex,
  type Descriptor,
  type ImageManifest,
} from './types.js';

export const MODEL_ARTIFACT_TYPE = 'application/vnd.cncf.model.manifest.v1+json';
export const MEDIA_TYPE_MODEL_CONFIG = 'application/vnd.cncf.model.config.v1+json';
export const MEDIA_TYPE_MODEL_WEIGHT_RAW = 'application/vnd.cncf.model.weight.v1.raw';
export const MEDIA_TYPE_MODEL_DOC_RAW = 'application/vnd.cncf.model.doc.v1.raw';
export const ANNOTATION_MODEL_FILEPATH = 'org.cncf.model.filepath';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const ANNOTATION_VERSION = 'org.opencontainers.image.version';
export const ANNOTATION_REVISION = 'org.opencontainers.image.revision';
export const ANNOTATION_SOURCE = 'org.opencontainers.image.source';
export const ANNOTATION_TITLE = 'org.opencontainers.image.title';

/** Referrer artifact types this project attaches to a model manifest. */
export const ARTIFACT_TYPE_MODEL_CARD = 'application/vnd.mlops-actions.model-card.v1';
export const ARTIFACT_TYPE_EVALUATION = 'application/vnd.mlops-actions.evaluation.v1+json';
export const ARTIFACT_TYPE_PROMOTION_AUDIT = 'application/vnd.mlops-actions.promotion-audit.v1+json';

export interface ModelConfig {
  descriptor: {
    name?: string;
    version?: string;
    createdAt?: string;
    revision?: string;
    sourceURL?: string;
    description?: string;
    licenses?: string[];
  };
  config: { format?: string; architecture?: string; precision?: string };
  modelfs: { type: 'layers'; diff_ids: string[] };
}

export interface PushModelOptions {
  /** The ONNX file. */
  modelPath: string;
  /** Path recorded in `org.cncf.model.filepath` (default: the file's base name). */
  filepath?: string;
  name: string;
  /** Tagged as this (e.g. `1.4.0` or `git-<sha>`); validated as a tag. */
  version: string;
  /** Extra tags (e.g. `candidate`). */
  tags?: string[];
  /** RFC 3339; fixed by the caller for reproducible digests (e.g. the commit time). */
  createdAt?: string;
  revision?: string;
  source?: string;
  description?: string;
  format?: string;
  /** Extra manifest annotations (task, headline metrics...). */
  annotations?: Record<string, string>;
}

export interface PushedModel {
  descriptor: Descriptor;
  /** `<location>@sha256:…` */
  reference: string;
  tags: string[];
  configDigest: string;
  weightDigest: string;
  weightBytes: number;
}

function bytes(json: unknown): Buffer {
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** Writes the model artifact into `store` and tags it with its version (and `tags`). */
export async function pushModel(store: OciStore, options: PushModelOptions): Promise<PushedModel> {
  const info = await stat(options.modelPath).catch(() => undefined);
  if (!info?.isFile()) throw new InputError(`model file '${options.modelPath}' does not exist`);
  const weight = await store.putBlob({ file: options.modelPath }, MEDIA_TYPE_MODEL_WEIGHT_RAW);
  weight.annotations = { [ANNOTATION_MODEL_FILEPATH]: options.filepath ?? path.basename(options.modelPath) };
  const descriptor: ModelConfig['descriptor'] = { name: options.name, version: options.version };
  if (options.createdAt) descriptor.createdAt = options.createdAt;
  if (options.revision) descriptor.revision = options.revision;
  if (options.source) descriptor.sourceURL = options.source;
  if (options.description) descriptor.description = options.description;
  const config: ModelConfig = {
    descriptor,
    config: { format: options.format ?? 'onnx' },
    modelfs: { type: 'layers', diff_ids: [weight.digest] },
  };
  const configDesc = await store.putBlob(bytes(config), MEDIA_TYPE_MODEL_CONFIG);
  const annotations: Record<string, string> = { ...(options.annotations ?? {}) };
  annotations[ANNOTATION_VERSION] = options.version;
  annotations['org.cncf.model.name'] = options.name;
  annotations['org.cncf.model.format'] = options.format ?? 'onnx';
  if (options.createdAt) annotations[ANNOTATION_CREATED] = options.createdAt;
  if (options.revision) annotations[ANNOTATION_REVISION] = options.revision;
  if (options.source) annotations[ANNOTATION_SOURCE] = options.source;
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    artifactType: MODEL_ARTIFACT_TYPE,
    config: configDesc,
    layers: [weight],
    annotations: sortKeys(annotations),
  };
  const tags = [options.version, ...(options.tags ?? [])];
  const desc = await store.putManifest(manifest, tags[0]);
  for (const t of tags.slice(1)) await store.tag(t, desc);
  return {
    descriptor: desc,
    reference: `${store.location}@${desc.digest}`,
    tags,
    configDigest: configDesc.digest,
    weightDigest: weight.digest,
    weightBytes: weight.size,
  };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface AttachOptions {
  artifactType: string;
  /** Content: bytes/string, or a file. */
  content: Buffer | string | { file: string };
  /** Media type of the content layer (default: application/json for JSON types, else text/markdown). */
  mediaType?: string;
  /** File name recorded as `org.opencontainers.image.title`. */
  filename?: string;
  annotations?: Record<string, string>;
}

/**
 * Attaches a referrer to `subject` (a model manifest): an artifact manifest with the empty config,
 * one content layer and `subject` set. Returns the referrer's descriptor.
 */
export async function attachReferrer(
  store: OciStore,
  subject: Descriptor,
  options: AttachOptions,
): Promise<Descriptor> {
  const mediaType =
    options.mediaType ?? (options.artifactType.endsWith('+json') ? 'application/json' : 'text/markdown');
  const layer = await store.putBlob(options.content, mediaType);
  if (options.filename) layer.annotations = { [ANNOTATION_TITLE]: options.filename };
  const empty = await store.putBlob('{}', MEDIA_TYPE_OCI_EMPTY);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    artifactType: options.artifactType,
    config: empty,
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  };
  if (options.annotations && Object.keys(options.annotations).length > 0) {
    manifest.annotations = sortKeys(options.annotations);
  }
  return store.putManifest(manifest);
}

/** Contents of the referrers of `subject` with `artifactType`, oldest first. */
export async function readReferrers(
  store: OciStore,
  subjectDigest: string,
  artifactType: string,
): Promise<{ descriptor: Descriptor; annotations: Record<string, string>; content: Buffer }[]> {
  const out = [];
  for (const r of await store.referrers(subjectDigest, artifactType)) {
    const found = await store.getManifest(r.digest);
    if (!found || isIndex(found.manifest)) continue;
    const layer = found.manifest.layers[0];
    if (!layer) continue;
    out.push({
      descriptor: r,
      annotations: found.manifest.annotations ?? {},
      content: await store.getBlob(layer.digest),
    });
  }
  return out;
}

export interface ResolvedModel {
  /** Digest of the model manifest (what stage results record). */
  digest: string;
  descriptor: Descriptor;
  /** The ONNX file on local disk, digest-verified. */
  localPath: string;
  /** `org.cncf.model.filepath` of the weights layer. */
  filepath: string;
  weightDigest: string;
  config: ModelConfig;
  annotations: Record<string, string>;
  /** `<location>@sha256:…` */
  reference: string;
}

export interface ResolveModelOptions extends OpenStoreOptions {
  /** Where weights from a remote registry are cached (default: `.mlops/cache/models`). */
  cacheDir?: string;
}

/**
 * Tag or digest in `store` → the model's digest and a local path to its weights. A layout's blob
 * is used in place (it is content-addressed and verified here); a registry's is downloaded once
 * into `cacheDir/<weight hex>/<filepath>`.
 */
export async function resolveModelIn(
  store: OciStore,
  tagOrDigest: string,
  options: ResolveModelOptions = {},
): Promise<ResolvedModel> {
  const found = await store.getManifest(tagOrDigest);
  if (!found) {
    const tags = await store.listTags().catch(() => [] as string[]);
    throw new InputError(
      `${store.location}: no model '${tagOrDigest}'${tags.length ? ` (tags: ${tags.filter((t) => !t.startsWith('sha256-')).join(', ')})` : ' (the store is empty)'}`,
    );
  }
  const { manifest, descriptor } = found;
  if (isIndex(manifest) || manifest.artifactType !== MODEL_ARTIFACT_TYPE) {
    throw new InputError(
      `${store.location}:${tagOrDigest} is not a model artifact (artifactType '${isIndex(manifest) ? 'index' : (manifest.artifactType ?? manifest.config.mediaType)}', expected ${MODEL_ARTIFACT_TYPE})`,
    );
  }
  const weight = manifest.layers.find((l) => l.mediaType === MEDIA_TYPE_MODEL_WEIGHT_RAW);
  if (!weight)
    throw new InputError(
      `${store.location}@${descriptor.digest}: model has no ${MEDIA_TYPE_MODEL_WEIGHT_RAW} layer`,
    );
  const filepath = weight.annotations?.[ANNOTATION_MODEL_FILEPATH] ?? 'model.onnx';
  const config = JSON.parse((await store.getBlob(manifest.config.digest)).toString('utf8')) as ModelConfig;
  let localPath: string;
  if (store instanceof OciLayout) {
    localPath = store.blobPath(weight.digest);
    await verifyFile(localPath, weight.digest);
  } else {
    const cacheDir = path.resolve(options.cacheDir ?? path.join('.mlops', 'cache', 'models'));
    const safeName = path.basename(filepath) || 'model.onnx';
    localPath = path.join(cacheDir, weight.digest.slice(7), safeName);
    const cached = await stat(localPath).catch(() => undefined);
    if (!cached || cached.size !== weight.size) {
      await mkdir(path.dirname(localPath), { recursive: true });
      const tmp = `${localPath}.tmp-${randomBytes(6).toString('hex')}`;
      const hash = createHash('sha256');
      try {
        await pipeline(
          await store.openBlob(weight.digest),
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const c of chunks) {
              hash.update(c);
              yield c;
            }
          },
          createWriteStream(tmp),
        );
        const got = `sha256:${hash.digest('hex')}`;
        if (got !== weight.digest)
          throw new Error(`${store.location}: weights ${weight.digest} arrived as ${got}`);
        await rename(tmp, localPath);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    } else {
      await verifyFile(localPath, weight.digest);
    }
  }
  return {
    digest: descriptor.digest,
    descriptor,
    localPath,
    filepath,
    weightDigest: weight.digest,
    config,
    annotations: manifest.annotations ?? {},
    reference: `${store.location}@${descriptor.digest}`,
  };
}

async function verifyFile(file: string, digest: string): Promise<void> {
  const d = await sha256FileDescriptor(file, '');
  if (d.digest !== digest)
    throw new Error(`${file}: content hashes to ${d.digest}, expected ${digest} (corrupt store)`);
}

/**
 * `oci:DIR:TAG`, `oci:DIR@sha256:…`, `host/repo:tag` or `host/repo@sha256:…` → the resolved model.
 * A reference without tag or digest means `production`.
 */
export async function resolveModel(ref: string, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const { store, ref: parsed } = await openStore(ref, { ...options, create: false });
  const target = parsed.digest ?? parsed.tag ?? 'production';
  if (parsed.digest && !isDigest(parsed.digest)) throw new InputError(`'${ref}': bad digest`);
  return resolveModelIn(store, target, options);
}
