/**
 * Reading the base image: one manifest, or an index whose platforms are each built on. Docker
 * schema 2 media types are accepted and mapped to their OCI equivalents (same bytes, same digest).
 */
import { InputError } from '@mlops-actions/core';
import {
  isIndex,
  type Descriptor,
  type ImageManifest,
  type OciStore,
  type Platform,
} from '@mlops-actions/registry';
import type { ImageConfig } from './config.js';

export interface BasePlatformImage {
  platform: Platform;
  /** The platform manifest's descriptor (from the base index, or the base itself). */
  descriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
}

export interface BaseImage {
  store: OciStore;
  /** The reference as given (`oci:dir:tag`, `host/repo:tag`). */
  ref: string;
  /** Digest of what the reference resolved to (manifest or index). */
  digest: string;
  isIndex: boolean;
  images: BasePlatformImage[];
  /** Index entries left out, with the reason (attestations, platforms we cannot serve on). */
  skipped: { platform: string; reason: string }[];
}

const LAYER_MEDIA_TYPE_MAP: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip':
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
};

export function ociLayerMediaType(mediaType: string): string {
  return LAYER_MEDIA_TYPE_MAP[mediaType] ?? mediaType;
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Node's `process.arch` for an OCI architecture, where onnxruntime-node ships a binary. */
export function nodeArch(architecture: string): 'x64' | 'arm64' | undefined {
  if (architecture === 'amd64') return 'x64';
  if (architecture === 'arm64') return 'arm64';
  return undefined;
}

async function readConfig(store: OciStore, manifest: ImageManifest, where: string): Promise<ImageConfig> {
  const bytes = await store.getBlob(manifest.config.digest);
  let config: ImageConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (err) {
    throw new InputError(
      `${where}: image config ${manifest.config.digest} is not JSON (${(err as Error).message})`,
    );
  }
  if (typeof config.architecture !== 'string' || typeof config.os !== 'string') {
    throw new InputError(`${where}: image config ${manifest.config.digest} has no architecture/os`);
  }
  if (config.rootfs === undefined || !Array.isArray(config.rootfs.diff_ids)) {
    throw new InputError(`${where}: image config ${manifest.config.digest} has no rootfs.diff_ids`);
  }
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new InputError(
      `${where}: image config lists ${config.rootfs.diff_ids.length} diff_ids but the manifest has ${manifest.layers.length} layers`,
    );
  }
  return config;
}

/**
 * Reads `ref` (a tag or digest in `store`). Index entries that are attestations (buildkit's
 * `unknown/unknown`) or not Linux on amd64/arm64 (no onnxruntime-node binary for them) are skipped
 * with a reason; an index with nothing left is an error.
 */
export async function readBaseImage(store: OciStore, ref: string, display: string): Promise<BaseImage> {
  const top = await store.getManifest(ref);
  if (top === undefined) {
    const tags = await store.listTags().catch(() => [] as string[]);
    const hint = tags.length > 0 ? ` (tags there: ${tags.slice(0, 10).join(', ')})` : '';
    throw new InputError(`base image '${display}' not found in ${store.location}${hint}`);
  }
  const skipped: BaseImage['skipped'] = [];
  const images: BasePlatformImage[] = [];
  if (!isIndex(top.manifest)) {
    const manifest = top.manifest;
    const config = await readConfig(store, manifest, display);
    const platform: Platform = { architecture: config.architecture, os: config.os };
    if (config.variant) platform.variant = config.variant;
    if (config.os !== 'linux' || nodeArch(config.architecture) === undefined) {
      throw new InputError(
        `base image '${display}' is ${platformString(platform)}; the model server runs on linux/amd64 and linux/arm64 (onnxruntime-node ships no binary for others)`,
      );
    }
    images.push({ platform, descriptor: top.descriptor, manifest, config });
    return { store, ref: display, digest: top.descriptor.digest, isIndex: false, images, skipped };
  }
  for (const entry of top.manifest.manifests) {
    const p = entry.platform;
    const name = p ? platformString(p) : 'no platform';
    if (p === undefined || p.os === 'unknown' || p.architecture === 'unknown') {
      skipped.push({ platform: name, reason: 'not an image (attestation or unknown platform)' });
      continue;
    }
    if (p.os !== 'linux' || nodeArch(p.architecture) === undefined) {
      skipped.push({ platform: name, reason: 'onnxruntime-node has no binary for it' });
      continue;
    }
    const child = await store.getManifest(entry.digest);
    if (child === undefined)
      throw new InputError(`base image '${display}': manifest ${entry.digest} (${name}) is missing`);
    if (isIndex(child.manifest)) {
      skipped.push({ platform: name, reason: 'nested index' });
      continue;
    }
    const config = await readConfig(store, child.manifest, `${display} (${name})`);
    images.push({
      platform: p,
      descriptor: { ...child.descriptor, platform: p },
      manifest: child.manifest,
      config,
    });
  }
  if (images.length === 0) {
    throw new InputError(
      `base image '${display}' has no linux/amd64 or linux/arm64 image (${skipped.map((s) => `${s.platform}: ${s.reason}`).join('; ') || 'empty index'})`,
    );
  }
  return { store, ref: display, digest: top.descriptor.digest, isIndex: true, images, skipped };
}
