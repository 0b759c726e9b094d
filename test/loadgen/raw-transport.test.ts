import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RawTransport, serialiseRequest } from '@mlops-actions/loadgen';

/**
 * The raw transport's response framing against hand-written responses, delivered one byte per
 * write so every parser state sees a split.
 */

const sockets = new Set<net.Socket>();
const servers: net.Server[] = [];
afterAll(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

/** A TCP server answering each request (one per `\r\n\r\n`-terminated head) with `responses[k]`. */
async function scripted(responses: string[], byteByByte = true): Promise<string> {
  let k = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buf = '';
    socket.on('data', async (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        const end = buf.indexOf('\r\n\r\n') + 4;
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + length) return;
        buf = buf.slice(end + length);
        const response = responses[k++ % responses.length]!;
        if (!byteByByte) socket.write(response);
        else for (const ch of response) socket.write(ch);
        if (/connection: close/i.test(response) || response.startsWith('HTTP/1.0')) socket.end();
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function sendAll(url: string, n: number): Promise<[number, string | undefined][]> {
  const t = new RawTransport({
    url: new URL(url),
    requests: [{ method: 'POST', path: '/p', headers: {}, body: Buffer.from('{"a":1}') }],
    connections: 1,
    timeoutMs: 5000,
  });
  const out: [number, string | undefined][] = [];
  return new Promise((resolve) => {
    const one = (): void =>
      t.send(0, (status, error) => {
        out.push([status, error]);
        if (out.length < n) one();
        else void t.close().then(() => resolve(out));
      });
    one();
  });
}

describe('RawTransport framing', () => {
  it('reads Content-Length, chunked with extensions and trailers, 204 and 1xx on one connection', async () => {
    const url = await scripted([
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
      'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\n',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\nok',
      'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(await sendAll(url, 10)).toEqual([
      [200, undefined],
      [201, undefined],
      [204, undefined],
      [202, undefined],
      [503, undefined],
      [200, undefined],
      [201, undefined],
      [204, undefined],
      [202, undefined],
      [503, undefined],
    ]);
  });

  it('reads a body delimited by the connection closing, and HTTP/1.0, then reconnects', async () => {
    const url = await scripted([
      'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close',
      'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
    ]);
    expect(await sendAll(url, 4)).toEqual([
      [200, undefined],
      [200, undefined],
      [200, undefined],
      [200, undefined],
    ]);
  });

  it('fails a garbled response instead of hanging', async () => {
    const url = await scripted(['SSH-2.0-OpenSSH\r\n\r\n'], false);
    expect(await sendAll(url, 1)).toEqual([[0, 'bad-response']]);
  });

  it('keeps every partial response apart although all read into one buffer', async () => {
    // Every connection gets half a response head, and the rest only once every connection holds
    // its half: a parser that kept a view of the shared read buffer instead of a copy would read
    // another connection's bytes and get the wrong status.
    const n = 16;
    const waiting: net.Socket[] = [];
    let release!: () => void;
    let accepted = 0;
    const server = net.createServer((socket) => {
      sockets.add(socket);
      const status = 200 + accepted++;
      socket.once('data', () => {
        socket.write(`HTTP/1.1 ${status} S\r\nContent-`);
        waiting.push(socket);
        (socket as net.Socket & { rest?: string }).rest = 'Length: 3\r\n\r\nabc';
        if (waiting.length === n) release();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const t = new RawTransport({
      url,
      requests: [{ method: 'GET', path: '/', headers: {} }],
      connections: n,
      timeoutMs: 10_000,
    });
    const results = Promise.all(
      Array.from(
        { length: n },
        () => new Promise<[number, string | undefined]>((r) => t.send(0, (s, e) => r([s, e]))),
      ),
    );
    await new Promise<void>((r) => (release = r));
    const held = (): number =>
      [...t.open].filter((c) => (c as unknown as { pending?: Buffer }).pending !== undefined).length;
    while (held() < n) await new Promise((r) => setImmediate(r));
    for (const socket of waiting) socket.write((socket as net.Socket & { rest?: string }).rest!);
    const got = await results;
    await t.close();
    expect(got.map(([, e]) => e)).toEqual(Array(n).fill(undefined));
    expect(got.map(([s]) => s).sort()).toEqual(Array.from({ length: n }, (_, i) => 200 + i));
  });

  it('serialises a request with Host and Content-Length', () => {
    const wire = serialiseRequest(new URL('http://127.0.0.1:9/'), {
      method: 'POST',
      path: '/v2/models/m/infer',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{}'),
    });
    expect(wire.toString()).toBe(
      'POST /v2/models/m/infer HTTP/1.1\r\nHost: 127.0.0.1:9\r\ncontent-type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    );
  });
});
