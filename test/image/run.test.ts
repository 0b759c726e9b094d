/**
 * The image runs: umoci (independent of our code) unpacks it into a runtime bundle, and its
 * process (args, env, user from the generated config.json) is started in the unpacked root
 * filesystem with chroot, as the image's non-root user. Needs root (chroot, umoci's ownership).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostBaseImage, locateServerSources } from '@mlops-actions/image';
import { ORT_LINUX_X64, REPO_ROOT } from './helpers/base-image.js';
import { buildTestImage, CLI_DIST, WINE_MODEL } from './helpers/build.js';

const isRoot = process.getuid?.() === 0;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-image-run-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

const hasServe = /^\s+serve\s/m.test(
  execFileSync(process.execPath, [path.join(CLI_DIST, 'index.js'), '--help'], { encoding: 'utf8' }),
);

/**
 * The server bundle for the `mlops serve` test: the CLI bundle once it registers `serve`; until
 * then a stand-in bundled here with esbuild from the serve command's source, with the same
 * `index.js serve --model ...` interface. Undefined when neither is available.
 */
function serveBundle(): string | undefined {
  if (hasServe) return CLI_DIST;
  const source = path.join(REPO_ROOT, 'packages/cli/src/commands/serve.ts');
  if (!existsSync(source)) return undefined;
  const dir = path.join(tmp, 'serve-bundle');
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `import { serveCommand } from ${JSON.stringify(source)};\n` +
      'const [cmd, ...rest] = process.argv.slice(2);\n' +
      "if (cmd !== 'serve') { console.error('stand-in bundle: only serve'); process.exit(2); }\n" +
      'process.exitCode = await serveCommand.run(rest);\n',
  );
  try {
    execFileSync(
      path.join(REPO_ROOT, 'node_modules/.bin/esbuild'),
      [
        entry,
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--target=node20',
        '--external:onnxruntime-node',
        `--outfile=${path.join(dir, 'index.js')}`,
        "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        '--log-level=error',
      ],
      { cwd: REPO_ROOT, stdio: 'pipe' },
    );
  } catch (err) {
    console.warn(`serve stand-in bundle failed to build: ${(err as Error).message}`);
    return undefined;
  }
  rmSync(entry);
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  return dir;
}
const SERVE_BUNDLE = isRoot ? serveBundle() : undefined;

/** A small OIP-shaped server: loads the model from the image's serving config with the image's onnxruntime-node. */
const TINY_SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const cfg = JSON.parse(fs.readFileSync(process.env.MLOPS_SERVE_CONFIG, 'utf8'));
const ort = createRequire(process.env.MLOPS_ORT_PATH + '/x.js')('onnxruntime-node');
ort.InferenceSession.create(cfg.model.path).then((session) => {
  http.createServer((req, res) => {
    const send = (s, b) => { res.writeHead(s, { 'content-type': 'application/json' }); res.end(JSON.stringify(b)); };
    if (req.url === '/v2/health/ready') return send(200, { ready: true, uid: process.getuid(), cwd: process.cwd() });
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      try {
        const input = JSON.parse(body).inputs[0];
        const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) };
        const out = await session.run(feeds);
        send(200, { model_name: cfg.model.name, outputs: Object.entries(out).map(([name, t]) => ({ name, shape: t.dims, data: Array.from(t.data, Number) })) });
      } catch (e) { send(400, { error: String(e) }); }
    });
  }).listen(cfg.port, '127.0.0.1', () => console.log('listening on ' + cfg.port));
});
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface RuntimeSpec {
  process: { args: string[]; env: string[]; cwd: string; user: { uid: number; gid: number } };
}

/** umoci unpack → bundle; start its process under chroot; resolve once the health URL answers. */
async function unpackAndRun(
  layoutDir: string,
  tag: string,
  port: number,
): Promise<{ spec: RuntimeSpec; child: ChildProcess; output: () => string }> {
  const bundle = path.join(tmp, `bundle-${path.basename(layoutDir)}-${tag}`);
  execFileSync('umoci', ['unpack', '--image', `${layoutDir}:${tag}`, bundle], { stdio: 'pipe' });
  const spec = JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
  const { uid, gid } = spec.process.user;
  const env = Object.fromEntries(
    spec.process.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  const child = spawn(
    '/usr/sbin/chroot',
    [`--userspec=${uid}:${gid}`, path.join(bundle, 'rootfs'), ...spec.process.args],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`entrypoint exited with ${child.exitCode}: ${out}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v2/health/ready`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`entrypoint never became ready: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { spec, child, output: () => out };
}

function firstWineRow(): number[] {
  const lines = readFileSync(path.join(REPO_ROOT, 'examples/wine/data/eval.csv'), 'utf8').trim().split('\n');
  const header = lines[0]?.split(',') ?? [];
  const row = lines[1]?.split(',').map(Number) ?? [];
  return row.slice(0, header.indexOf('cultivar'));
}

/** The oracle: the same model run by onnxruntime-node in this process. */
async function hostPrediction(row: number[]): Promise<number[]> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(WINE_MODEL);
  const out = await session.run({
    [session.inputNames[0] ?? 'X']: new ort.Tensor('float32', Float32Array.from(row), [1, row.length]),
  });
  return Array.from((out.probabilities ?? Object.values(out)[1])?.data as Float32Array, Number);
}

interface InferReply {
  model_name: string;
  outputs: { name: string; shape: number[]; data: number[] }[];
}

describe.skipIf(!isRoot)('the built image runs (umoci unpack + chroot)', () => {
  it('starts the entrypoint as the non-root user; it loads the model with the image onnxruntime and answers OIP', async () => {
    const port = await freePort();
    const dir = path.join(tmp, 'tiny');
    await buildTestImage(dir, { port, entrypoint: ['node', '-e', TINY_SERVER], cmd: [] });
    const { spec, output } = await unpackAndRun(dir, 'v1', port);
    expect(spec.process.user).toEqual({ uid: 65532, gid: 65532 });
    expect(output()).toContain(`listening on ${port}`);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/v2/health/ready`)).json()) as { uid: number };
    expect(ready.uid).toBe(65532);
    const row = firstWineRow();
    const res = await fetch(`http://127.0.0.1:${port}/v2/models/wine/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'X', shape: [1, row.length], datatype: 'FP32', data: row }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as InferReply;
    const probs = body.outputs.find((o) => o.name === 'probabilities');
    expect(probs?.shape).toEqual([1, 3]);
    const expected = await hostPrediction(row);
    probs?.data.forEach((p, i) => expect(p).toBeCloseTo(expected[i] ?? NaN, 6));
  });

  it("runs on the 'host' base (this machine's node and the libraries it loads), built without umoci", async () => {
    const port = await freePort();
    const dir = path.join(tmp, 'host');
    const base = await hostBaseImage({ dir: path.join(tmp, 'host-base'), ortBinDir: ORT_LINUX_X64 });
    expect(base.images[0]?.platform).toEqual({ architecture: 'amd64', os: 'linux' });
    const again = await hostBaseImage({ dir: path.join(tmp, 'host-base-2'), ortBinDir: ORT_LINUX_X64 });
    expect(again.digest).toBe(base.digest);
    await buildTestImage(dir, { base, port, entrypoint: ['node', '-e', TINY_SERVER], cmd: [] });
    await unpackAndRun(dir, 'v1', port);
    const row = firstWineRow();
    const res = await fetch(`http://127.0.0.1:${port}/v2/models/wine/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'X', shape: [1, row.length], datatype: 'FP32', data: row }] }),
    });
    expect(res.status).toBe(200);
    const probs = ((await res.json()) as InferReply).outputs.find((o) => o.name === 'probabilities');
    const expected = await hostPrediction(row);
    probs?.data.forEach((p, i) => expect(p).toBeCloseTo(expected[i] ?? NaN, 6));
  });

  // Skipped only when neither the CLI bundle registers `serve` nor its source can be bundled.
  it.skipIf(SERVE_BUNDLE === undefined)(
    'serves the model with `mlops serve` as the image entrypoint (OIP health + infer)',
    async () => {
      const port = await freePort();
      const dir = path.join(tmp, 'serve');
      await buildTestImage(dir, { port, server: locateServerSources(SERVE_BUNDLE as string, REPO_ROOT) });
      await unpackAndRun(dir, 'v1', port);
      const live = await fetch(`http://127.0.0.1:${port}/v2/health/ready`);
      expect(live.status).toBe(200);
      const meta = (await (await fetch(`http://127.0.0.1:${port}/v2/models/wine`)).json()) as {
        inputs: { name: string; datatype: string }[];
      };
      const input = meta.inputs[0];
      const row = firstWineRow();
      const res = await fetch(`http://127.0.0.1:${port}/v2/models/wine/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [
            {
              name: input?.name ?? 'X',
              shape: [1, row.length],
              datatype: input?.datatype ?? 'FP32',
              data: row,
            },
          ],
        }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as InferReply;
      expect(body.model_name).toBe('wine');
      const probs = body.outputs.find((o) => o.name === 'probabilities');
      const expected = await hostPrediction(row);
      probs?.data.forEach((p, i) => expect(p).toBeCloseTo(expected[i] ?? NaN, 6));
    },
  );
});
