/**
 * Push throughput of a 200 MB layer: our client vs `skopeo copy oci:DIR docker://…`, same layout,
 * fresh docker-registry per measurement, alternating order.
 *   npx tsx bench/registry/push.ts [sizeMB=200] [rounds=2]
 * skopeo runs with --preserve-digests so both send the same bytes (without it skopeo would gzip
 * the uncompressed layer for a docker:// destination).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_LAYER_TAR,
  MEDIA_TYPE_OCI_MANIFEST,
  OciLayout,
  RegistryClient,
  copyManifest,
} from '../../packages/registry/src/index.js';
import { startRegistry } from '../../test/helpers/registry.js';

const execFileP = promisify(execFile);
const sizeMB = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 2);

async function* randomChunks(total: number): AsyncGenerator<Buffer> {
  let x = 0x9e3779b9;
  const chunk = 1 << 20;
  for (let done = 0; done < total; done += chunk) {
    const buf = Buffer.allocUnsafe(Math.min(chunk, total - done));
    for (let i = 0; i + 4 <= buf.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      buf.writeUInt32LE(x >>> 0, i);
    }
    yield buf;
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'bench-registry-'));
try {
  const layout = await OciLayout.open(path.join(dir, 'layout'));
  const layer = await layout.putBlobStream(randomChunks(sizeMB << 20), MEDIA_TYPE_OCI_LAYER_TAR);
  const config = await layout.putBlob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
    MEDIA_TYPE_OCI_CONFIG,
  );
  await layout.putManifest(
    { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers: [layer] },
    'v1',
  );

  const results: Record<'ours' | 'skopeo', number[]> = { ours: [], skopeo: [] };
  for (let round = 0; round < rounds; round++) {
    const order: ('ours' | 'skopeo')[] = round % 2 === 0 ? ['ours', 'skopeo'] : ['skopeo', 'ours'];
    for (const who of order) {
      const reg = await startRegistry();
      try {
        const t0 = performance.now();
        if (who === 'ours') {
          const client = new RegistryClient(reg.host, { dockerConfig: false });
          await copyManifest(layout, 'v1', client.repository('bench/img'), { tags: ['v1'] });
          if (client.stats.uploaded !== 2) throw new Error('expected 2 uploads');
        } else {
          await execFileP('skopeo', [
            'copy',
            '--quiet',
            '--preserve-digests',
            '--dest-tls-verify=false',
            `oci:${path.join(dir, 'layout')}:v1`,
            `docker://${reg.host}/bench/img:v1`,
          ]);
        }
        const secs = (performance.now() - t0) / 1000;
        results[who].push(secs);
        console.log(
          `round ${round + 1} ${who.padEnd(6)} ${secs.toFixed(2)} s  ${(sizeMB / secs).toFixed(1)} MB/s`,
        );
      } finally {
        await reg.stop();
      }
    }
  }
  const median = (a: number[]): number => {
    const s = [...a].sort((x, y) => x - y);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const ours = median(results.ours);
  const sk = median(results.skopeo);
  console.log(`machine: ${cpus().length} cpus, ${cpus()[0]?.model ?? '?'}`);
  console.log(
    `layer ${sizeMB} MB; median ours ${ours.toFixed(2)} s (${(sizeMB / ours).toFixed(1)} MB/s), skopeo ${sk.toFixed(2)} s (${(sizeMB / sk).toFixed(1)} MB/s); ours/skopeo throughput ratio ${(sk / ours).toFixed(2)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
