/**
 * Benchmark 3, the model server: `npx tsx bench/serve/server.ts [seconds] [connections]`.
 *
 * In one run, on the breast-cancer example model, one evaluation row per request (OIP /infer):
 *  1. wrk (closed loop, 1 thread, C connections) against a trivial Node server that reads the body
 *     and answers a constant response of the same size, then against `mlops serve` with dynamic
 *     batching (default, max-batch-size 64) and without it (max-batch-size 1); the batch-size
 *     histogram from /metrics.
 *  2. onnxruntime in-process on the same rows: one session in this thread (1 row per run, and
 *     64 rows per run), and the server's own worker pool driven directly (no HTTP).
 *  3. p99 at 1,000 requests/s: Debian's wrk 4.1 has no -R (that is wrk2), so the project's
 *     open-model generator (packages/loadgen runLoad: latency from each request's intended send
 *     time) sends 1,000/s for the duration, against both servers.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SessionPool, loadOnnxRuntime, resolveOnnxRuntime } from '../../packages/inference/src/index.js';
import { runLoad } from '../../packages/loadgen/src/index.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const MODEL = path.join(ROOT, 'examples/breast-cancer/baseline/model.onnx');
const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 64);
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-serve-'));

const lines = readFileSync(path.join(ROOT, 'examples/breast-cancer/data/eval.csv'), 'utf8')
  .trim()
  .split('\n');
const header = lines[0]!.split(',');
const labelAt = header.indexOf('malignant');
const rows = lines.slice(1).map((l) =>
  l
    .split(',')
    .filter((_, i) => i !== labelAt)
    .map(Number),
);
const body = JSON.stringify({
  inputs: [{ name: 'float_input', shape: [1, 30], datatype: 'FP32', data: rows[0] }],
});

function machine(): string {
  return `nproc ${availableParallelism()}, cpu ${cpus()[0]?.model ?? '?'}, node ${process.version}, loadavg ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${new Date().toISOString()}`;
}

const children: ChildProcess[] = [];
function child(args: string[], ready: RegExp): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ port: Number(m[1]), proc });
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

async function serve(extra: string[]) {
  return child(
    [
      '--import',
      'tsx',
      path.join(ROOT, 'test/serve/serve-cli.ts'),
      '--model',
      MODEL,
      '--name',
      'bc',
      '--port',
      '0',
      ...extra,
    ],
    /serving \S+ on http:\/\/127\.0\.0\.1:(\d+)/,
  );
}

async function trivial(response: string) {
  const file = path.join(tmp, 'trivial.mjs');
  writeFileSync(
    file,
    `import http from 'node:http';
const body = ${JSON.stringify(response)};
const len = Buffer.byteLength(body);
http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': len });
    res.end(body);
  });
}).listen(0, '127.0.0.1', function () { console.log('listening ' + this.address().port); });
`,
  );
  return child([file], /listening (\d+)/);
}

async function wrk(port: number) {
  const script = path.join(tmp, 'post.lua');
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.path = "/v2/models/bc/infer"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '${body}'\n`,
  );
  const { stdout } = await run(
    '/usr/bin/wrk',
    [
      '-t',
      '1',
      '-c',
      String(connections),
      '-d',
      `${seconds}s`,
      '--latency',
      '-s',
      script,
      `http://127.0.0.1:${port}`,
    ],
    { maxBuffer: 1 << 20 },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(stdout);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? '0';
  return { rps, p50: pct('50'), p99: pct('99'), non2xx: Number(errors) };
}

async function batchHistogram(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const buckets = [...text.matchAll(/^mlops_serve_batch_size_bucket\{le="([^"]+)"[^}]*\} (\d+)$/gm)].map(
    (m) => [m[1]!, Number(m[2])] as const,
  );
  const sum = Number(/^mlops_serve_batch_size_sum\{[^}]*\} ([\d.e+]+)$/m.exec(text)?.[1]);
  const count = Number(/^mlops_serve_batch_size_count\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
  // Cumulative buckets → counts per bucket.
  let prev = 0;
  const perBucket = buckets.map(([le, c]) => {
    const n = c - prev;
    prev = c;
    return `≤${le}: ${n}`;
  });
  return { mean: sum / count, batches: count, perBucket: perBucket.join(', ') };
}

async function openModel(port: number, rate: number) {
  const r = await runLoad({
    url: `http://127.0.0.1:${port}`,
    requests: [
      {
        method: 'POST',
        path: '/v2/models/bc/infer',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(body),
      },
    ],
    rate,
    durationMs: seconds * 1000,
    warmupMs: 2000,
    connections,
  });
  return {
    achieved: r.responses / (r.measuredMs / 1000),
    p50: r.latency?.p50,
    p99: r.latency?.p99,
    p999: r.latency?.p999,
    max: r.latency?.max,
    errors: r.errors,
    dropped: r.dropped,
    late: r.late,
  };
}

async function inProcess() {
  const ort = await loadOnnxRuntime();
  const session = await ort.InferenceSession.create(MODEL, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const time = async (batch: number): Promise<number> => {
    const tensors = Array.from({ length: Math.ceil(rows.length / batch) }, (_, b) => {
      const slice = rows.slice(b * batch, b * batch + batch);
      while (slice.length < batch) slice.push(rows[slice.length % rows.length]!);
      return new ort.Tensor('float32', Float32Array.from(slice.flat()), [batch, 30]);
    });
    let n = 0;
    const until = performance.now() + Math.min(seconds, 5) * 1000;
    const t0 = performance.now();
    while (performance.now() < until) {
      for (const t of tensors) {
        await session.run({ float_input: t });
        n += batch;
      }
    }
    return n / ((performance.now() - t0) / 1000);
  };
  const single = await time(1);
  const batched = await time(64);
  // The server's worker pool without HTTP: one row per run, every worker kept busy.
  const threads = availableParallelism();
  const pool = await SessionPool.open(resolveOnnxRuntime(), MODEL, threads);
  let done = 0;
  const until = performance.now() + Math.min(seconds, 5) * 1000;
  const t0 = performance.now();
  await Promise.all(
    pool.workers.map(async (w, k) => {
      for (let i = k; performance.now() < until; i++) {
        const row = rows[i % rows.length]!;
        await w.run(
          [{ name: 'float_input', type: 'float32', dims: [1, 30], data: Float32Array.from(row) }],
          ['label', 'probabilities'],
        );
        done++;
      }
    }),
  );
  const poolRate = done / ((performance.now() - t0) / 1000);
  await pool.close();
  return { single, batched, poolRate, threads };
}

const fmt = (v: number | undefined, d = 2): string =>
  v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d);

try {
  console.log(`machine: ${machine()}`);
  console.log(
    `load: wrk -t1 -c${connections} -d${seconds}s, one eval row per POST /v2/models/bc/infer (${body.length} bytes)`,
  );

  const probe = await serve(['--threads', String(availableParallelism())]);
  const response = await (
    await fetch(`http://127.0.0.1:${probe.port}/v2/models/bc/infer`, { method: 'POST', body })
  ).text();
  await stop(probe.proc);

  const t = await trivial(response);
  const trivialWrk = await wrk(t.port);
  console.log(
    `trivial node server: ${fmt(trivialWrk.rps, 0)} req/s, p50 ${fmt(trivialWrk.p50)} ms, p99 ${fmt(trivialWrk.p99)} ms`,
  );

  const batched = await serve([]);
  const batchedWrk = await wrk(batched.port);
  const hist = await batchHistogram(batched.port);
  console.log(
    `mlops serve (batching, max-batch-size 64): ${fmt(batchedWrk.rps, 0)} req/s, p50 ${fmt(batchedWrk.p50)} ms, p99 ${fmt(batchedWrk.p99)} ms, non-2xx ${batchedWrk.non2xx}`,
  );
  console.log(`  batch sizes: mean ${fmt(hist.mean)} rows over ${hist.batches} batches; ${hist.perBucket}`);

  const unbatched = await serve(['--max-batch-size', '1']);
  const unbatchedWrk = await wrk(unbatched.port);
  console.log(
    `mlops serve (no batching, max-batch-size 1): ${fmt(unbatchedWrk.rps, 0)} req/s, p50 ${fmt(unbatchedWrk.p50)} ms, p99 ${fmt(unbatchedWrk.p99)} ms`,
  );
  await stop(unbatched.proc);

  const inline = await serve(['--threads', '0']);
  const inlineWrk = await wrk(inline.port);
  console.log(
    `mlops serve (--threads 0: inference on the event loop, batching): ${fmt(inlineWrk.rps, 0)} req/s, p50 ${fmt(inlineWrk.p50)} ms, p99 ${fmt(inlineWrk.p99)} ms`,
  );
  const openInline = await openModel(inline.port, 1000);
  console.log(
    `mlops serve --threads 0 at 1000 req/s: p50 ${fmt(openInline.p50)} ms, p99 ${fmt(openInline.p99)} ms, p99.9 ${fmt(openInline.p999)} ms, errors ${openInline.errors}, dropped ${openInline.dropped}, late ${openInline.late}`,
  );
  await stop(inline.proc);

  const open = await openModel(batched.port, 1000);
  console.log(
    `mlops serve at 1000 req/s (open model, ${connections} connections): achieved ${fmt(open.achieved, 0)}/s, p50 ${fmt(open.p50)} ms, p99 ${fmt(open.p99)} ms, p99.9 ${fmt(open.p999)} ms, max ${fmt(open.max)} ms, errors ${open.errors}, dropped ${open.dropped}, late ${open.late}`,
  );
  const openTrivial = await openModel(t.port, 1000);
  console.log(
    `trivial server at 1000 req/s (same generator): p50 ${fmt(openTrivial.p50)} ms, p99 ${fmt(openTrivial.p99)} ms`,
  );
  await stop(batched.proc);
  await stop(t.proc);

  const ortRates = await inProcess();
  console.log(
    `onnxruntime in-process: ${fmt(ortRates.single, 0)} rows/s one row per run, ${fmt(ortRates.batched, 0)} rows/s 64 rows per run (1 thread); worker pool (${ortRates.threads} threads, no HTTP): ${fmt(ortRates.poolRate, 0)} rows/s`,
  );

  console.log('ratios:');
  console.log(
    `  mlops serve / trivial server (wrk, same run): ${fmt(batchedWrk.rps / trivialWrk.rps)} (goal >= 0.50)`,
  );
  console.log(`  batching / no batching (wrk): ${fmt(batchedWrk.rps / unbatchedWrk.rps)}`);
  console.log(`  mlops serve / onnxruntime pool without HTTP: ${fmt(batchedWrk.rps / ortRates.poolRate)}`);
  console.log(
    `  mlops serve / onnxruntime one row per run, one thread: ${fmt(batchedWrk.rps / ortRates.single)}`,
  );
  console.log(
    `  p99 at 1000 req/s: ${fmt(open.p99)} ms worker thread, ${fmt(openInline.p99)} ms --threads 0, trivial ${fmt(openTrivial.p99)} ms (goal < 5 ms)`,
  );
  console.log(`  mlops serve --threads 0 / trivial server (wrk): ${fmt(inlineWrk.rps / trivialWrk.rps)}`);
  console.log(`machine after: ${machine()}`);
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
}
