import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys, startServer, type RunningServer } from '@mlops-actions/serve';
import { BREAST_CANCER, ROOT, evalRows, get, inferBody, post } from './helpers.js';

const bc = evalRows('breast-cancer', 'malignant');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts `mlops serve` as a child; resolves with its URL once it prints the ready line. */
function serveCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/serve/serve-cli.ts'), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /^serving (\S+) on (http:\/\/\S+)$/m.exec(stdout);
      if (m) resolve(m[2]!);
    });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    void exit.then((code) =>
      reject(new Error(`mlops serve exited (${code}) before ready:\n${stdout}\n${stderr}`)),
    );
  });
  url.catch(() => undefined);
  return { child, url, exit, out: () => stdout, err: () => stderr };
}

describe('API keys', () => {
  it('compares keys (including different lengths) without early exit', () => {
    const k = new ApiKeys(['alpha-key', 'b']);
    expect(k.check('Bearer alpha-key')).toBe(true);
    expect(k.check('bearer b')).toBe(true);
    expect(k.check('Bearer alpha-ke')).toBe(false);
    expect(k.check('Basic alpha-key')).toBe(false);
    expect(k.check(undefined)).toBe(false);
    expect(new ApiKeys([]).check(undefined)).toBe(true);
  });

  it('the CLI requires a key from the file (and env) on every route but the health probes, and never prints it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'serve-keys-'));
    const file = path.join(dir, 'keys');
    writeFileSync(file, '# team keys\nsecret-one\n\nsecret-two\n');
    const s = serveCli(
      ['--model', BREAST_CANCER, '--name', 'bc', '--port', '0', '--api-key-file', file, '--threads', '1'],
      {
        MLOPS_API_KEYS: 'env-key',
      },
    );
    const url = await s.url;
    expect(s.out()).toMatch(/^serving bc on http:\/\/127\.0\.0\.1:\d+$/m);
    expect((await get(`${url}/v2/health/live`)).status).toBe(200);
    expect((await get(`${url}/v2/health/ready`)).status).toBe(200);
    const denied = await post(`${url}/v2/models/bc/infer`, inferBody([bc.rows[0]!]));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(denied.json.error).toMatch(/API key/);
    expect(
      (await post(`${url}/v2/models/bc/infer`, inferBody([bc.rows[0]!]), { authorization: 'Bearer wrong' }))
        .status,
    ).toBe(401);
    expect((await get(`${url}/metrics`)).status).toBe(401);
    for (const key of ['secret-one', 'secret-two', 'env-key']) {
      const ok = await post(`${url}/v2/models/bc/infer`, inferBody([bc.rows[0]!]), {
        authorization: `Bearer ${key}`,
      });
      expect(ok.status).toBe(200);
    }
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    for (const key of ['secret-one', 'secret-two', 'env-key']) {
      expect(s.out() + s.err()).not.toContain(key);
    }
  });

  it('a missing key file is a clear exit 2', async () => {
    const s = serveCli(['--model', BREAST_CANCER, '--port', '0', '--api-key-file', '/nonexistent/keys']);
    expect(await s.exit).toBe(2);
    expect(s.err()).toMatch(/\/nonexistent\/keys: cannot read the API key file: ENOENT/);
  });
});

describe('SIGTERM drains in-flight requests, then exits 0', () => {
  it('requests queued when SIGTERM arrives still get their answers', async () => {
    const s = serveCli([
      '--model',
      BREAST_CANCER,
      '--port',
      '0',
      '--threads',
      '1',
      '--max-queue-delay',
      '1h',
      '--max-batch-size',
      '64',
    ]);
    const url = await s.url;
    const name = /^serving (\S+)/m.exec(s.out())![1]!;
    const pending = bc.rows.slice(0, 3).map((r) => post(`${url}/v2/models/${name}/infer`, inferBody([r])));
    // All three wait in the queue (a 1 h batch delay; they would time out with 503 after 30 s).
    // Shutdown runs them at once, and the delay timer must not keep the process alive.
    const until = Date.now() + 30_000;
    for (;;) {
      const m = await get(`${url}/metrics`);
      if (/mlops_serve_queue_depth\{[^}]*\} 3$/m.test(m.json as string)) break;
      if (Date.now() > until) throw new Error('requests never queued');
      await new Promise((r) => setTimeout(r, 20));
    }
    s.child.kill('SIGTERM');
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await s.exit).toBe(0);
    expect(s.err()).toMatch(/SIGTERM: draining/);
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
  });
});

describe('limits', () => {
  let s: RunningServer;
  beforeAll(async () => {
    s = await startServer({
      model: BREAST_CANCER,
      threads: 1,
      bodyLimitBytes: 10_000,
      maxHeldBytes: 8000,
      headersTimeoutMs: 1000,
      bodyTimeoutMs: 2000,
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a body over the limit is 413, declared or streamed', async () => {
    const big = inferBody(bc.rows);
    const r = await post(`${s.url}/v2/models/${s.name}/infer`, big);
    expect(r.status).toBe(413);
    expect(r.json.error).toMatch(/exceeds the limit of 10000 bytes/);
    // Chunked, with no Content-Length to refuse up front.
    const chunked = await new Promise<string>((resolve, reject) => {
      const sock = connect(s.port, '127.0.0.1');
      let got = '';
      sock.on('data', (c) => (got += c.toString()));
      sock.on('close', () => resolve(got));
      sock.on('error', reject);
      sock.write(`POST /v2/models/${s.name}/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = 'x'.repeat(4000);
      for (let i = 0; i < 5; i++) sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    expect((await get(`${s.url}/v2/health/live`)).status).toBe(200);
  });

  it('request bytes held at once are capped: past the cap 503 + Retry-After, then normal service', async () => {
    const body = JSON.stringify(inferBody(bc.rows.slice(0, 40)));
    expect(body.length).toBeGreaterThan(8000);
    expect(body.length).toBeLessThan(10_000);
    const r = await post(`${s.url}/v2/models/${s.name}/infer`, body);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.json.error).toMatch(/too much request data/);
    expect((await post(`${s.url}/v2/models/${s.name}/infer`, inferBody(bc.rows.slice(0, 2)))).status).toBe(
      200,
    );
  });

  it('slowloris headers are cut off by the headers timeout; the server keeps serving', async () => {
    const sockets = Array.from({ length: 5 }, () => connect(s.port, '127.0.0.1'));
    const closed = sockets.map(
      (sock) =>
        new Promise<string>((resolve) => {
          let got = '';
          sock.on('data', (c) => (got += c.toString()));
          sock.on('error', () => undefined);
          sock.on('close', () => resolve(got));
        }),
    );
    for (const sock of sockets) sock.write(`POST /v2/models/${s.name}/infer HTTP/1.1\r\nHost: x\r\n`);
    // Drip a header byte every 100 ms: never finishing, as slowloris does; stop after 60 s whatever happens.
    let drip = 0;
    const timer = setInterval(() => {
      for (const sock of sockets) if (!sock.destroyed) sock.write('X');
      if (++drip > 600) clearInterval(timer);
    }, 100);
    try {
      const ok = await get(`${s.url}/v2/health/ready`);
      expect(ok.status).toBe(200);
      const answers = await Promise.all(closed);
      for (const a of answers) expect(a === '' || /^HTTP\/1\.1 408/.test(a)).toBe(true);
    } finally {
      clearInterval(timer);
      for (const sock of sockets) sock.destroy();
    }
    expect((await post(`${s.url}/v2/models/${s.name}/infer`, inferBody([bc.rows[0]!]))).status).toBe(200);
  });
});
