/**
 * Daemonless image assembly (what ko, jib and `crane append` do): the base image's layers, plus
 * a server layer, a model layer and a serving-config layer, under a config whose entrypoint
 * serves the model. One manifest per base platform; an index on top when the base is an index.
 * Nothing depends on the clock, the host's users or the order the file system lists entries, so
 * the same inputs give the same digest.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, TOOL_VERSION, type Logger } from '@mlops-actions/core';
import {
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  OciLayout,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type OciStore,
} from '@mlops-actions/registry';
import { ociLayerMediaType, nodeArch, platformString, type BaseImage } from './base.js';
import { deriveConfig, rfc3339, SECOND_NS, type Healthcheck, type ImageConfig } from './config.js';
import {
  IMAGE_PATHS,
  modelEntries,
  serveConfigEntries,
  serverEntries,
  type ModelSources,
  type ServerSources,
} from './content.js';
import { writeLayer, type BuiltLayer } from './layer.js';
import { sourceDateEpoch, type TarEntry } from './tar.js';

export const DEFAULT_PORT = 8080;
/** The distroless `nonroot` user: numeric, so no /etc/passwd entry is needed in the base. */
export const DEFAULT_USER = '65532:65532';
/** Set on images that carry the model server, so an image built on one does not add it twice. */
export const LABEL_SERVER = 'dev.mlops-actions.server.version';
export const LABEL_PREFIX_MODEL = 'dev.mlops-actions.model';
/** On our layers' descriptors, so a later build can say which part of the image changed. */
export const ANNOTATION_LAYER_ROLE = 'dev.mlops-actions.layer';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type LayerRole = 'base' | 'server' | 'model' | 'serve-config';

export interface LayerSummary {
  role: LayerRole;
  digest: string;
  size: number;
  mediaType: string;
  diffId?: string;
  uncompressedSize?: number;
}

export interface ModelInfo {
  name: string;
  task: string;
  /** sha256 hex of the model file (or the tree digest of a directory model). */
  sha256: string;
  headline?: string;
  /** Headline metrics (evaluate's candidate values), recorded in labels. */
  metrics?: Record<string, number>;
}

export interface ImageLineage {
  /** Repository URL (org.opencontainers.image.source). */
  source?: string;
  /** Commit (org.opencontainers.image.revision). */
  revision?: string;
  version?: string;
  /** Epoch seconds; default SOURCE_DATE_EPOCH, else 0. Never the clock: it would change the digest. */
  created?: number;
}

export interface BuildImageOptions {
  base: BaseImage;
  target: OciStore;
  /** Tags to point at the result (the first is written with the manifest, the rest tagged after). */
  tags: string[];
  model: ModelSources;
  modelInfo: ModelInfo;
  /**
   * The model server: where its files come from, or 'skip' to leave it out. When the base image
   * already carries it (label LABEL_SERVER), it is left out either way.
   */
  server: ServerSources | 'skip';
  lineage?: ImageLineage;
  /** Extra fields for /opt/mlops/serve.json (input/output names, classes, threads). */
  serveConfig?: Record<string, unknown>;
  port?: number;
  user?: string;
  /** Overrides the process (default: `node /opt/mlops/cli/index.js serve --model ... --port 8080`). */
  entrypoint?: string[];
  cmd?: string[];
  gzipLevel?: number;
  log?: Logger;
}

export interface PlatformImage {
  platform: string;
  manifest: Descriptor;
  config: Descriptor;
  layers: LayerSummary[];
}

export interface BuiltImage {
  /** The top descriptor: the index when the base was an index, else the manifest. */
  descriptor: Descriptor;
  digest: string;
  mediaType: string;
  platforms: PlatformImage[];
  /** Layers this build added, once each (the server layer once per architecture). */
  added: LayerSummary[];
  tags: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serverIncluded: boolean;
  modelPath: string;
  base: { ref: string; digest: string; skipped: { platform: string; reason: string }[] };
}

function healthcheck(port: number): Healthcheck {
  // A node one-liner: minimal bases have no curl or wget, but they have node (the server needs it).
  const script =
    `fetch('http://127.0.0.1:${port}/v2/health/ready')` +
    '.then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))';
  return {
    Test: ['CMD', 'node', '-e', script],
    Interval: 10 * SECOND_NS,
    Timeout: 3 * SECOND_NS,
    StartPeriod: 30 * SECOND_NS,
    Retries: 3,
  };
}

function sortedKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Lineage labels (config) = manifest annotations; both carry the same keys. */
export function lineageLabels(
  info: ModelInfo,
  lineage: ImageLineage,
  created: string,
  serverVersion: string | undefined,
): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.created': created,
    'org.opencontainers.image.title': info.name,
    [`${LABEL_PREFIX_MODEL}.name`]: info.name,
    [`${LABEL_PREFIX_MODEL}.digest`]: `sha256:${info.sha256}`,
    [`${LABEL_PREFIX_MODEL}.task`]: info.task,
  };
  if (lineage.source) labels['org.opencontainers.image.source'] = lineage.source;
  if (lineage.revision) labels['org.opencontainers.image.revision'] = lineage.revision;
  if (lineage.version) labels['org.opencontainers.image.version'] = lineage.version;
  if (info.headline) labels[`${LABEL_PREFIX_MODEL}.headline`] = info.headline;
  if (info.metrics && Object.keys(info.metrics).length > 0) {
    labels[`${LABEL_PREFIX_MODEL}.metrics`] = JSON.stringify(sortedKeys(info.metrics));
  }
  if (serverVersion !== undefined) labels[LABEL_SERVER] = serverVersion;
  return labels;
}

function layerSummary(role: LayerRole, l: BuiltLayer): LayerSummary {
  return {
    role,
    digest: l.digest,
    size: l.size,
    mediaType: l.mediaType,
    diffId: l.diffId,
    uncompressedSize: l.uncompressedSize,
  };
}

/** Manifests go into a layout as blobs (not index.json roots); into a registry by digest. */
async function putChildManifest(target: OciStore, bytes: Buffer, mediaType: string): Promise<Descriptor> {
  if (target instanceof OciLayout) return target.putBlob(bytes, mediaType);
  return target.putManifest({ bytes, mediaType });
}

export async function buildImage(opts: BuildImageOptions): Promise<BuiltImage> {
  const log = opts.log ?? silentLogger;
  const port = opts.port ?? DEFAULT_PORT;
  const user = opts.user ?? DEFAULT_USER;
  const lineage = opts.lineage ?? {};
  const createdEpoch = lineage.created ?? sourceDateEpoch();
  const created = rfc3339(createdEpoch);
  const base = opts.base;
  const baseCarriesServer = base.images.every((i) => i.config.config?.Labels?.[LABEL_SERVER] !== undefined);
  const includeServer = opts.server !== 'skip' && !baseCarriesServer;
  if (opts.server !== 'skip' && baseCarriesServer) {
    log.info(`base image carries the model server (label ${LABEL_SERVER}); not adding it again`);
  }

  // A layout target receives layers straight into its blob directory: each byte is hashed and
  // written once. A registry target gets them staged in a temp dir, then uploaded.
  const layoutBlobs =
    opts.target instanceof OciLayout ? path.join(opts.target.dir, 'blobs', 'sha256') : undefined;
  const stage = layoutBlobs ?? (await mkdtemp(path.join(os.tmpdir(), 'mlops-image-')));
  const tarOpts = { mtime: createdEpoch, level: opts.gzipLevel ?? 6 };
  try {
    const { entries: modelTar, modelPath } = await modelEntries(opts.model);
    const serveConfig = {
      // No model digest here: it is in the labels, and this layer stays the same across models.
      model: { name: opts.modelInfo.name, path: modelPath, task: opts.modelInfo.task },
      port,
      host: '0.0.0.0',
      ...(opts.serveConfig ?? {}),
    };
    const entrypoint = opts.entrypoint ?? ['node', IMAGE_PATHS.cli, 'serve'];
    const cmd = opts.cmd ?? [
      '--model',
      modelPath,
      '--name',
      opts.modelInfo.name,
      '--host',
      '0.0.0.0',
      '--port',
      String(port),
    ];

    const uploaded = new Set<string>();
    const upload = async (l: BuiltLayer): Promise<void> => {
      if (layoutBlobs !== undefined || uploaded.has(l.digest)) return;
      uploaded.add(l.digest);
      await opts.target.putBlobFrom({ mediaType: l.mediaType, digest: l.digest, size: l.size }, async () =>
        createReadStream(l.file, { highWaterMark: 1 << 20 }),
      );
    };
    const build = async (role: LayerRole, entries: TarEntry[]): Promise<BuiltLayer> => {
      const t0 = performance.now();
      const l = await writeLayer(entries, stage, tarOpts);
      log.info(`layer ${role}: ${l.digest} (${l.size} bytes, ${(performance.now() - t0).toFixed(0)} ms)`);
      await upload(l);
      return l;
    };

    const modelLayer = await build('model', modelTar);
    const configLayer = await build('serve-config', serveConfigEntries(serveConfig));
    const serverLayers = new Map<string, BuiltLayer>();
    if (includeServer) {
      for (const img of base.images) {
        const arch = nodeArch(img.platform.architecture);
        if (arch === undefined || serverLayers.has(arch)) continue;
        serverLayers.set(
          arch,
          await build('server', await serverEntries(opts.server as ServerSources, arch)),
        );
      }
    }

    const labels = lineageLabels(
      opts.modelInfo,
      lineage,
      created,
      includeServer ? TOOL_VERSION : baseServerVersion(base),
    );
    const platforms: PlatformImage[] = [];
    let singleBytes: Buffer | undefined;
    for (const img of base.images) {
      const arch = nodeArch(img.platform.architecture) ?? 'x64';
      const ours: { role: LayerRole; layer: BuiltLayer }[] = [];
      const server = serverLayers.get(arch);
      // Server first: it changes least, so registries and caches reuse it across model versions.
      if (server) ours.push({ role: 'server', layer: server });
      ours.push({ role: 'model', layer: modelLayer }, { role: 'serve-config', layer: configLayer });

      if (base.store !== opts.target) {
        for (const d of img.manifest.layers) {
          await opts.target.putBlobFrom(d, () => base.store.openBlob(d.digest));
        }
      }
      const config: ImageConfig = deriveConfig(img.config, {
        created,
        user,
        entrypoint,
        cmd,
        env: {
          ...(img.config.config?.Env?.some((e) => e.startsWith('PATH=')) ? {} : { PATH: DEFAULT_PATH }),
          MLOPS_ORT_PATH: IMAGE_PATHS.ortBase,
          MLOPS_SERVE_CONFIG: IMAGE_PATHS.serveConfig,
        },
        workingDir: IMAGE_PATHS.root,
        port,
        labels,
        healthcheck: healthcheck(port),
        layers: ours.map(({ role, layer }) => ({
          diffId: layer.diffId,
          createdBy: `mlops build-image: ${role} layer`,
          comment: 'mlops-actions',
        })),
      });
      const configDesc = await opts.target.putBlob(
        Buffer.from(JSON.stringify(config), 'utf8'),
        MEDIA_TYPE_OCI_CONFIG,
      );
      const annotations: Record<string, string> = {
        ...labels,
        'org.opencontainers.image.base.name': base.ref,
        'org.opencontainers.image.base.digest': img.descriptor.digest,
      };
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        config: { mediaType: MEDIA_TYPE_OCI_CONFIG, digest: configDesc.digest, size: configDesc.size },
        layers: [
          ...img.manifest.layers.map((d) => ({ ...d, mediaType: ociLayerMediaType(d.mediaType) })),
          ...ours.map(({ role, layer }) => ({
            mediaType: layer.mediaType,
            digest: layer.digest,
            size: layer.size,
            annotations: { [ANNOTATION_LAYER_ROLE]: role },
          })),
        ],
        annotations,
      };
      const bytes = Buffer.from(JSON.stringify(manifest), 'utf8');
      const layers: LayerSummary[] = [
        ...img.manifest.layers.map((d) => ({
          role: 'base' as const,
          digest: d.digest,
          size: d.size,
          mediaType: ociLayerMediaType(d.mediaType),
        })),
        ...ours.map(({ role, layer }) => layerSummary(role, layer)),
      ];
      if (base.isIndex) {
        const desc = await putChildManifest(opts.target, bytes, MEDIA_TYPE_OCI_MANIFEST);
        platforms.push({
          platform: platformString(img.platform),
          manifest: { ...desc, platform: img.platform },
          config: configDesc,
          layers,
        });
      } else {
        // A single manifest is the top object: written (and tagged) below.
        singleBytes = bytes;
        platforms.push({
          platform: platformString(img.platform),
          manifest: {
            mediaType: MEDIA_TYPE_OCI_MANIFEST,
            digest: '',
            size: bytes.length,
            platform: img.platform,
          },
          config: configDesc,
          layers,
        });
      }
    }

    let topBytes: Buffer;
    let topMediaType: string;
    const annotations: Record<string, string> = {
      ...labels,
      'org.opencontainers.image.base.name': base.ref,
      'org.opencontainers.image.base.digest': base.digest,
    };
    if (base.isIndex) {
      const index: ImageIndex = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_INDEX,
        manifests: platforms.map((p) => ({
          mediaType: MEDIA_TYPE_OCI_MANIFEST,
          digest: p.manifest.digest,
          size: p.manifest.size,
          ...(p.manifest.platform ? { platform: p.manifest.platform } : {}),
        })),
        annotations,
      };
      topBytes = Buffer.from(JSON.stringify(index), 'utf8');
      topMediaType = MEDIA_TYPE_OCI_INDEX;
    } else {
      if (singleBytes === undefined) throw new Error('internal: no manifest was built');
      topBytes = singleBytes;
      topMediaType = MEDIA_TYPE_OCI_MANIFEST;
    }
    const [firstTag, ...otherTags] = opts.tags;
    const descriptor = await opts.target.putManifest({ bytes: topBytes, mediaType: topMediaType }, firstTag);
    for (const t of otherTags) await opts.target.tag(t, descriptor);
    if (!base.isIndex && platforms[0]) platforms[0].manifest.digest = descriptor.digest;
    const added: LayerSummary[] = [
      ...[...serverLayers.values()].map((l) => layerSummary('server', l)),
      layerSummary('model', modelLayer),
      layerSummary('serve-config', configLayer),
    ];
    return {
      descriptor: { mediaType: topMediaType, digest: descriptor.digest, size: descriptor.size },
      digest: descriptor.digest,
      mediaType: topMediaType,
      platforms,
      added,
      tags: [...opts.tags],
      labels,
      annotations,
      serverIncluded: includeServer,
      modelPath,
      base: { ref: base.ref, digest: base.digest, skipped: base.skipped },
    };
  } finally {
    if (layoutBlobs === undefined) await rm(stage, { recursive: true, force: true });
  }
}

function baseServerVersion(base: BaseImage): string | undefined {
  return base.images[0]?.config.config?.Labels?.[LABEL_SERVER];
}
