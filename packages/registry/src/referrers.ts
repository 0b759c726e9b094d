/**
 * The referrers fallback of the OCI distribution spec (v1.1, "Referrers tag schema"): when a
 * registry has no referrers API, the client maintains an image index tagged `sha256-<hex>` of the
 * subject, listing every manifest that names that subject. Debian's docker-registry (2.8) and our
 * OCI layouts use it.
 */
import {
  MEDIA_TYPE_OCI_INDEX,
  isIndex,
  referrersTagFor,
  type Descriptor,
  type ImageIndex,
  type Manifest,
} from './types.js';

/** The descriptor a referrers list carries for `manifest` (artifactType and annotations copied). */
export function referrerDescriptor(manifest: Manifest, descriptor: Descriptor): Descriptor {
  const out: Descriptor = {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
  };
  const artifactType = manifest.artifactType ?? (!isIndex(manifest) ? manifest.config.mediaType : undefined);
  if (artifactType) out.artifactType = artifactType;
  if (manifest.annotations && Object.keys(manifest.annotations).length > 0) {
    out.annotations = { ...manifest.annotations };
  }
  return out;
}

/** `existing` (or a new index) with `entry` added once; order of first insertion is kept. */
export function addToReferrersIndex(existing: ImageIndex | undefined, entry: Descriptor): ImageIndex {
  const manifests = (existing?.manifests ?? []).filter((d) => d.digest !== entry.digest);
  manifests.push(entry);
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests };
}

export function filterReferrers(list: Descriptor[], artifactType?: string): Descriptor[] {
  return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
}

export { referrersTagFor };
