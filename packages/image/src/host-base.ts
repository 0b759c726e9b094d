/**
 * A base image made from this machine: its `node` binary, the shared libraries `ldd` lists for
 * node and for onnxruntime-node's binding, and the dynamic loader, in one layer. It needs no
 * registry (offline laptops, air-gapped runners, this repository's tests and demo) and carries
 * nothing but what the server loads. Same machine, same node → same layer digest.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '@mlops-actions/core';
import {
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_MANIFEST,
  OciLayout,
  type ImageManifest,
} from '@mlops-actions/registry';
import { readBaseImage, type BaseImage } from './base.js';
import type { ImageConfig } from './config.js';
import { rfc3339 } from './config.js';
import { writeLayer } from './layer.js';
import type { TarEntry } from './tar.js';

/** The reference that names this base (`--base host` / `image.base: host`). */
export const HOST_BASE_REF = 'host';
const TAG = 'host-node';

function ldd(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('ldd', [file], { encoding: 'utf8', timeout: 30_000 }, (err, stdout) => {
      if (err) {
        reject(
          new InputError(
            `base 'host': 'ldd ${file}' failed (${err.message}); the host base needs Linux with glibc`,
          ),
        );
        return;
      }
      const out: string[] = [];
      for (const line of stdout.split('\n')) {
        const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
        if (m?.[1]) out.push(m[1]);
      }
      resolve(out);
    });
  });
}

export interface HostBaseOptions {
  /** Where the base layout is kept (default: a per-node-binary directory under the temp dir). */
  dir?: string;
  /** onnxruntime-node's per-platform binary directory, whose libraries' dependencies are added too. */
  ortBinDir?: string;
  node?: string;
}

/** Builds (once; reused when present) and reads the host base image. */
export async function hostBaseImage(opts: HostBaseOptions = {}): Promise<BaseImage> {
  if (process.platform !== 'linux')
    throw new InputError(`base 'host' needs a Linux machine (this one is ${process.platform})`);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : undefined;
  if (!arch) throw new InputError(`base 'host': onnxruntime-node has no Linux binary for ${process.arch}`);
  const node = realpathSync(opts.node ?? process.execPath);
  const info = statSync(node);
  const key = createHash('sha256')
    .update(`${node}\0${info.size}\0${info.mtimeMs}\0${opts.ortBinDir ?? ''}\0v1`)
    .digest('hex')
    .slice(0, 16);
  const dir = opts.dir ?? path.join(os.tmpdir(), `mlops-host-base-${key}`);
  const layout = await OciLayout.open(dir);
  if ((await layout.resolve(TAG)) === undefined) {
    const libs = new Set(await ldd(node));
    for (const f of ['onnxruntime_binding.node', 'libonnxruntime.so.1']) {
      const file = opts.ortBinDir ? path.join(opts.ortBinDir, f) : undefined;
      if (file && existsSync(file))
        for (const l of await ldd(file)) if (!l.includes('onnxruntime')) libs.add(l);
    }
    const entries: TarEntry[] = [
      { path: 'usr/local/bin/node', type: 'file', source: { file: node }, mode: 0o755 },
      { path: 'tmp', type: 'dir', mode: 0o1777 },
      ...[...libs].sort().map((lib): TarEntry => ({
        path: lib,
        type: 'file',
        source: { file: realpathSync(lib) },
        mode: 0o755,
      })),
    ];
    const layer = await writeLayer(entries, path.join(dir, 'blobs', 'sha256'), { mtime: 0 });
    const created = rfc3339(0);
    const config: ImageConfig = {
      created,
      architecture: arch,
      os: 'linux',
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [
        { created, created_by: `mlops build-image: host base (node ${process.version} and its libraries)` },
      ],
    };
    const configDesc = await layout.putBlob(Buffer.from(JSON.stringify(config)), MEDIA_TYPE_OCI_CONFIG);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      config: configDesc,
      layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
    };
    await layout.putManifest(manifest, TAG);
  }
  return readBaseImage(layout, TAG, HOST_BASE_REF);
}
