/**
 * Build time of image layers versus their size. The floor is hashing and compressing the bytes
 * once, so each layer build is set next to `sha256sum FILE` + `gzip -6 -c FILE > /dev/null` of the
 * same file in the same run (the same work done by two C programs, one after the other).
 *
 *   npx tsx bench/image/build.ts [sizeMB ...]        (default 16 64 200)
 *
 * The model bytes are random float32-like data (incompressible, as trained weights mostly are).
 * Then a whole image (server layer + model layer + config, on the test base) is built for the
 * largest size, into an OCI layout.
 */
import { execFileSync, execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256File } from '@mlops-actions/core';
import { buildImage, locateServerSources, readBaseImage, writeLayer } from '@mlops-actions/image';
import { OciLayout } from '@mlops-actions/registry';
import { REPO_ROOT, testBaseLayout } from '../../test/image/helpers/base-image.js';

const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['16', '64', '200']).map(Number);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-image-'));

function makeFile(file: string, mb: number): void {
  const fd = openSync(file, 'w');
  const chunk = 1 << 20;
  for (let i = 0; i < mb; i++) writeSync(fd, randomBytes(chunk));
  closeSync(fd);
}

function timeMs(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mbps = (mb: number, ms: number): string => `${(mb / (ms / 1000)).toFixed(0)} MB/s`;

try {
  console.log(
    `nproc ${os.cpus().length}, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(
    'size | writeLayer (tar+2×sha256+gzip6+write) | sha256sum | gzip -6 -c >/dev/null | sha256sum+gzip | ratio ours/(sha+gzip)',
  );
  let largest = '';
  for (const mb of sizes) {
    const file = path.join(tmp, `model-${mb}.bin`);
    makeFile(file, mb);
    execSync(`cat ${file} > /dev/null`); // page cache warm for every contender alike
    const ours = await timeAsync(() =>
      writeLayer(
        [{ path: 'opt/mlops/model/model.onnx', type: 'file', source: { file } }],
        path.join(tmp, `layer-${mb}`),
      ),
    );
    const sha = timeMs(() => execFileSync('sha256sum', [file]));
    const gz = timeMs(() => execSync(`gzip -6 -c ${file} > /dev/null`));
    console.log(
      `${mb} MB | ${fmt(ours)} (${mbps(mb, ours)}) | ${fmt(sha)} | ${fmt(gz)} | ${fmt(sha + gz)} | ${(ours / (sha + gz)).toFixed(2)}`,
    );
    largest = file;
  }

  const baseStore = await OciLayout.open(testBaseLayout(), { create: false });
  const base = await readBaseImage(baseStore, 'node', 'oci:test-base:node');
  const server = locateServerSources(path.join(REPO_ROOT, 'packages/cli/dist'), REPO_ROOT);
  const sha256 = await sha256File(largest);
  for (const round of [1, 2]) {
    const target = await OciLayout.open(path.join(tmp, `image-${round}`));
    let digest = '';
    const ms = await timeAsync(async () => {
      const img = await buildImage({
        base,
        target,
        tags: ['bench'],
        model: { model: largest },
        modelInfo: { name: 'bench', task: 'regression', sha256 },
        server,
      });
      digest = img.digest;
      const added = img.added.map((l) => `${l.role} ${((l.uncompressedSize ?? 0) / 1e6) | 0} MB`).join(', ');
      console.log(`whole image, round ${round}: ${added}`);
    });
    console.log(`  built in ${fmt(ms)} → ${digest.slice(0, 19)}…`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
