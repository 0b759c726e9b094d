import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from '@mlops-actions/loadgen';
import { startRouter } from '../../packages/deploy/src/index.js';
import { killAllUpstreams, startUpstream } from './helpers.js';

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  killAllUpstreams();
});

/** An in-process upstream whose answers exercise the router's response framing. */
async function framingServer(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.setHeader('x-kind', 'chunked');
        res.write('hello ');
        setTimeout(() => res.end('world'), 5);
      } else if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (req.url === '/close') {
        // No length, no chunking: the body ends when the connection closes.
        res.socket?.write(
          'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil close',
        );
        res.socket?.end();
      } else {
        const body = JSON.stringify({
          method: req.method,
          url: req.url,
          ua: req.headers['user-agent'],
          xff: req.headers['x-forwarded-for'],
          host: req.headers.host,
        });
        res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end(body);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('router', () => {
  it('passes statuses, headers and bodies through, whatever the upstream framing', async () => {
    const up = await framingServer();
    const router = await startRouter({ stable: up, canary: up });
    try {
      const r1 = await fetch(`${router.url}/echo?x=1`, {
        method: 'POST',
        body: 'abc',
        headers: { 'user-agent': 'test-ua' },
      });
      expect(r1.status).toBe(201);
      expect(r1.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      const echo = (await r1.json()) as Record<string, string>;
      expect(echo).toMatchObject({ method: 'POST', url: '/echo?x=1', ua: 'test-ua', xff: '127.0.0.1' });
      expect(echo.host).toBe(new URL(up).host);
      const r2 = await fetch(`${router.url}/chunked`);
      expect(await r2.text()).toBe('hello world');
      expect(r2.headers.get('x-kind')).toBe('chunked');
      const r3 = await fetch(`${router.url}/empty`);
      expect(r3.status).toBe(204);
      const r4 = await fetch(`${router.url}/close`);
      expect(await r4.text()).toBe('until close');
      // The pool survives a close-delimited answer.
      expect((await fetch(`${router.url}/echo`)).status).toBe(201);
      const metrics = await (await fetch(`${router.url}/metrics`)).text();
      expect(metrics).toMatch(/mlops_router_request_duration_seconds_bucket\{le="0.001",backend="stable"\}/);
      expect(metrics).toMatch(/mlops_router_requests_total\{backend="stable",code="201"\} 2/);
    } finally {
      await router.close();
    }
  });

  it('loses no request at 1,000 req/s while the weight flips between 0 and 100 every 50 ms (project load generator)', async () => {
    const stable = await startUpstream({ name: 'stable' });
    const canary = await startUpstream({ name: 'canary' });
    const router = await startRouter({ stable: stable.url, canary: canary.url });
    const weights = [0, 5, 25, 50, 75, 100, 50, 0];
    let i = 0;
    const flip = setInterval(() => router.setCanaryWeight(weights[i++ % weights.length]!), 50);
    try {
      const body = Buffer.from('{"inputs":[]}');
      const r = await runLoad({
        url: router.url,
        requests: [
          {
            method: 'POST',
            path: '/v2/models/m/infer',
            headers: { 'content-type': 'application/json' },
            body,
          },
        ],
        rate: 1000,
        durationMs: 6000,
        connections: 32,
      });
      expect(r.errors, JSON.stringify({ statuses: r.statuses, kinds: r.errorKinds })).toBe(0);
      expect(r.responses).toBeGreaterThan(1000);
      expect(i).toBeGreaterThan(weights.length);
    } finally {
      clearInterval(flip);
      await router.close();
      await stable.close!();
      await canary.close!();
    }
  });
});
