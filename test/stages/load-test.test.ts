import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { percentileSorted, silentLogger, UsageError } from '@mlops-actions/core';
import type { StageResult } from '@mlops-actions/core';
import { VALUE_NAMES } from '@mlops-actions/loadgen';
import { LocalDirCache, parseSpecText } from '@mlops-actions/stages';
import type { StageContext } from '@mlops-actions/stages';
import { checkLoadTest, loadTest, loadTestSections } from '../../packages/stages/src/load-test/index.js';
import { stageCommand } from '../../packages/cli/src/stage-command.js';
import { startDelayProcess } from '../loadgen/servers.js';

/**
 * The load-test stage end to end: the CLI command against servers with known behaviour (their own
 * processes), the embedded `mlops serve` on an example model, the spec section and the report.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const WINE_EVAL = path.join(ROOT, 'examples/wine/data/eval.csv');
const CANCER = path.join(ROOT, 'examples/breast-cancer');

let out: string;
const closers: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'load-test-'));
});
afterAll(async () => {
  for (const c of closers) await c();
  await rm(out, { recursive: true, force: true });
});

/** `mlops load-test ARGS` through the real command; returns the exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; printed: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const warn = vi
    .spyOn(console, 'warn')
    .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const code = await stageCommand(loadTest).run(args);
    return { code, printed: lines.join('\n') };
  } finally {
    spy.mockRestore();
    warn.mockRestore();
  }
}

async function result(dir: string): Promise<StageResult> {
  return JSON.parse(await readFile(path.join(dir, 'load-test.json'), 'utf8')) as StageResult;
}

function truth(durations: number[]): { p50: number; p99: number } {
  const s = Float64Array.from(durations).sort();
  return { p50: percentileSorted(s, 0.5), p99: percentileSorted(s, 0.99) };
}

describe('mlops load-test --url', () => {
  let server: Awaited<ReturnType<typeof startDelayProcess>>;
  beforeAll(async () => {
    server = await startDelayProcess(['--delay', '200']);
    closers.push(server.close);
  });

  it('reports a server with a 200 ms delay within 5% and writes load-test.json', async () => {
    // A loaded CI box wakes a process late now and then, which only ever adds latency: the best
    // of up to five runs is compared with the truth.
    let best = Number.POSITIVE_INFINITY;
    let r: StageResult | undefined;
    let t = { p50: 0, p99: 0 };
    for (let attempt = 0; attempt < 5 && best > 0.05; attempt++) {
      await server.reset();
      const dir = path.join(out, `known-${attempt}`);
      const { code, printed } = await cli([
        ...['--url', server.url, '--name', 'wine', '--data', WINE_EVAL, '--label', 'cultivar'],
        ...['--rate', '50/s', '--duration', '4s', '--warmup', '0s', '--gate', 'p(99) < 5s', '--out', dir],
      ]);
      expect(printed).toMatch(/load-test: passed/);
      expect(code).toBe(0);
      const got = await result(dir);
      const truthNow = truth(await server.durations());
      const off = Math.max(
        Math.abs(got.values['p(50)']!.candidate! / truthNow.p50 - 1),
        Math.abs(got.values['p(99)']!.candidate! / truthNow.p99 - 1),
      );
      if (off < best) {
        best = off;
        r = got;
        t = truthNow;
      }
    }
    expect(r!.stage).toBe('load-test');
    expect(Object.keys(r!.values)).toEqual([...VALUE_NAMES]);
    expect(r!.values.requests?.candidate).toBe(200);
    for (const [name, want] of [
      ['p(50)', t.p50],
      ['p(99)', t.p99],
    ] as const) {
      const got = r!.values[name]!.candidate!;
      expect(got / want).toBeGreaterThan(0.95);
      expect(got / want).toBeLessThan(1.05);
    }
    expect(r!.values['p(50)']?.unit).toBe('ms');
    expect(r!.values.error_rate).toMatchObject({ candidate: 0, unit: 'ratio' });
    expect(r!.values.rps?.unit).toBe('per-second');
    expect(r!.verdicts).toEqual([expect.objectContaining({ gate: 'p(99) < 5s', status: 'pass' })]);
    const d = r!.details as { payload: { kind: string; distinct: number }; target: { kind: string } };
    expect(d.payload.kind).toBe('infer');
    expect(d.target.kind).toBe('url');
  });

  it('fails with exit 1 naming a gate that cannot be met', async () => {
    const dir = path.join(out, 'unmeetable');
    const { code, printed } = await cli([
      ...['--url', server.url, '--name', 'wine', '--data', WINE_EVAL, '--label', 'cultivar'],
      ...[
        '--rate',
        '20/s',
        '--duration',
        '1s',
        '--warmup',
        '0s',
        '--gate',
        'p(99) < 1ms',
        '--gate',
        'error_rate < 1%',
      ],
      ...['--out', dir],
    ]);
    expect(code).toBe(1);
    expect(printed).toMatch(/FAIL\s+p\(99\) < 1ms: p\(99\) [\d.]+ms is not < [\d.]+ms/);
    expect(printed).toMatch(/PASS\s+error_rate < 1%/);
    expect((await result(dir)).status).toBe('failed');
  });

  it('sends a body file as is', async () => {
    const dir = path.join(out, 'body');
    const body = path.join(CANCER, 'mlops.yml');
    const { code } = await cli([
      '--url',
      `${server.url}/custom`,
      '--body-file',
      body,
      '--rate',
      '20/s',
      '--duration',
      '1s',
      '--warmup',
      '0s',
      '--out',
      dir,
    ]);
    expect(code).toBe(0);
    const r = await result(dir);
    expect((r.details as { payload: { kind: string } }).payload.kind).toBe('body');
    expect(r.values.requests?.candidate).toBe(20);
  });
});

describe('gates on what was not measured', () => {
  it('a latency gate fails when no request was answered', async () => {
    // Accepts connections and closes them at once: reachable, but nothing is ever answered.
    const sockets = new Set<net.Socket>();
    const srv = net.createServer((s) => {
      sockets.add(s);
      s.on('data', () => s.destroy());
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      srv.close();
    });
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const dir = path.join(out, 'no-samples');
    const { code, printed } = await cli([
      ...['--url', url, '--name', 'wine', '--data', WINE_EVAL, '--label', 'cultivar', '--rate', '20/s'],
      ...['--duration', '500ms', '--warmup', '0s', '--gate', 'p(99) < 10s', '--out', dir],
    ]);
    expect(code).toBe(1);
    expect(printed).toMatch(/FAIL\s+p\(99\) < 10s: p\(99\): no value measured in stage load-test/);
    const r = await result(dir);
    expect(r.values['p(99)']?.candidate).toBeNull();
    expect(r.values.error_rate?.candidate).toBe(1);
  });

  it('an unreachable URL is bad input, not a result', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await expect(
      cli([
        '--url',
        `http://127.0.0.1:${port}`,
        '--name',
        'm',
        '--data',
        WINE_EVAL,
        '--label',
        'cultivar',
        '--out',
        path.join(out, 'x'),
      ]),
    ).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('a typo in a --gate is a usage error naming it', async () => {
    await expect(
      cli(['--url', 'http://127.0.0.1:9', '--gate', 'p(99) < 50kg', '--out', out]),
    ).rejects.toThrow(/--gate 'p\(99\) < 50kg': cannot parse .*unknown unit 'kg'/);
    await expect(
      cli(['--url', 'http://127.0.0.1:9', '--gate', 'latncy < 5ms', '--out', out]),
    ).rejects.toThrow(UsageError);
    await expect(cli(['--url', 'http://127.0.0.1:9', '--rate', 'fast', '--out', out])).rejects.toThrow(
      /--rate: 'fast' is not a rate/,
    );
  });
});

describe('the embedded server', () => {
  it('serves the candidate model with mlops serve and loads it with OIP infer requests', async () => {
    const dir = path.join(out, 'embedded');
    const { code, printed } = await cli([
      ...['--model', path.join(CANCER, 'baseline/model.onnx'), '--data', path.join(CANCER, 'data/eval.csv')],
      ...['--label', 'malignant', '--rate', '50/s', '--duration', '2s', '--warmup', '500ms'],
      ...['--gate', 'error_rate == 0', '--gate', 'dropped == 0', '--out', dir],
    ]);
    expect(printed).toMatch(/load-test: passed/);
    expect(code).toBe(0);
    const r = await result(dir);
    const d = r.details as { statuses: Record<string, number>; target: { kind: string; model: string } };
    expect(d.target).toMatchObject({ kind: 'embedded', model: 'model' });
    expect(d.statuses).toEqual({ '200': 100 });
    expect(r.inputs.model?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('sends /predict rows keyed by feature name with --predict, ramping with --stage', async () => {
    const dir = path.join(out, 'predict');
    const { code, printed } = await cli([
      ...['--model', path.join(CANCER, 'baseline/model.onnx'), '--data', path.join(CANCER, 'data/eval.csv')],
      ...['--label', 'malignant', '--predict', '--stage', '40/s:1s', '--stage', '40/s:1s', '--warmup', '0s'],
      ...['--gate', 'error_rate == 0', '--out', dir],
    ]);
    expect(printed).toMatch(/load-test: passed/);
    expect(code).toBe(0);
    const r = await result(dir);
    const d = r.details as { statuses: Record<string, number>; payload: { kind: string }; stages: unknown };
    expect(d.payload.kind).toBe('predict');
    expect(d.stages).toEqual([
      { target: 40, durationMs: 1000 },
      { target: 40, durationMs: 1000 },
    ]);
    // 0 → 40/s over 1 s (20 arrivals), then 40/s for 1 s (40).
    expect(d.statuses).toEqual({ '200': 60 });
  });
});

describe('the load-test section of mlops.yml', () => {
  const base = `version: 1
model: { name: breast-cancer, path: baseline/model.onnx, task: binary-classification }
data: { eval: { path: data/eval.csv, label: malignant } }
`;
  const spec = parseSpecText(base, path.join(CANCER, 'mlops.yml'));

  it('checks what the schema cannot: rate with stages, typo’d and unit-less gates, rows to send', () => {
    const issues = checkLoadTest(
      {
        rate: '100/s',
        stages: [{ target: '10/s', duration: '1s' }],
        gates: ['p(99) < 50ms', 'p(99) < 50kg', 'latncy < 5ms', 'error_rate < 5ms'],
      },
      spec,
    );
    const text = issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(text).toEqual([
      'load-test.stages: give rate or stages, not both',
      expect.stringMatching(/^load-test\.gates\.1: .*unknown unit 'kg'/),
      expect.stringMatching(/^load-test\.gates\.2: 'latncy' is not measured by load-test/),
      expect.stringMatching(/^load-test\.gates\.3: unit 'ms' does not fit 'error_rate'/),
    ]);
    const noRows = parseSpecText(
      'version: 1\nmodel: { name: m, path: m.onnx, task: regression }\n',
      '/tmp/mlops.yml',
    );
    expect(checkLoadTest({}, noRows).map((i) => i.message)).toEqual([
      'load-test needs rows to send: data.eval (the evaluation rows) or load-test.body-file',
    ]);
  });

  it('configures the embedded server on model.path with data.eval rows by default', async () => {
    const withSection = {
      ...spec,
      sections: {
        ...spec.sections,
        'load-test': {
          stages: [{ target: '200/s', duration: '10s' }],
          gates: ['p(99) < 50ms'],
          'abort-on-fail': '5s',
        },
      },
    };
    const ctx: StageContext = {
      log: silentLogger,
      resultsDir: out,
      cwd: ROOT,
      host: 'local',
      cache: new LocalDirCache(out),
    };
    const config = await loadTest.configure(withSection, {}, ctx);
    expect(config.url).toBeUndefined();
    expect(config.model?.path).toBe(path.join(CANCER, 'baseline/model.onnx'));
    expect(config.payload).toMatchObject({
      kind: 'infer',
      data: path.join(CANCER, 'data/eval.csv'),
      label: 'malignant',
    });
    expect(config.stages).toEqual([{ target: 200, durationMs: 10_000 }]);
    expect(config.rate).toBeUndefined();
    expect(config.abortOnFail).toEqual({ delayMs: 5000 });
    expect(config.gates).toEqual([{ kind: 'expression', expression: 'p(99) < 50ms' }]);
    const overridden = await loadTest.configure(withSection, { url: 'http://127.0.0.1:1', rate: 10 }, ctx);
    expect(overridden).toMatchObject({ url: 'http://127.0.0.1:1', rate: 10 });
    expect(overridden.model).toBeUndefined();
  });
});

describe('the report section', () => {
  it('shows the percentile table and Mermaid charts of percentiles and latency over time', () => {
    const buckets = Array.from({ length: 90 }, (_, s) => ({
      second: s,
      targetRate: 100,
      requests: 100,
      errors: 0,
      p50: 2,
      p90: 3,
      p99: s === 45 ? 900 : 4,
      max: 5,
    }));
    const values = Object.fromEntries(
      VALUE_NAMES.map((n) => [n, { candidate: n === 'error_rate' ? 0 : 3, unit: 'ms' as const }]),
    );
    const r = {
      stage: 'load-test',
      status: 'passed',
      summary: 'p99 3 ms',
      values,
      verdicts: [],
      timings: { startedAt: '', finishedAt: '', durationMs: 90_000 },
      details: {
        rate: 100,
        durationMs: 90_000,
        connections: 64,
        targetRate: 100,
        buckets,
        statuses: { '200': 9000 },
        errorKinds: {},
      },
    } as unknown as StageResult;
    const [section] = loadTestSections(r);
    expect(section?.id).toBe('load-test');
    const md = section!.markdown;
    expect(md).toContain('| p50 | p90 | p95 | p99 | p99.9 | max | avg |');
    expect(md.match(/```mermaid\nxychart-beta/g)).toHaveLength(3);
    // 90 one-second buckets merge into 45 of 2 s; the stall's p99 survives the merge.
    const axes = [...md.matchAll(/x-axis \[([^\]]*)\]/g)].map((m) => m[1]!.split(', '));
    expect(axes[0]).toEqual(['"p50"', '"p90"', '"p95"', '"p99"', '"p99.9"', '"max"']);
    const line = axes[1]!;
    expect(line).toHaveLength(45);
    expect(md).toMatch(/line \[[^\]]*\b900\b/);
    // No late send and no busy generator, so no sentence about either.
    expect(md).not.toContain('Late sends');
    expect(md).not.toContain('generator was busy');
  });

  it('says why sends were late: busy connections or a machine that fell behind', () => {
    const r = {
      stage: 'load-test',
      status: 'passed',
      summary: '',
      values: { late: { candidate: 12, unit: 'count' } },
      verdicts: [],
      timings: { startedAt: '', finishedAt: '', durationMs: 1000 },
      details: {
        connections: 8,
        lateCauses: { connections: 9, generator: 3 },
        generatorBusy: 0.97,
        buckets: [],
      },
    } as unknown as StageResult;
    const md = loadTestSections(r)[0]!.markdown;
    expect(md).toContain('**The generator was busy 97% of the run**');
    expect(md).toContain(
      "Late sends: 9 waited for a free connection (all 8 were busy: the server's pace, or too few connections); 3 left late with a connection free",
    );
  });
});
