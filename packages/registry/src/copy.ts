/**
 * Copies an image, an index (all platforms) or an artifact between stores (layout ↔ registry,
 * registry ↔ registry), blobs first and in parallel, manifests children-first so the registry
 * never sees a manifest whose blobs are missing. Digests are preserved byte for byte.
 */
import type { Logger } from '@mlops-actions/core';
import { RegistryRepository, fileRange, sliceStream } from './client.js';
import { OciLayout } from './layout.js';
import { openStore } from './open.js';
import type { OciStore } from './store.js';
import { isIndex, type Descriptor } from './types.js';

export interface CopyOptions {
  /** Tags to set on the destination (default: the source tag when `ref` is a tag). */
  tags?: string[];
  /** Also copy referrers (model card, evaluation, audit records) of the copied manifest. */
  referrers?: boolean;
  /** Parallel blob transfers (default 4). */
  concurrency?: number;
  /** Repository on the same registry to mount blobs from instead of uploading. */
  mountFrom?: string;
  log?: Logger;
}

export interface CopyResult {
  descriptor: Descriptor;
  tags: string[];
  blobs: number;
  referrers: number;
}

export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** Copies one blob; uses the layout's file directly so registry uploads can resume by range. */
export async function copyBlob(
  src: OciStore,
  dst: OciStore,
  desc: Descriptor,
  mountFrom?: string,
): Promise<void> {
  if (dst instanceof RegistryRepository) {
    if (src instanceof OciLayout) {
      await dst.uploadBlob(desc, fileRange(src.blobPath(desc.digest)), { mountFrom });
      return;
    }
    const from =
      mountFrom ?? (src instanceof RegistryRepository && src.client === dst.client ? src.name : undefined);
    await dst.uploadBlob(
      desc,
      async (start, end) => {
        const stream = await src.openBlob(desc.digest);
        if (start === 0 && end === desc.size - 1) return stream;
        // Resume from a registry source: re-read and skip (rare: only after a broken upload).
        return sliceStream(stream, start, end);
      },
      { mountFrom: from },
    );
    return;
  }
  await dst.putBlobFrom(desc, () => src.openBlob(desc.digest));
}

/** Copies the manifest `ref` (tag or digest) and everything it references from `src` to `dst`. */
export async function copyManifest(
  src: OciStore,
  ref: string,
  dst: OciStore,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const concurrency = options.concurrency ?? 4;
  let blobs = 0;
  const seen = new Set<string>();

  async function copyTree(digestOrRef: string, tag?: string): Promise<Descriptor> {
    const found = await src.getManifest(digestOrRef);
    if (!found) throw new Error(`${src.location}: manifest '${digestOrRef}' not found`);
    const { manifest, bytes, descriptor } = found;
    if (!seen.has(descriptor.digest)) {
      seen.add(descriptor.digest);
      if (isIndex(manifest)) {
        for (const child of manifest.manifests) await copyTree(child.digest);
      } else {
        const needed = [manifest.config, ...manifest.layers].filter((d) => !d.urls || d.urls.length === 0);
        await pool(needed, concurrency, async (d) => {
          await copyBlob(src, dst, d, options.mountFrom);
          blobs++;
        });
      }
    }
    return dst.putManifest({ bytes, mediaType: descriptor.mediaType }, tag);
  }

  const srcTag = /^sha256:/.test(ref) ? undefined : ref;
  const tags = options.tags ?? (srcTag ? [srcTag] : []);
  const descriptor = await copyTree(ref, tags[0]);
  for (const t of tags.slice(1)) await dst.tag(t, descriptor);
  let referrers = 0;
  if (options.referrers) {
    for (const r of await src.referrers(descriptor.digest)) {
      await copyManifest(src, r.digest, dst, { ...options, tags: [], referrers: true });
      referrers++;
    }
  }
  options.log?.info(
    `copied ${src.location}@${descriptor.digest} → ${dst.location}${tags.length ? ` (${tags.join(', ')})` : ''}`,
  );
  return { descriptor, tags, blobs, referrers };
}

/** `copyManifest` between two references in skopeo syntax (`oci:DIR:TAG`, `host/repo:tag`). */
export async function copyReference(
  from: string,
  to: string,
  options: CopyOptions & Parameters<typeof openStore>[1] = {},
): Promise<CopyResult> {
  const src = await openStore(from, options);
  const dst = await openStore(to, options);
  const ref = src.ref.digest ?? src.ref.tag;
  if (!ref) throw new Error(`copy source '${from}' needs a tag or digest`);
  const tags = options.tags ?? (dst.ref.tag ? [dst.ref.tag] : src.ref.tag ? [src.ref.tag] : []);
  return copyManifest(src.store, ref, dst.store, { ...options, tags });
}
