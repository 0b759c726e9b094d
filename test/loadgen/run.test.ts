import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateGates } from '@mlops-actions/core';
import type { Logger } from '@mlops-actions/core';
import { loadValues, runLoad, VALUE_NAMES } from '@mlops-actions/loadgen';
import type { PreparedRequest } from '@mlops-actions/loadgen';
import { startDelayServer } from './servers.js';
import type { TestServer } from './servers.js';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function server(options: Parameters<typeof startDelayServer>[0]): Promise<TestServer> {
  const s = await startDelayServer(options);
  servers.push(s);
  return s;
}

const INFER: PreparedRequest[] = [
  {
    method: 'POST',
    path: '/v2/models/m/infer',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"inputs":[{"name":"x","shape":[1,1],"datatype":"FP32","data":[1]}]}'),
  },
];

describe.each(['raw', 'agent'] as const)('runLoad over the %s transport', (transport) => {
  it('sends exactly the scheduled requests and excludes the warm-up', async () => {
    const s = await server({});
    const r = await runLoad({
      url: s.url,
      requests: INFER,
      rate: 200,
      durationMs: 1000,
      warmupMs: 250,
      transport,
    });
    expect(r.transport).toBe(transport);
    expect(s.received()).toBe(250);
    expect(r.scheduled).toBe(200);
    expect(r.requests).toBe(200);
    expect(r.responses).toBe(200);
    expect(r.statuses).toEqual({ '200': 200 });
    expect(r.errors).toBe(0);
    expect(r.dropped).toBe(0);
    expect(r.latency?.count).toBe(200);
    const values = loadValues(r);
    expect(Object.keys(values)).toEqual([...VALUE_NAMES]);
    expect(values.rps?.candidate).toBeCloseTo(200, 6);
    expect(values.error_rate?.candidate).toBe(0);
  });

  it('counts statuses and failures, and error_rate follows them', async () => {
    const s = await server({ status: (n) => (n % 10 === 0 ? 503 : 200), chunked: true });
    const r = await runLoad({ url: s.url, requests: INFER, rate: 200, durationMs: 1000, transport });
    expect(r.statuses).toEqual({ '200': 180, '503': 20 });
    expect(r.errors).toBe(20);
    expect(loadValues(r).error_rate?.candidate).toBeCloseTo(0.1, 12);
  });

  it('reconnects when the server closes after every answer', async () => {
    const s = await server({ close: true });
    const r = await runLoad({ url: s.url, requests: INFER, rate: 100, durationMs: 500, transport });
    expect(r.statuses).toEqual({ '200': 50 });
    expect(r.errors).toBe(0);
  });

  it('reports a refused connection as an error kind, with no latency', async () => {
    const port = await freePort();
    const r = await runLoad({
      url: `http://127.0.0.1:${port}`,
      requests: INFER,
      rate: 50,
      durationMs: 200,
      transport,
    });
    expect(r.requests).toBe(10);
    expect(r.errorKinds).toEqual({ ECONNREFUSED: 10 });
    expect(r.latency).toBeNull();
    const values = loadValues(r);
    expect(values['p(99)']?.candidate).toBeNull();
    expect(values.error_rate?.candidate).toBe(1);
  });

  it('times out a server that never answers', async () => {
    const s = await server({ hang: true });
    const r = await runLoad({
      url: s.url,
      requests: INFER,
      rate: 20,
      durationMs: 200,
      timeoutMs: 300,
      transport,
    });
    expect(r.errorKinds).toEqual({ timeout: 4 });
    expect(r.responses).toBe(0);
  });
});

describe('open model', () => {
  it('keeps to the schedule while the server is slow: late and dropped instead of slowing down', async () => {
    // 2 connections, 100 ms per answer: capacity 20/s against 100/s asked. Whatever cannot get a
    // connection within 300 ms is dropped; what gets one late counts as late.
    const s = await server({ delayMs: 100 });
    const r = await runLoad({
      url: s.url,
      requests: INFER,
      rate: 100,
      durationMs: 1000,
      connections: 2,
      dropAfterMs: 300,
      transport: 'raw',
    });
    expect(r.scheduled).toBe(100);
    expect(r.maxInFlight).toBe(2);
    expect(r.dropped).toBeGreaterThan(50);
    expect(r.late).toBeGreaterThan(0);
    expect(r.sent + r.dropped).toBe(100);
    expect(r.requests).toBe(r.sent);
    // Every late send waited for one of the two busy connections: the server's fault, not ours.
    expect(r.lateCauses).toEqual({ connections: r.late, generator: 0 });
    // Latency counts from the intended time, so the wait for a connection is in it.
    expect(r.latency!.max).toBeGreaterThan(200);
    const verdicts = evaluateGates([{ kind: 'expression', expression: 'dropped == 0' }], {
      values: loadValues(r),
      baseDir: '.',
    });
    expect(verdicts[0]?.status).toBe('fail');
  });

  it.each([200, 8])(
    'tells sends the generator itself was late with apart from sends waiting for a connection (%i connections)',
    async (connections) => {
      // 150 ms with this process's loop blocked while the connections sit free: the ~70 sends due in
      // that time leave late by the generator's fault. With 200 connections no connection is ever
      // the reason; with 8, the backlog fills the pool once the loop runs again, and the sends that
      // wait for it were still due while connections were free.
      const s = await server({});
      const block = setTimeout(() => {
        const end = performance.now() + 150;
        while (performance.now() < end);
      }, 300);
      const r = await runLoad({ url: s.url, requests: INFER, rate: 500, durationMs: 1000, connections });
      clearTimeout(block);
      expect(r.late).toBeGreaterThanOrEqual(50);
      expect(r.lateCauses.generator).toBeGreaterThanOrEqual(50);
      if (connections === 200) expect(r.lateCauses).toEqual({ connections: 0, generator: r.late });
      // 150 ms of a ~1 s run spent in the busy loop shows in the event-loop utilisation.
      expect(r.generatorBusy).toBeGreaterThanOrEqual(0.1);
      expect(r.generatorBusy).toBeLessThanOrEqual(1);
    },
  );

  it('stops at max-requests', async () => {
    const s = await server({});
    const r = await runLoad({ url: s.url, requests: INFER, rate: 100, durationMs: 60_000, maxRequests: 30 });
    expect(r.requests).toBe(30);
    expect(r.measuredMs).toBeCloseTo(300, 6);
    expect(loadValues(r).rps?.candidate).toBeCloseTo(100, 6);
  });

  it('rotates through the prepared requests', async () => {
    const seen: string[] = [];
    const s = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const requests = ['/a', '/b', '/c'].map((path) => ({ method: 'GET', path, headers: {} }));
    await runLoad({ url, requests, rate: 100, durationMs: 60, connections: 1 });
    s.closeAllConnections();
    s.close();
    expect(seen).toEqual(['/a', '/b', '/c', '/a', '/b', '/c']);
  });

  it('writes a progress line through the logger', async () => {
    const s = await server({});
    const lines: string[] = [];
    const log: Logger = {
      info: (m) => lines.push(m),
      warn: (m) => lines.push(m),
      error: (m) => lines.push(m),
      group: (_n, fn) => fn(),
    };
    await runLoad({ url: s.url, requests: INFER, rate: 100, durationMs: 1200, log, progressEveryMs: 300 });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatch(/^load-test .*done, .*\/s \(target 100\/s\), errors 0, dropped 0, late \d+/);
  });

  it('abort-on-fail stops the run once a gate is lost', async () => {
    const s = await server({ delayMs: 30 });
    const r = await runLoad({
      url: s.url,
      requests: INFER,
      rate: 50,
      durationMs: 20_000,
      gates: [{ kind: 'expression', expression: 'p(50) < 5ms' }],
      abortOnFail: { delayMs: 0 },
    });
    expect(r.aborted?.gate).toBe('p(50) < 5ms');
    expect(r.measuredMs).toBeLessThan(20_000);
    expect(r.requests).toBeLessThan(1000);
  });

  it('does not abort on a lower bound a growing count may still reach', async () => {
    const s = await server({});
    const r = await runLoad({
      url: s.url,
      requests: INFER,
      rate: 100,
      durationMs: 1500,
      gates: [{ kind: 'expression', expression: 'requests >= 150' }],
      abortOnFail: { delayMs: 0 },
    });
    expect(r.aborted).toBeUndefined();
    expect(r.requests).toBe(150);
  });

  it('buckets latency by intended second', async () => {
    const s = await server({ delayMs: 5 });
    const r = await runLoad({ url: s.url, requests: INFER, rate: 100, durationMs: 3000, warmupMs: 200 });
    expect(r.buckets.map((b) => b.second)).toEqual([0, 1, 2]);
    expect(r.buckets.map((b) => b.requests)).toEqual([100, 100, 100]);
    for (const b of r.buckets) {
      expect(b.targetRate).toBe(100);
      expect(b.p50).toBeGreaterThanOrEqual(5);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
