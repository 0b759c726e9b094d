import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
  type ImageManifest,
  type OciStore,
} from '@mlops-actions/registry';

const execFileP = promisify(execFile);

/** A minimal image (config + the given layers) written into `store`. */
export async function simpleImage(store: OciStore, layers: (string | Buffer)[]): Promise<ImageManifest> {
  const descs = [];
  for (const l of layers) descs.push(await store.putBlob(l, MEDIA_TYPE_OCI_LAYER_TAR));
  const config = await store.putBlob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: descs.map((d) => d.digest) },
      config: {},
    }),
    MEDIA_TYPE_OCI_CONFIG,
  );
  return { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers: descs };
}

/** Deterministic pseudo-random bytes (incompressible, so sizes mean what they say). */
export function pseudoRandom(size: number, seed = 1): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, Math.min(i, size - 4));
  }
  return buf;
}

export async function skopeo(args: string[]): Promise<string> {
  const { stdout } = await execFileP('skopeo', args, { maxBuffer: 64 << 20, timeout: 120_000 });
  return stdout;
}

export async function skopeoInspect(ref: string, extra: string[] = []): Promise<unknown> {
  return JSON.parse(await skopeo(['inspect', '--tls-verify=false', ...extra, ref]));
}
