/**
 * An OCI image layout directory (image-spec `image-layout.md`): `oci-layout`, `index.json` and
 * content-addressed `blobs/sha256/<hex>`. It is the embedded default registry (no server needed)
 * and what `skopeo copy oci:DIR[:TAG] ...` and `umoci` read. Tags are `index.json` entries with the
 * `org.opencontainers.image.ref.name` annotation, one entry per tag.
 *
 * Writes are crash-safe (temp file + rename) and `index.json` updates are serialised both inside
 * the process and across processes (a lock file), so concurrent pushes of two tags both land.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError } from '@mlops-actions/core';
import { addToReferrersIndex, filterReferrers, referrerDescriptor } from './referrers.js';
import { manifestInputBytes, type BlobSource, type ManifestInput, type OciStore } from './store.js';
import {
  ANNOTATION_REF_NAME,
  MEDIA_TYPE_OCI_INDEX,
  digestHex,
  isDigest,
  isIndex,
  isValidTag,
  referrersTagFor,
  type Descriptor,
  type ImageIndex,
  type Manifest,
  type ManifestWithBytes,
} from './types.js';

const OCI_LAYOUT_VERSION = '1.0.0';
const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 60_000;

export interface OpenLayoutOptions {
  /** Create the directory structure when missing (default true). */
  create?: boolean;
}

/** Streaming sha256 of a file: digest and size in one read. */
export async function sha256FileDescriptor(file: string, mediaType: string): Promise<Descriptor> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { mediaType, digest: `sha256:${hash.digest('hex')}`, size };
}

export function bytesDescriptor(data: Uint8Array | string, mediaType: string): Descriptor {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return {
    mediaType,
    digest: `sha256:${createHash('sha256').update(buf).digest('hex')}`,
    size: buf.length,
  };
}

export class OciLayout implements OciStore {
  readonly location: string;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly dir: string) {
    this.location = `oci:${dir}`;
  }

  /** Opens (and by default creates) a layout at `dir`. */
  static async open(dir: string, options: OpenLayoutOptions = {}): Promise<OciLayout> {
    const abs = path.resolve(dir);
    const layoutFile = path.join(abs, 'oci-layout');
    let existing: string | undefined;
    try {
      existing = await readFile(layoutFile, 'utf8');
    } catch {
      existing = undefined;
    }
    if (existing !== undefined) {
      let version: unknown;
      try {
        version = (JSON.parse(existing) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
      } catch {
        version = undefined;
      }
      if (typeof version !== 'string' || !version.startsWith('1.')) {
        throw new InputError(
          `${layoutFile}: not an OCI image layout (imageLayoutVersion '${String(version)}')`,
        );
      }
    } else {
      if (options.create === false) {
        throw new InputError(`${abs}: no OCI image layout here (missing oci-layout file)`);
      }
      await mkdir(path.join(abs, 'blobs', 'sha256'), { recursive: true });
      await atomicWrite(layoutFile, JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
    }
    await mkdir(path.join(abs, 'blobs', 'sha256'), { recursive: true });
    const layout = new OciLayout(abs);
    try {
      await stat(layout.indexPath);
    } catch {
      await layout.withIndexLock(async () => {
        try {
          await stat(layout.indexPath);
        } catch {
          await layout.writeIndex({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [] });
        }
      });
    }
    return layout;
  }

  get indexPath(): string {
    return path.join(this.dir, 'index.json');
  }

  blobPath(digest: string): string {
    return path.join(this.dir, 'blobs', 'sha256', digestHex(digest));
  }

  async hasBlob(digest: string): Promise<boolean> {
    try {
      await stat(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  async putBlob(source: BlobSource, mediaType: string): Promise<Descriptor> {
    if (typeof source === 'string' || source instanceof Uint8Array) {
      const buf = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source);
      const desc = bytesDescriptor(buf, mediaType);
      if (!(await this.hasBlob(desc.digest))) await atomicWrite(this.blobPath(desc.digest), buf);
      return desc;
    }
    return this.putBlobStream(createReadStream(source.file, { highWaterMark: 1 << 20 }), mediaType);
  }

  /** Hashes while writing (one pass), then renames into place; the stream is consumed once. */
  async putBlobStream(source: AsyncIterable<Uint8Array> | Readable, mediaType: string): Promise<Descriptor> {
    const tmp = path.join(this.dir, 'blobs', 'sha256', `.tmp-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const readable = source instanceof Readable ? source : Readable.from(source);
    try {
      await pipeline(
        readable,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tmp),
      );
      const digest = `sha256:${hash.digest('hex')}`;
      if (await this.hasBlob(digest)) await rm(tmp, { force: true });
      else await rename(tmp, this.blobPath(digest));
      return { mediaType, digest, size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async putBlobFrom(descriptor: Descriptor, openSource: () => Promise<Readable>): Promise<void> {
    if (await this.hasBlob(descriptor.digest)) return;
    const got = await this.putBlobStream(await openSource(), descriptor.mediaType);
    if (got.digest !== descriptor.digest || got.size !== descriptor.size) {
      throw new Error(
        `blob ${descriptor.digest} (${descriptor.size} bytes) arrived as ${got.digest} (${got.size} bytes)`,
      );
    }
  }

  async openBlob(digest: string): Promise<Readable> {
    const p = this.blobPath(digest);
    await stat(p).catch(() => {
      throw new InputError(`${this.location}: blob ${digest} not found`);
    });
    return createReadStream(p, { highWaterMark: 1 << 20 });
  }

  async getBlob(digest: string): Promise<Buffer> {
    let buf: Buffer;
    try {
      buf = await readFile(this.blobPath(digest));
    } catch {
      throw new InputError(`${this.location}: blob ${digest} not found`);
    }
    const actual = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
    if (actual !== digest) {
      throw new Error(`${this.location}: blob ${digest} is corrupt (content hashes to ${actual})`);
    }
    return buf;
  }

  /**
   * Writes the manifest blob and records it in index.json (under `tag` when given). A manifest with
   * a `subject` is also added to the subject's referrers fallback index.
   */
  async putManifest(input: ManifestInput, tag?: string): Promise<Descriptor> {
    if (tag !== undefined) assertTag(tag);
    const { bytes, mediaType } = manifestInputBytes(input);
    const manifest = parseManifest(bytes, 'manifest');
    const desc = await this.putBlob(bytes, mediaType);
    if (manifest.artifactType) desc.artifactType = manifest.artifactType;
    await this.withIndexLock(async () => {
      const index = await this.readIndex();
      if (tag !== undefined) setTag(index, tag, desc);
      else if (!index.manifests.some((d) => d.digest === desc.digest)) index.manifests.push({ ...desc });
      if (manifest.subject) await this.addReferrerLocked(index, manifest, desc);
      await this.writeIndex(index);
    });
    return desc;
  }

  async getManifest(ref: string): Promise<ManifestWithBytes | undefined> {
    let desc: Descriptor | undefined;
    if (isDigest(ref)) {
      if (!(await this.hasBlob(ref))) return undefined;
      const index = await this.readIndex();
      desc = index.manifests.find((d) => d.digest === ref);
      if (!desc) {
        const bytes = await this.getBlob(ref);
        const manifest = parseManifest(bytes, ref);
        return {
          descriptor: { mediaType: manifest.mediaType, digest: ref, size: bytes.length },
          manifest,
          bytes,
        };
      }
    } else {
      desc = await this.resolve(ref);
      if (!desc) return undefined;
    }
    const bytes = await this.getBlob(desc.digest);
    const manifest = parseManifest(bytes, desc.digest);
    const descriptor: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
    if (manifest.artifactType) descriptor.artifactType = manifest.artifactType;
    return { descriptor, manifest, bytes };
  }

  async resolve(tag: string): Promise<Descriptor | undefined> {
    const index = await this.readIndex();
    const entry = index.manifests.find((d) => d.annotations?.[ANNOTATION_REF_NAME] === tag);
    if (!entry) return undefined;
    return stripRefName(entry);
  }

  async tag(tag: string, descriptor: Descriptor): Promise<void> {
    assertTag(tag);
    if (!(await this.hasBlob(descriptor.digest))) {
      throw new InputError(
        `${this.location}: cannot tag '${tag}': manifest ${descriptor.digest} is not in the layout`,
      );
    }
    await this.withIndexLock(async () => {
      const index = await this.readIndex();
      setTag(index, tag, descriptor);
      await this.writeIndex(index);
    });
  }

  /** Removes a tag; the manifest stays in index.json untagged so it is not garbage. */
  async untag(tag: string): Promise<void> {
    await this.withIndexLock(async () => {
      const index = await this.readIndex();
      removeTag(index, tag);
      await this.writeIndex(index);
    });
  }

  async listTags(): Promise<string[]> {
    const index = await this.readIndex();
    const tags = index.manifests
      .map((d) => d.annotations?.[ANNOTATION_REF_NAME])
      .filter((t): t is string => t !== undefined);
    return [...new Set(tags)].sort();
  }

  async referrers(digest: string, artifactType?: string): Promise<Descriptor[]> {
    const found = await this.getManifest(referrersTagFor(digest));
    if (!found || !isIndex(found.manifest)) return [];
    return filterReferrers(found.manifest.manifests, artifactType);
  }

  async readIndex(): Promise<ImageIndex> {
    let text: string;
    try {
      text = await readFile(this.indexPath, 'utf8');
    } catch {
      return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: [] };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${this.indexPath}: invalid JSON (${(err as Error).message})`);
    }
    const index = parsed as Partial<ImageIndex>;
    if (!index || !Array.isArray(index.manifests)) {
      throw new InputError(`${this.indexPath}: not an OCI image index (no 'manifests' array)`);
    }
    return { ...(index as ImageIndex), schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX };
  }

  private async writeIndex(index: ImageIndex): Promise<void> {
    await atomicWrite(this.indexPath, JSON.stringify(index));
  }

  private async addReferrerLocked(index: ImageIndex, manifest: Manifest, desc: Descriptor): Promise<void> {
    const subject = manifest.subject;
    if (!subject) return;
    const fallbackTag = referrersTagFor(subject.digest);
    const current = index.manifests.find((d) => d.annotations?.[ANNOTATION_REF_NAME] === fallbackTag);
    let existing: ImageIndex | undefined;
    if (current) {
      const parsed = parseManifest(await this.getBlob(current.digest), current.digest);
      if (isIndex(parsed)) existing = parsed;
    }
    const next = addToReferrersIndex(existing, referrerDescriptor(manifest, desc));
    const bytes = Buffer.from(JSON.stringify(next), 'utf8');
    const nextDesc = await this.putBlob(bytes, MEDIA_TYPE_OCI_INDEX);
    setTag(index, fallbackTag, nextDesc, { keepOld: false });
  }

  /** Serialises index.json read-modify-write within the process and across processes. */
  private withIndexLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const release = await acquireFileLock(`${this.indexPath}.lock`);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function assertTag(tag: string): void {
  if (!isValidTag(tag)) {
    throw new InputError(
      `invalid tag '${tag}': tags are 1-128 characters of letters, digits, '_', '.', '-' and do not start with '.' or '-'`,
    );
  }
}

function stripRefName(entry: Descriptor): Descriptor {
  const out: Descriptor = { ...entry };
  if (entry.annotations) {
    const { [ANNOTATION_REF_NAME]: _ref, ...rest } = entry.annotations;
    if (Object.keys(rest).length > 0) out.annotations = rest;
    else delete out.annotations;
  }
  return out;
}

function removeTag(index: ImageIndex, tag: string, keepOld = true): void {
  const i = index.manifests.findIndex((d) => d.annotations?.[ANNOTATION_REF_NAME] === tag);
  if (i < 0) return;
  const old = index.manifests[i]!;
  index.manifests.splice(i, 1);
  // The manifest a tag leaves stays a root of the layout (untagged) unless another entry keeps it,
  // so `production-previous`-style history and referrers never point at garbage.
  if (keepOld && !index.manifests.some((d) => d.digest === old.digest)) {
    index.manifests.splice(i, 0, stripRefName(old));
  }
}

function setTag(index: ImageIndex, tag: string, desc: Descriptor, opts: { keepOld?: boolean } = {}): void {
  removeTag(index, tag, opts.keepOld ?? true);
  const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (desc.artifactType) entry.artifactType = desc.artifactType;
  if (desc.platform) entry.platform = desc.platform;
  entry.annotations = { ...(desc.annotations ?? {}), [ANNOTATION_REF_NAME]: tag };
  // An untagged entry for the same manifest is replaced by the tagged one.
  const untagged = index.manifests.findIndex(
    (d) => d.digest === desc.digest && d.annotations?.[ANNOTATION_REF_NAME] === undefined,
  );
  if (untagged >= 0) index.manifests.splice(untagged, 1, entry);
  else index.manifests.push(entry);
}

export function parseManifest(bytes: Uint8Array, what: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new Error(`${what}: manifest is not JSON (${(err as Error).message})`);
  }
  const m = parsed as Partial<Manifest> & { manifests?: unknown; config?: unknown };
  if (!m || typeof m !== 'object' || m.schemaVersion !== 2) {
    throw new Error(`${what}: not an OCI/Docker schema 2 manifest`);
  }
  if (typeof m.mediaType !== 'string') {
    // mediaType is optional in image-spec; infer it from the shape.
    (m as { mediaType: string }).mediaType = Array.isArray(m.manifests)
      ? MEDIA_TYPE_OCI_INDEX
      : 'application/vnd.oci.image.manifest.v1+json';
  }
  return m as Manifest;
}

async function atomicWrite(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function acquireFileLock(lockPath: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 5;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const info = await stat(lockPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > LOCK_STALE_MS) {
        // A lock left by a crashed process: take it over.
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for lock ${lockPath} (remove it if no mlops process is running)`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
  }
}
