/**
 * A test base image built locally, with no internet and no container engine: umoci (an
 * independent OCI tool) packs the machine's `node` binary, the shared libraries `ldd` lists for it
 * and for onnxruntime-node's binding, and the dynamic loader into one layer. The result is cached
 * per node binary under the temp dir, since packing 100 MB takes seconds.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const ORT_LINUX_X64 = path.join(REPO_ROOT, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Absolute paths `ldd` prints for `file` (resolved libraries and the loader). */
export function lddPaths(file: string): string[] {
  const out: string[] = [];
  for (const line of run('ldd', [file]).split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1] && !m[1].includes('onnxruntime')) out.push(m[1]);
  }
  return out;
}

export function nodeBinary(): string {
  return realpathSync(process.execPath);
}

/** Layout dir holding tag `node` (linux/amd64) and `multi` (an index: amd64 + a relabelled arm64). */
export function testBaseLayout(): string {
  const node = nodeBinary();
  const info = statSync(node);
  const key = createHash('sha256')
    .update(`${node}:${info.size}:${info.mtimeMs}:v3`)
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(os.tmpdir(), `mlops-test-base-${key}`);
  if (existsSync(path.join(dir, 'index.json'))) return dir;

  const work = `${dir}.build-${process.pid}-${Date.now()}`;
  const layout = path.join(work, 'layout');
  const bundle = path.join(work, 'bundle');
  mkdirSync(work, { recursive: true });
  try {
    run('umoci', ['init', '--layout', layout]);
    run('umoci', ['new', '--image', `${layout}:node`]);
    run('umoci', ['unpack', '--image', `${layout}:node`, bundle]);
    const rootfs = path.join(bundle, 'rootfs');
    const put = (src: string, dest: string): void => {
      const target = path.join(rootfs, dest);
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(realpathSync(src), target);
      chmodSync(target, 0o755);
    };
    put(node, '/usr/local/bin/node');
    const libs = new Set([
      ...lddPaths(node),
      ...lddPaths(path.join(ORT_LINUX_X64, 'onnxruntime_binding.node')),
      ...lddPaths(path.join(ORT_LINUX_X64, 'libonnxruntime.so.1')),
    ]);
    for (const lib of libs) put(lib, lib);
    mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
    chmodSync(path.join(rootfs, 'tmp'), 0o1777);
    run('umoci', ['repack', '--image', `${layout}:node`, bundle]);
    run('umoci', [
      'config',
      '--image',
      `${layout}:node`,
      '--os',
      'linux',
      '--architecture',
      'amd64',
      '--config.env',
      'PATH=/usr/local/bin:/usr/bin:/bin',
      '--config.env',
      'BASE_MARKER=1',
      '--config.cmd',
      'node',
      '--config.label',
      'org.example.base=test-node',
    ]);
    run('umoci', ['config', '--image', `${layout}:node`, '--tag', 'node-arm64', '--architecture', 'arm64']);
    run('umoci', ['gc', '--layout', layout]);
    addMultiPlatformIndex(layout);
    try {
      renameSync(layout, dir);
    } catch {
      // Another test file built it at the same time: use theirs.
      if (!existsSync(path.join(dir, 'index.json')))
        throw new Error(`could not place the test base at ${dir}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

/**
 * Tag `multi`: an index as buildkit writes one: amd64, arm64 and an attestation manifest under
 * `unknown/unknown` (which a builder must drop, not build on).
 */
function addMultiPlatformIndex(layout: string): void {
  const indexPath = path.join(layout, 'index.json');
  const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { manifests: IndexEntry[] };
  const byTag = (tag: string): IndexEntry => {
    const e = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
    if (!e) throw new Error(`tag ${tag} missing`);
    return { mediaType: e.mediaType, digest: e.digest, size: e.size };
  };
  const multi = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { ...byTag('node'), platform: { os: 'linux', architecture: 'amd64' } },
      { ...byTag('node-arm64'), platform: { os: 'linux', architecture: 'arm64' } },
      {
        ...byTag('node'),
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    ],
  };
  const bytes = Buffer.from(JSON.stringify(multi));
  const hex = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(path.join(layout, 'blobs', 'sha256', hex), bytes);
  index.manifests.push({
    mediaType: multi.mediaType,
    digest: `sha256:${hex}`,
    size: bytes.length,
    annotations: { 'org.opencontainers.image.ref.name': 'multi' },
  });
  writeFileSync(indexPath, JSON.stringify(index));
}
