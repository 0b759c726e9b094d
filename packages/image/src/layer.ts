/**
 * One image layer: a reproducible tar, gzip-compressed, hashed twice on the way to disk (diff_id
 * over the tar, digest over the gzip) in a single pass over the bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import { tarStream, type TarEntry, type TarOptions } from './tar.js';

export const MEDIA_TYPE_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface LayerOptions extends TarOptions {
  /** gzip level 0-9 (default 6, gzip(1)'s default). */
  level?: number;
}

export interface BuiltLayer {
  /** `sha256:…` of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffId: string;
  /** `sha256:…` of the compressed blob (the manifest's layer digest). */
  digest: string;
  /** Compressed bytes. */
  size: number;
  uncompressedSize: number;
  mediaType: string;
  /** Where the compressed blob was written. */
  file: string;
}

/** Passes bytes through, hashing and counting them. */
class Tap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  /** Byte offset → value to force (used to pin the gzip header's OS byte). */
  constructor(private readonly patch?: Map<number, number>) {
    super();
  }
  override _transform(
    chunk: Buffer,
    _enc: BufferEncoding,
    cb: (err?: Error | null, data?: Buffer) => void,
  ): void {
    if (this.patch !== undefined && this.bytes < 16) {
      for (const [at, value] of this.patch) {
        const i = at - this.bytes;
        if (i >= 0 && i < chunk.length) chunk[i] = value;
      }
    }
    this.bytes += chunk.length;
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

/**
 * zlib writes mtime 0, no file name and XFL from the level, but the OS byte (offset 9) is the
 * platform zlib was compiled for (3 on Unix, 10 on Windows): pin it to 3 (Unix) so the digest
 * does not depend on where the image was built.
 */
const GZIP_HEADER_PATCH = new Map([[9, 3]]);

/**
 * Writes the layer to `<dir>/<random>.tmp` and renames it to `<dir>/<digest hex>` (so a blob
 * directory of a layout can be the target, and a half-written file is never mistaken for a blob).
 */
export async function writeLayer(
  entries: readonly TarEntry[],
  dir: string,
  opts: LayerOptions = {},
): Promise<BuiltLayer> {
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${randomBytes(8).toString('hex')}.tmp`);
  const tarTap = new Tap();
  const gzTap = new Tap(GZIP_HEADER_PATCH);
  try {
    await pipeline(
      Readable.from(tarStream(entries, opts), { objectMode: false }),
      tarTap,
      createGzip({
        level: opts.level ?? 6,
        memLevel: 8,
        strategy: constants.Z_DEFAULT_STRATEGY,
        chunkSize: 1 << 16,
      }),
      gzTap,
      createWriteStream(tmp),
    );
    const hex = gzTap.hash.digest('hex');
    const file = path.join(dir, hex);
    await rename(tmp, file);
    return {
      diffId: `sha256:${tarTap.hash.digest('hex')}`,
      digest: `sha256:${hex}`,
      size: gzTap.bytes,
      uncompressedSize: tarTap.bytes,
      mediaType: MEDIA_TYPE_LAYER_GZIP,
      file,
    };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
