/**
 * What the model registry, copy and promote need from "a place that holds OCI content": an OCI
 * image layout directory or one repository of a distribution registry. Both implement it, so the
 * model and promote code paths are the same for the embedded default and a real registry.
 */
import type { Readable } from 'node:stream';
import type { Descriptor, Manifest, ManifestWithBytes } from './types.js';

export type BlobSource = Uint8Array | string | { file: string };

/** A manifest to write: an object (serialised canonically) or exact bytes with their media type. */
export type ManifestInput = Manifest | { bytes: Uint8Array; mediaType: string };

export interface OciStore {
  /** Human-readable location for logs and results: `oci:/dir` or `host:port/repo`. */
  readonly location: string;
  hasBlob(digest: string): Promise<boolean>;
  /** Stores bytes or a file; returns its descriptor (digest computed while reading, once). */
  putBlob(source: BlobSource, mediaType: string): Promise<Descriptor>;
  /** Stores a blob whose descriptor is known, streaming from `open()` only when absent. */
  putBlobFrom(descriptor: Descriptor, open: () => Promise<Readable>): Promise<void>;
  openBlob(digest: string): Promise<Readable>;
  /** Whole blob in memory, digest-verified. */
  getBlob(digest: string): Promise<Buffer>;
  putManifest(manifest: ManifestInput, tag?: string): Promise<Descriptor>;
  /** By tag or digest; undefined when absent. */
  getManifest(ref: string): Promise<ManifestWithBytes | undefined>;
  /** Tag → descriptor of the manifest it names; undefined when the tag does not exist. */
  resolve(tag: string): Promise<Descriptor | undefined>;
  /** Points `tag` at an existing manifest. */
  tag(tag: string, descriptor: Descriptor): Promise<void>;
  listTags(): Promise<string[]>;
  /**
   * Manifests whose `subject` is `digest` (OCI referrers), from the referrers API when the store
   * has one, else from the fallback tag `sha256-<hex>`.
   */
  referrers(digest: string, artifactType?: string): Promise<Descriptor[]>;
}

export function manifestInputBytes(m: ManifestInput): { bytes: Buffer; mediaType: string } {
  if ('bytes' in m) return { bytes: Buffer.from(m.bytes), mediaType: m.mediaType };
  return { bytes: Buffer.from(JSON.stringify(m), 'utf8'), mediaType: m.mediaType };
}
