/**
 * OCI distribution API client (distribution-spec v1.1): blobs (HEAD to skip, cross-repository
 * mount with fallback, monolithic and chunked uploads that resume from the registry's offset),
 * manifests and indexes (PUT with digest verification), tags, referrers (API or fallback tag),
 * retries on 5xx/429 honouring Retry-After, and token/basic auth through {@link Authenticator}.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Logger } from '@mlops-actions/core';
import { AuthError, Authenticator, type Credentials } from './auth.js';
import {
  DEFAULT_RETRY,
  HttpNetworkError,
  header,
  isRetryableStatus,
  readAll,
  redactUrl,
  retryAfterMs,
  sendStream,
  sleep,
  type HttpResponse,
  type RetryPolicy,
  type StreamResponse,
} from './http.js';
import { bytesDescriptor, parseManifest, sha256FileDescriptor } from './layout.js';
import { addToReferrersIndex, filterReferrers, referrerDescriptor } from './referrers.js';
import { isLoopbackHost } from './reference.js';
import { manifestInputBytes, type BlobSource, type ManifestInput, type OciStore } from './store.js';
import {
  MANIFEST_MEDIA_TYPES,
  MEDIA_TYPE_OCI_INDEX,
  isDigest,
  isIndex,
  isValidTag,
  referrersTagFor,
  type Descriptor,
  type ImageIndex,
  type ManifestWithBytes,
} from './types.js';

export interface RegistryClientOptions {
  /** Plain HTTP (default: true for loopback hosts, false otherwise). */
  insecure?: boolean;
  credentials?: Credentials;
  /** Path of a docker config.json, or false to ignore it (default: $DOCKER_CONFIG or ~/.docker). */
  dockerConfig?: string | false;
  /** Called with every secret (password, token) so an action can mask it in logs. */
  onSecret?: (secret: string) => void;
  log?: Logger;
  retry?: Partial<RetryPolicy>;
  /**
   * Blobs up to this size go in one PUT; larger ones as PATCH chunks (default 8 MiB). A broken
   * connection during a chunked upload resumes from the offset the registry reports.
   */
  monolithicMaxBytes?: number;
  /** Bytes per PATCH (default: the whole remainder in one PATCH, as skopeo does). */
  chunkSize?: number;
  /** Blobs uploaded in parallel by copy/push helpers (default 4). */
  concurrency?: number;
}

export interface UploadStats {
  /** Blobs sent over the wire (not skipped, not mounted). */
  uploaded: number;
  uploadedBytes: number;
  skipped: number;
  mounted: number;
  /** Times an upload resumed from the registry's offset after a failure. */
  resumed: number;
  /** Requests retried after a 5xx/429 or network error. */
  retries: number;
  /** Uploads started over because the registry lost or rejected the session. */
  restarted: number;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

const MANIFEST_ACCEPT = [...MANIFEST_MEDIA_TYPES].join(', ');

type RangeSource = (start: number, end: number) => Promise<Readable>;

interface Req {
  method: string;
  /** Path under /v2/<repo>/ or an absolute URL (upload locations). */
  path: string;
  scopes: string[];
  headers?: Record<string, string>;
  body?: Buffer | (() => Readable | Promise<Readable>);
  contentLength?: number;
  /** Whether a 5xx/network failure may be retried by resending the same request. */
  retry?: boolean;
}

/** One registry host; hands out {@link RegistryRepository} objects sharing auth and sockets. */
export class RegistryClient {
  readonly baseUrl: string;
  readonly auth: Authenticator;
  readonly stats: UploadStats = {
    uploaded: 0,
    uploadedBytes: 0,
    skipped: 0,
    mounted: 0,
    resumed: 0,
    retries: 0,
    restarted: 0,
  };
  readonly retry: RetryPolicy;

  constructor(
    readonly host: string,
    readonly options: RegistryClientOptions = {},
  ) {
    const insecure = options.insecure ?? isLoopbackHost(host);
    const apiHost = host === 'docker.io' ? 'registry-1.docker.io' : host;
    this.baseUrl = `${insecure ? 'http' : 'https'}://${apiHost}`;
    this.auth = new Authenticator(host, {
      credentials: options.credentials,
      dockerConfig: options.dockerConfig,
      onSecret: options.onSecret,
    });
    this.retry = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
  }

  repository(name: string): RegistryRepository {
    return new RegistryRepository(this, name);
  }

  /** GET /v2/ (the API version check); authenticates when challenged. */
  async ping(): Promise<void> {
    const res = await this.request({ method: 'GET', path: `${this.baseUrl}/v2/`, scopes: [], retry: true });
    await drain(res);
    if (res.status !== 200) throw await this.error(res, 'GET /v2/');
  }

  /** Sends with auth, answering one 401 challenge, and retries per policy. */
  async request(req: Req): Promise<StreamResponse> {
    let attempt = 0;
    let authRetried = false;
    for (;;) {
      attempt++;
      const headers: Record<string, string> = { 'user-agent': 'mlops-actions', ...(req.headers ?? {}) };
      const authz = await this.auth.authorization(req.scopes);
      if (authz) headers.authorization = authz;
      let res: StreamResponse;
      try {
        res = await sendStream({
          method: req.method,
          url: req.path,
          headers,
          body: req.body,
          contentLength: req.contentLength,
        });
      } catch (err) {
        if (req.retry && err instanceof HttpNetworkError && attempt < this.retry.attempts) {
          this.stats.retries++;
          await sleep(this.backoff(attempt));
          continue;
        }
        throw err;
      }
      if (res.status === 401 && !authRetried) {
        const challenge = header(res.headers, 'www-authenticate');
        await drain(res);
        authRetried = true;
        if (!challenge) throw new AuthError(`${this.host}: HTTP 401 without a WWW-Authenticate challenge`);
        this.auth.setChallenge(challenge);
        this.auth.invalidate(req.scopes);
        attempt--;
        continue;
      }
      if (res.status === 401) {
        const body = (await readAll(res.stream)).toString('utf8');
        throw new AuthError(
          `${this.host}: authentication failed for ${req.method} ${redactUrl(req.path)} (HTTP 401${registryMessage(body)}); check the credentials for ${this.host}`,
        );
      }
      if (req.retry && isRetryableStatus(res.status) && attempt < this.retry.attempts) {
        const wait = retryAfterMs(res.headers) ?? this.backoff(attempt);
        await drain(res);
        this.stats.retries++;
        this.options.log?.warn(
          `${req.method} ${redactUrl(req.path)}: HTTP ${res.status}, retrying in ${Math.round(Math.min(wait, this.retry.maxDelayMs))} ms (attempt ${attempt + 1}/${this.retry.attempts})`,
        );
        await sleep(Math.min(wait, this.retry.maxDelayMs));
        continue;
      }
      return res;
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
  }

  async error(res: StreamResponse | HttpResponse, what: string): Promise<RegistryError> {
    const body = 'body' in res ? res.body : await readAll(res.stream).catch(() => Buffer.alloc(0));
    const text = body.toString('utf8');
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { errors?: { code?: string }[] }).errors?.[0]?.code;
    } catch {
      code = undefined;
    }
    if (res.status === 403) {
      return new AuthError(
        `${this.host}: ${what} denied (HTTP 403${registryMessage(text)}); the credentials lack permission`,
      );
    }
    return new RegistryError(
      `${this.host}: ${what} failed: HTTP ${res.status}${registryMessage(text)}`,
      res.status,
      code,
    );
  }
}

function registryMessage(body: string): string {
  try {
    const errs = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors;
    if (errs && errs.length > 0)
      return `: ${errs.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ')}`;
  } catch {
    // not a distribution error body
  }
  const t = body.trim().slice(0, 200);
  return t ? `: ${t}` : '';
}

async function drain(res: StreamResponse): Promise<void> {
  try {
    for await (const _ of res.stream) {
      // discard
    }
  } catch {
    // a broken body on a response we do not read does not matter
  }
}

async function body(res: StreamResponse): Promise<Buffer> {
  return readAll(res.stream);
}

function parseRangeEnd(headers: IncomingHttpHeaders): number | undefined {
  const range = header(headers, 'range');
  if (!range) return undefined;
  const m = /^(?:bytes=)?(\d+)-(\d+)$/.exec(range.trim());
  if (!m) return undefined;
  return Number(m[2]);
}

/** One repository on a registry, as an {@link OciStore}. */
export class RegistryRepository implements OciStore {
  readonly location: string;
  private referrersApi: boolean | undefined;

  constructor(
    readonly client: RegistryClient,
    readonly name: string,
  ) {
    this.location = `${client.host}/${name}`;
  }

  private url(rest: string): string {
    return `${this.client.baseUrl}/v2/${this.name}/${rest}`;
  }

  private get pull(): string[] {
    return [`repository:${this.name}:pull`];
  }

  private get push(): string[] {
    return [`repository:${this.name}:pull,push`];
  }

  private resolveLocation(location: string | undefined, what: string): string {
    if (!location) throw new RegistryError(`${this.location}: ${what}: response without a Location header`);
    return new URL(location, this.client.baseUrl).toString();
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.client.request({
      method: 'HEAD',
      path: this.url(`blobs/${digest}`),
      scopes: this.pull,
      retry: true,
    });
    await drain(res);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.client.error(res, `HEAD blob ${digest}`);
  }

  async putBlob(source: BlobSource, mediaType: string): Promise<Descriptor> {
    if (typeof source === 'string' || source instanceof Uint8Array) {
      const buf = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source);
      const desc = bytesDescriptor(buf, mediaType);
      await this.uploadBlob(desc, async (s, e) => Readable.from([buf.subarray(s, e + 1)]));
      return desc;
    }
    const desc = await sha256FileDescriptor(source.file, mediaType);
    await this.uploadBlob(desc, fileRange(source.file));
    return desc;
  }

  async putBlobFrom(descriptor: Descriptor, open: () => Promise<Readable>): Promise<void> {
    await this.uploadBlob(descriptor, async (start, end) => {
      const stream = await open();
      return start === 0 && end === descriptor.size - 1 ? stream : sliceStream(stream, start, end);
    });
  }

  /**
   * Uploads a blob unless the repository has it: optional cross-repository mount first, then a
   * monolithic PUT (small blobs) or PATCH chunks that resume from the registry's offset.
   */
  async uploadBlob(
    desc: Descriptor,
    source: RangeSource,
    options: { mountFrom?: string } = {},
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    const stats = this.client.stats;
    if (await this.hasBlob(desc.digest)) {
      stats.skipped++;
      return 'exists';
    }
    const mountFrom = options.mountFrom && options.mountFrom !== this.name ? options.mountFrom : undefined;
    const scopes = mountFrom ? [...this.push, `repository:${mountFrom}:pull`] : this.push;
    let restarts = 0;
    for (;;) {
      const startUrl = mountFrom
        ? this.url(
            `blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(mountFrom)}`,
          )
        : this.url('blobs/uploads/');
      const started = await this.client.request({ method: 'POST', path: startUrl, scopes, retry: true });
      await drain(started);
      if (started.status === 201 && mountFrom) {
        stats.mounted++;
        return 'mounted';
      }
      if (started.status !== 202) throw await this.client.error(started, `start upload of ${desc.digest}`);
      const location = this.resolveLocation(header(started.headers, 'location'), 'start upload');
      try {
        await this.sendUpload(desc, location, source, scopes);
        stats.uploaded++;
        stats.uploadedBytes += desc.size;
        return 'uploaded';
      } catch (err) {
        // The upload session is gone (e.g. the registry cancelled it after a broken request):
        // start a new one, a bounded number of times.
        if (err instanceof UploadSessionLost && restarts < this.client.retry.attempts) {
          restarts++;
          stats.restarted++;
          this.client.options.log?.warn(
            `${this.location}: upload of ${desc.digest} restarted: ${err.message}`,
          );
          continue;
        }
        throw err;
      }
    }
  }

  private async sendUpload(
    desc: Descriptor,
    startLocation: string,
    source: RangeSource,
    scopes: string[],
  ): Promise<void> {
    const client = this.client;
    let location = startLocation;
    const monolithicMax = client.options.monolithicMaxBytes ?? 8 << 20;
    if (desc.size <= monolithicMax) {
      const u = new URL(location);
      u.searchParams.set('digest', desc.digest);
      const buf = await readAll(await source(0, desc.size - 1));
      if (buf.length !== desc.size)
        throw new RegistryError(
          `${this.location}: blob ${desc.digest} source gave ${buf.length} bytes, expected ${desc.size}`,
        );
      let res: StreamResponse;
      try {
        res = await client.request({
          method: 'PUT',
          path: u.toString(),
          scopes,
          headers: { 'content-type': 'application/octet-stream' },
          body: buf,
        });
      } catch (err) {
        if (err instanceof HttpNetworkError) throw new UploadSessionLost(err.message);
        throw err;
      }
      await this.finishPut(res, desc);
      return;
    }
    const chunk = client.options.chunkSize ?? desc.size;
    let offset = 0;
    let failures = 0;
    while (offset < desc.size) {
      const end = Math.min(desc.size, offset + chunk) - 1;
      const start = offset;
      let res: StreamResponse | undefined;
      try {
        res = await client.request({
          method: 'PATCH',
          path: location,
          scopes,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${start}-${end}`,
          },
          body: () => source(start, end),
          contentLength: end - start + 1,
        });
      } catch (err) {
        if (!(err instanceof HttpNetworkError)) throw err;
        res = undefined;
      }
      if (res && res.status === 202) {
        await drain(res);
        location = this.resolveLocation(header(res.headers, 'location'), 'PATCH');
        const reported = parseRangeEnd(res.headers);
        offset = reported === undefined ? end + 1 : reported + 1;
        failures = 0;
        continue;
      }
      if (res && !isRetryableStatus(res.status) && res.status !== 416) {
        throw await client.error(res, `PATCH blob ${desc.digest} bytes ${start}-${end}`);
      }
      if (res) await drain(res);
      // A broken connection, 5xx or a range the registry rejects: ask where it stands, resume.
      failures++;
      if (failures > client.retry.attempts) {
        throw new UploadSessionLost(`PATCH ${desc.digest} failed ${failures} times at offset ${start}`);
      }
      await sleep(Math.min(client.retry.maxDelayMs, client.retry.baseDelayMs * 2 ** (failures - 1)));
      const status = await this.uploadStatus(location, scopes);
      location = status.location;
      offset = status.offset;
      client.stats.resumed++;
      client.options.log?.warn(
        `${this.location}: upload of ${desc.digest} resumes at byte ${offset} of ${desc.size}`,
      );
    }
    const u = new URL(location);
    u.searchParams.set('digest', desc.digest);
    let res: StreamResponse;
    try {
      res = await client.request({ method: 'PUT', path: u.toString(), scopes, retry: false });
    } catch (err) {
      // The commit may have landed before the connection broke: the blob's presence decides.
      if (err instanceof HttpNetworkError && (await this.hasBlob(desc.digest))) return;
      if (err instanceof HttpNetworkError) throw new UploadSessionLost(err.message);
      throw err;
    }
    if (isRetryableStatus(res.status)) {
      await drain(res);
      if (await this.hasBlob(desc.digest)) return;
      throw new UploadSessionLost(`PUT ${desc.digest} answered HTTP ${res.status}`);
    }
    await this.finishPut(res, desc);
  }

  private async finishPut(res: StreamResponse, desc: Descriptor): Promise<void> {
    if (res.status === 201 || res.status === 204) {
      await drain(res);
      const got = header(res.headers, 'docker-content-digest');
      if (got && got !== desc.digest) {
        throw new RegistryError(`${this.location}: registry stored blob as ${got}, expected ${desc.digest}`);
      }
      return;
    }
    if (res.status === 404) {
      await drain(res);
      throw new UploadSessionLost(`upload session not found on PUT`);
    }
    const err = await this.client.error(res, `PUT blob ${desc.digest}`);
    if (
      err.code === 'DIGEST_INVALID' ||
      err.code === 'BLOB_UPLOAD_INVALID' ||
      err.code === 'BLOB_UPLOAD_UNKNOWN'
    ) {
      throw new UploadSessionLost(err.message);
    }
    throw err;
  }

  private async uploadStatus(
    location: string,
    scopes: string[],
  ): Promise<{ location: string; offset: number }> {
    const res = await this.client.request({ method: 'GET', path: location, scopes, retry: true });
    await drain(res);
    if (res.status !== 204 && res.status !== 202) {
      throw new UploadSessionLost(`upload status answered HTTP ${res.status}`);
    }
    const end = parseRangeEnd(res.headers);
    return {
      location: this.resolveLocation(header(res.headers, 'location') ?? location, 'upload status'),
      offset: end === undefined ? 0 : end + 1,
    };
  }

  async openBlob(digest: string): Promise<Readable> {
    const res = await this.client.request({
      method: 'GET',
      path: this.url(`blobs/${digest}`),
      scopes: this.pull,
      retry: true,
    });
    if (res.status !== 200) throw await this.client.error(res, `GET blob ${digest}`);
    return res.stream;
  }

  async getBlob(digest: string): Promise<Buffer> {
    const buf = await readAll(await this.openBlob(digest));
    const actual = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
    if (actual !== digest)
      throw new RegistryError(`${this.location}: blob ${digest} arrived with digest ${actual}`);
    return buf;
  }

  async putManifest(input: ManifestInput, tag?: string): Promise<Descriptor> {
    const { bytes, mediaType } = manifestInputBytes(input);
    const manifest = parseManifest(bytes, 'manifest');
    const desc = bytesDescriptor(bytes, mediaType);
    if (manifest.artifactType) desc.artifactType = manifest.artifactType;
    if (tag !== undefined && !isValidTag(tag)) throw new RegistryError(`invalid tag '${tag}'`);
    const ref = tag ?? desc.digest;
    const res = await this.client.request({
      method: 'PUT',
      path: this.url(`manifests/${ref}`),
      scopes: this.push,
      headers: { 'content-type': mediaType },
      body: bytes,
      retry: true,
    });
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) {
      throw await this.client.error(res, `PUT manifest ${this.name}:${ref}`);
    }
    await drain(res);
    const got = header(res.headers, 'docker-content-digest');
    if (got && got !== desc.digest) {
      throw new RegistryError(
        `${this.location}: registry stored manifest ${ref} as ${got}, but its bytes hash to ${desc.digest}`,
      );
    }
    if (manifest.subject && header(res.headers, 'oci-subject') === undefined) {
      await this.addToFallbackIndex(manifest.subject.digest, referrerDescriptor(manifest, desc));
    }
    return desc;
  }

  private async addToFallbackIndex(subjectDigest: string, entry: Descriptor): Promise<void> {
    const fallbackTag = referrersTagFor(subjectDigest);
    const current = await this.getManifest(fallbackTag);
    const existing = current && isIndex(current.manifest) ? (current.manifest as ImageIndex) : undefined;
    const next = addToReferrersIndex(existing, entry);
    await this.putManifest(next, fallbackTag);
  }

  async getManifest(ref: string): Promise<ManifestWithBytes | undefined> {
    const res = await this.client.request({
      method: 'GET',
      path: this.url(`manifests/${ref}`),
      scopes: this.pull,
      headers: { accept: MANIFEST_ACCEPT },
      retry: true,
    });
    if (res.status === 404) {
      await drain(res);
      return undefined;
    }
    if (res.status !== 200) throw await this.client.error(res, `GET manifest ${this.name}:${ref}`);
    const bytes = await body(res);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (isDigest(ref) && digest !== ref) {
      throw new RegistryError(`${this.location}: manifest ${ref} arrived with digest ${digest}`);
    }
    const headerDigest = header(res.headers, 'docker-content-digest');
    if (headerDigest && headerDigest !== digest) {
      throw new RegistryError(
        `${this.location}: manifest ${ref}: registry says ${headerDigest}, bytes hash to ${digest}`,
      );
    }
    const manifest = parseManifest(bytes, `${this.location}:${ref}`);
    const mediaType = manifest.mediaType ?? header(res.headers, 'content-type');
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
    if (manifest.artifactType) descriptor.artifactType = manifest.artifactType;
    return { descriptor, manifest, bytes };
  }

  async resolve(tag: string): Promise<Descriptor | undefined> {
    const res = await this.client.request({
      method: 'HEAD',
      path: this.url(`manifests/${tag}`),
      scopes: this.pull,
      headers: { accept: MANIFEST_ACCEPT },
      retry: true,
    });
    await drain(res);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.client.error(res, `HEAD manifest ${this.name}:${tag}`);
    const digest = header(res.headers, 'docker-content-digest');
    const size = Number(header(res.headers, 'content-length'));
    const mediaType = header(res.headers, 'content-type');
    if (!digest || !isDigest(digest) || !Number.isFinite(size) || !mediaType) {
      // Not every registry answers HEAD fully: read the manifest and hash it ourselves.
      return (await this.getManifest(tag))?.descriptor;
    }
    return { mediaType, digest, size };
  }

  async tag(tag: string, descriptor: Descriptor): Promise<void> {
    const found = await this.getManifest(descriptor.digest);
    if (!found)
      throw new RegistryError(
        `${this.location}: cannot tag '${tag}': manifest ${descriptor.digest} not found`,
        404,
      );
    await this.putManifest({ bytes: found.bytes, mediaType: found.descriptor.mediaType }, tag);
  }

  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = this.url('tags/list?n=1000');
    while (next) {
      const res = await this.client.request({ method: 'GET', path: next, scopes: this.pull, retry: true });
      if (res.status === 404) {
        await drain(res);
        return [];
      }
      if (res.status !== 200) throw await this.client.error(res, `list tags of ${this.name}`);
      const parsed = JSON.parse((await body(res)).toString('utf8')) as { tags?: string[] | null };
      tags.push(...(parsed.tags ?? []));
      const link = header(res.headers, 'link');
      const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
      next = m ? new URL(m[1]!, this.client.baseUrl).toString() : undefined;
    }
    return [...new Set(tags)].sort();
  }

  async referrers(digest: string, artifactType?: string): Promise<Descriptor[]> {
    if (this.referrersApi !== false) {
      const path = this.url(
        `referrers/${digest}${artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : ''}`,
      );
      const res = await this.client.request({ method: 'GET', path, scopes: this.pull, retry: true });
      const type = header(res.headers, 'content-type') ?? '';
      if (res.status === 200 && type.startsWith(MEDIA_TYPE_OCI_INDEX)) {
        this.referrersApi = true;
        const index = JSON.parse((await body(res)).toString('utf8')) as ImageIndex;
        return filterReferrers(index.manifests ?? [], artifactType);
      }
      await drain(res);
      this.referrersApi = false;
    }
    const found = await this.getManifest(referrersTagFor(digest));
    if (!found || !isIndex(found.manifest)) return [];
    return filterReferrers(found.manifest.manifests, artifactType);
  }
}

class UploadSessionLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadSessionLost';
  }
}

function fileRange(file: string): RangeSource {
  return async (start, end) => createReadStream(file, { start, end, highWaterMark: 1 << 20 });
}

/** Bytes `start..end` (inclusive) of a stream that starts at byte 0. */
function sliceStream(stream: Readable, start: number, end: number): Readable {
  let pos = 0;
  return Readable.from(
    (async function* () {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const cStart = pos;
        pos += chunk.length;
        if (pos <= start) continue;
        if (cStart > end) break;
        yield chunk.subarray(Math.max(0, start - cStart), Math.min(chunk.length, end + 1 - cStart));
        if (pos > end) break;
      }
    })(),
  );
}

export { fileRange, sliceStream };
