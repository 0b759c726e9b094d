import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, evalRows, identityModel, inferBody } from './helpers.js';

/**
 * The HTTP surface under random and hostile input. The server runs as its own process (the CLI),
 * so "never crashes" is observable: after every property the process is alive and still answers
 * a valid request, and its resident memory stays bounded.
 */
const bc = evalRows('breast-cancer', 'malignant');
const MODEL = path.join(ROOT, 'examples/breast-cancer/baseline/model.onnx');
const BODY_LIMIT = 65_536;
const SEED = 20261201;
let child: ChildProcess;
let port = 0;
let identPort = 0;
let identChild: ChildProcess;
let stderr = '';
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function start(model: string, name: string): Promise<{ child: ChildProcess; port: number }> {
  const c = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'test/serve/serve-cli.ts'),
      '--model',
      model,
      '--name',
      name,
      '--port',
      '0',
      '--threads',
      '1',
      '--body-limit',
      String(BODY_LIMIT),
      '--max-batch-size',
      '8',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving \S+ on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child: c, port: Number(m[1]) });
    });
    c.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
}

beforeAll(async () => {
  [{ child, port }, { child: identChild, port: identPort }] = await Promise.all([
    start(MODEL, 'bc'),
    start(identityModel(), 'id'),
  ]);
});

afterAll(() => {
  agent.destroy();
  for (const c of [child, identChild]) if (c && c.exitCode === null) c.kill('SIGKILL');
});

interface Answer {
  status: number;
  body: string;
}

function request(
  method: string,
  urlPath: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
  p = port,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: p, method, path: urlPath, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function assertHealthy(): Promise<void> {
  expect(child.exitCode, stderr).toBeNull();
  expect(identChild.exitCode, stderr).toBeNull();
  const ok = await request('POST', '/v2/models/bc/infer', JSON.stringify(inferBody([bc.rows[0]!])));
  expect(ok.status).toBe(200);
}

/** Any answer must be a JSON {"error"} with a 4xx, or a 200; never a 5xx or a dropped connection. */
function expectClientError(a: Answer, allowed: number[] = [200, 400, 404, 405, 413]): void {
  expect(allowed, `${a.status} ${a.body.slice(0, 200)}`).toContain(a.status);
  const json = JSON.parse(a.body) as { error?: unknown };
  if (a.status !== 200) expect(typeof json.error).toBe('string');
}

const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
];

const element = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.constant({}),
  fc.constant(2 ** 64),
);
const dim = fc.oneof(
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(2 ** 53, 1e300, -0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.string({ maxLength: 3 }),
);
const tensorInput = fc.record(
  {
    name: fc.oneof(fc.constant('float_input'), fc.string({ maxLength: 12 })),
    shape: fc.oneof(fc.array(dim, { maxLength: 5 }), fc.constant([1, 30]), fc.anything({ maxDepth: 2 })),
    datatype: fc.oneof(fc.constantFrom(...DATATYPES), fc.string({ maxLength: 6 })),
    data: fc.oneof(
      fc.array(element, { maxLength: 64 }),
      fc.array(fc.array(element, { maxLength: 31 }), { maxLength: 4 }),
      fc.constant(Array(30).fill(1)),
      fc.anything({ maxDepth: 3 }),
    ),
    parameters: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const inferRequest = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    inputs: fc.oneof(fc.array(tensorInput, { maxLength: 3 }), fc.anything({ maxDepth: 2 })),
    outputs: fc.oneof(
      fc.array(fc.record({ name: fc.oneof(fc.constantFrom('label', 'probabilities'), fc.string()) }), {
        maxLength: 3,
      }),
      fc.anything({ maxDepth: 1 }),
    ),
    parameters: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

describe('fuzzing the HTTP surface: the process never crashes', () => {
  it('random structured infer requests get 200 or a 4xx {"error"}', async () => {
    await fc.assert(
      fc.asyncProperty(inferRequest, async (body) => {
        expectClientError(await request('POST', '/v2/models/bc/infer', JSON.stringify(body)));
      }),
      { numRuns: 400, seed: SEED },
    );
    await assertHealthy();
  });

  it('random requests against every datatype of the identity model', async () => {
    const input = fc.record({
      name: fc.constantFrom(
        'in_BOOL',
        'in_UINT8',
        'in_INT64',
        'in_UINT64',
        'in_FP32',
        'in_FP64',
        'in_BYTES',
        'in_INT8',
      ),
      shape: fc.constantFrom([1, 2], [2, 2], [0, 2], [1, 3], [2]),
      datatype: fc.constantFrom(...DATATYPES),
      data: fc.array(element, { maxLength: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 4 }), async (inputs) => {
        const a = await request('POST', '/v2/models/id/infer', JSON.stringify({ inputs }), {}, identPort);
        expectClientError(a);
      }),
      { numRuns: 300, seed: SEED },
    );
    await assertHealthy();
  });

  it('random bytes and random JSON values as bodies of infer and predict', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 100 }),
        ),
        fc.constantFrom('/v2/models/bc/infer', '/v2/models/bc/predict', '/v2/models/bc/versions/1/infer'),
        async (body, route) => {
          expectClientError(await request('POST', route, body));
        },
      ),
      { numRuns: 400, seed: SEED },
    );
    await assertHealthy();
  });

  it('random paths and methods', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'v2',
        'models',
        'bc',
        'versions',
        '1',
        'ready',
        'infer',
        'predict',
        'health',
        'live',
        '..',
        '',
      ),
      fc.string({ maxLength: 6 }).map(encodeURIComponent),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 7 }),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        async (segs, method) => {
          const a = await request(
            method,
            `/${segs.join('/')}`,
            method === 'GET' || method === 'HEAD' ? undefined : '{}',
          );
          if (method === 'HEAD') expect(a.status).toBeLessThan(500);
          else expectClientError(a, [200, 400, 404, 405, 503]);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
    await assertHealthy();
  });

  it('raw garbage over TCP, and hand-made hostile requests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 400 }), async (bytes) => {
        await new Promise<void>((resolve) => {
          const sock = connect(port, '127.0.0.1');
          // Reading what comes back keeps the socket flowing, so 'close' can fire.
          sock.resume();
          sock.on('error', () => resolve());
          sock.on('close', () => resolve());
          sock.write(Buffer.from(bytes));
          sock.end();
          // A request that parses as an incomplete one would wait for the headers timeout; cap it.
          setTimeout(() => sock.destroy(), 2000).unref();
        });
      }),
      { numRuns: 100, seed: SEED },
    );
    const hand: [string, string | Buffer, Record<string, string>, number][] = [
      [
        'huge shape',
        JSON.stringify({
          inputs: [{ name: 'float_input', shape: [2 ** 53, 2 ** 53], datatype: 'FP32', data: [1] }],
        }),
        {},
        400,
      ],
      [
        'huge shape product',
        JSON.stringify({ inputs: [{ name: 'float_input', shape: [1e9, 30], datatype: 'FP32', data: [] }] }),
        {},
        400,
      ],
      [
        'negative dims',
        JSON.stringify({ inputs: [{ name: 'float_input', shape: [-1, -30], datatype: 'FP32', data: [] }] }),
        {},
        400,
      ],
      [
        'BYTES where FP32 expected',
        JSON.stringify({
          inputs: [{ name: 'float_input', shape: [1, 30], datatype: 'BYTES', data: Array(30).fill('x') }],
        }),
        {},
        400,
      ],
      [
        'FP32 data as strings',
        JSON.stringify({
          inputs: [{ name: 'float_input', shape: [1, 30], datatype: 'FP32', data: Array(30).fill('1.0') }],
        }),
        {},
        400,
      ],
      ['deep nesting', '['.repeat(30_000) + ']'.repeat(30_000), {}, 400],
      [
        'deeply nested data',
        JSON.stringify({
          inputs: [
            {
              name: 'float_input',
              shape: [1, 30],
              datatype: 'FP32',
              data: JSON.parse('['.repeat(1000) + ']'.repeat(1000)),
            },
          ],
        }),
        {},
        400,
      ],
      [
        'NaN literal',
        '{"inputs":[{"name":"float_input","shape":[1,1],"datatype":"FP32","data":[NaN]}]}',
        {},
        400,
      ],
      ['over the body limit', 'x'.repeat(BODY_LIMIT + 1), {}, 413],
      [
        '__proto__ keys',
        '{"__proto__":{"inputs":1},"inputs":[{"__proto__":{"name":"float_input"}}]}',
        {},
        400,
      ],
      ['bad percent-encoding', '{}', {}, 400],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), {}, 400],
    ];
    for (const [title, body, headers, status] of hand) {
      const route = title === 'bad percent-encoding' ? '/v2/models/%E0%A4%A/infer' : '/v2/models/bc/infer';
      const a = await request('POST', route, body, headers);
      expect(a.status, `${title}: ${a.body.slice(0, 200)}`).toBe(status);
      expect(typeof (JSON.parse(a.body) as { error: unknown }).error).toBe('string');
    }
    // Oversized headers: 431 from the parser, not a crash.
    const big = await new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let got = '';
      sock.on('data', (c) => (got += c.toString()));
      sock.on('close', () => resolve(got));
      sock.on('error', () => resolve(got));
      sock.write(`GET /v2 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    });
    expect(big).toMatch(/^HTTP\/1\.1 431/);
    // A body shorter than its Content-Length, then the client goes away.
    await new Promise<void>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.resume();
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
      sock.write('POST /v2/models/bc/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{"inputs":');
      setTimeout(() => sock.destroy(), 200);
    });
    await assertHealthy();
  });

  it('memory stays bounded after the fuzzing', async () => {
    const m = await request('GET', '/metrics');
    const rss = Number(/^mlops_serve_process_resident_memory_bytes (\d+)/m.exec(m.body)![1]);
    expect(rss).toBeLessThan(1024 * 1024 * 1024);
    const heap = Number(/^mlops_serve_nodejs_heap_size_used_bytes (\d+)/m.exec(m.body)![1]);
    expect(heap).toBeLessThan(256 * 1024 * 1024);
  });
});
