/**
 * OCI image-spec shapes (image-spec v1.1) shared by the layout, the registry client and the model
 * artifacts. Field names are the spec's, so objects serialise to what registries and skopeo expect.
 */

export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_TYPE_OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** The "no config" config of artifacts (image-spec 1.1 guidance): the two bytes `{}`. */
export const MEDIA_TYPE_OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** Annotation an OCI layout's index.json uses to name a tag. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

export const MANIFEST_MEDIA_TYPES = [
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
] as const;

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  /** `sha256:<64 hex>` */
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: Platform;
  urls?: string[];
  /** Inline content (image-spec 1.1 `data`, base64); never relied on, kept when present. */
  data?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPE_OCI_MANIFEST | typeof MEDIA_TYPE_DOCKER_MANIFEST;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPE_OCI_INDEX | typeof MEDIA_TYPE_DOCKER_MANIFEST_LIST;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type Manifest = ImageManifest | ImageIndex;

export function isIndex(m: Manifest): m is ImageIndex {
  return m.mediaType === MEDIA_TYPE_OCI_INDEX || m.mediaType === MEDIA_TYPE_DOCKER_MANIFEST_LIST;
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE_OCI_INDEX || mediaType === MEDIA_TYPE_DOCKER_MANIFEST_LIST;
}

/** A manifest together with the exact bytes its digest was computed over. */
export interface ManifestWithBytes {
  descriptor: Descriptor;
  manifest: Manifest;
  bytes: Buffer;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
/** Tag grammar from the distribution spec. */
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

export function isValidTag(s: string): boolean {
  return TAG_RE.test(s);
}

/** `sha256:abc…` → `abc…`; throws on anything but a sha256 digest (the only algorithm we write). */
export function digestHex(digest: string): string {
  if (!DIGEST_RE.test(digest)) throw new Error(`not a sha256 digest: '${digest}'`);
  return digest.slice('sha256:'.length);
}

/** The referrers fallback tag of the distribution spec: `sha256:<hex>` → `sha256-<hex>`. */
export function referrersTagFor(digest: string): string {
  return `sha256-${digestHex(digest)}`;
}

/**
 * Canonical bytes for a manifest we create: compact JSON in insertion order. The digest is over
 * these bytes; a manifest read back is never re-serialised (its original bytes are kept).
 */
export function manifestBytes(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}
