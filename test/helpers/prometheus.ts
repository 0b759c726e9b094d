/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for tests: started on a free loopback port
 * with a temporary config and storage directory, scraping the given targets every second.
 *
 *   const prom = await startPrometheus({ targets: [`${server.url}/metrics`] });
 *   const r = await prom.waitFor('sum(mlops_serve_requests_total)', (v) => v >= 10);
 *   await prom.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export interface PrometheusTarget {
  /** Full URL of the metrics endpoint, e.g. http://127.0.0.1:8080/metrics. */
  url: string;
  /** Scrape job name (default job0, job1, ... by position). */
  job?: string;
  /** Sent as Authorization: Bearer. */
  bearerToken?: string;
  /** Extra labels attached to every series of the target. */
  labels?: Record<string, string>;
}

export interface PrometheusOptions {
  targets: (string | PrometheusTarget)[];
  /** Default '1s'. */
  scrapeInterval?: string;
  /** Rule evaluation interval (default: the scrape interval). */
  evaluationInterval?: string;
  /** Merged into the generated config's top level (e.g. rule_files). */
  extraConfig?: Record<string, unknown>;
  /** Default 60 s: how long to wait for /-/ready. */
  readyTimeoutMs?: number;
  binary?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  /** The sample value (NaN, +Inf as Prometheus writes them). */
  value: number;
  /** Unix seconds. */
  time: number;
}

export interface PromRangeSeries {
  metric: Record<string, string>;
  values: { time: number; value: number }[];
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dir: string;
  /** Instant query; vector results as samples, a scalar as one sample with no labels. */
  query(promql: string, time?: number): Promise<PromSample[]>;
  queryRange(promql: string, start: number, end: number, stepSeconds: number): Promise<PromRangeSeries[]>;
  /** Polls the query until some sample satisfies `accept` (default: any sample) or the deadline passes. */
  waitFor(
    promql: string,
    accept?: (value: number, sample: PromSample) => boolean,
    timeoutMs?: number,
  ): Promise<PromSample[]>;
  /** Active targets with their health ('up' / 'down' / 'unknown') and last error. */
  targets(): Promise<{ scrapeUrl: string; health: string; lastError: string; job: string }[]>;
  /** What Prometheus printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function scrapeConfig(t: string | PrometheusTarget, i: number, interval: string): Record<string, unknown> {
  const target: PrometheusTarget = typeof t === 'string' ? { url: t } : t;
  const u = new URL(target.url);
  const cfg: Record<string, unknown> = {
    job_name: target.job ?? `job${i}`,
    scrape_interval: interval,
    scrape_timeout: interval,
    scheme: u.protocol.replace(':', ''),
    metrics_path: u.pathname || '/metrics',
    static_configs: [{ targets: [u.host], ...(target.labels ? { labels: target.labels } : {}) }],
  };
  if (u.search) {
    const params: Record<string, string[]> = {};
    for (const [k, v] of u.searchParams) (params[k] ??= []).push(v);
    cfg.params = params;
  }
  if (target.bearerToken !== undefined)
    cfg.authorization = { type: 'Bearer', credentials: target.bearerToken };
  return cfg;
}

async function api<T>(base: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${base}${pathAndQuery}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${body.error ?? res.status}`);
  return body.data;
}

const num = (s: string): number => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const interval = opts.scrapeInterval ?? '1s';
  const dir = await mkdtemp(path.join(tmpdir(), 'prometheus-test-'));
  const config = {
    global: { scrape_interval: interval, evaluation_interval: opts.evaluationInterval ?? interval },
    scrape_configs: opts.targets.map((t, i) => scrapeConfig(t, i, interval)),
    ...opts.extraConfig,
  };
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));

  let out = '';
  let child: ChildProcess | undefined;
  let port = 0;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  // The free port can be taken between probing and binding; a few attempts make that race harmless.
  for (let attempt = 0; attempt < 3 && child === undefined; attempt++) {
    port = await freePort();
    const proc = spawn(
      opts.binary ?? PROMETHEUS_BIN,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let exited = false;
    proc.once('exit', () => (exited = true));
    proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    while (!exited && Date.now() < deadline) {
      const ok = await fetch(`http://127.0.0.1:${port}/-/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (exited) continue;
    if (Date.now() >= deadline) {
      proc.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`prometheus did not become ready in time:\n${out}`);
    }
    child = proc;
  }
  if (child === undefined) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`prometheus failed to start:\n${out}`);
  }
  const proc = child;
  const url = `http://127.0.0.1:${port}`;

  const query = async (promql: string, time?: number): Promise<PromSample[]> => {
    const q = new URLSearchParams({ query: promql });
    if (time !== undefined) q.set('time', String(time));
    const data = await api<{ resultType: string; result: unknown }>(url, `/api/v1/query?${q}`);
    if (data.resultType === 'scalar') {
      const [t, v] = data.result as [number, string];
      return [{ metric: {}, value: num(v), time: t }];
    }
    if (data.resultType !== 'vector')
      throw new Error(`prometheus: ${promql} gave a ${data.resultType}, not a vector`);
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      value: num(r.value[1]),
      time: r.value[0],
    }));
  };

  return {
    url,
    port,
    dir,
    query,
    async queryRange(promql, start, end, step) {
      const q = new URLSearchParams({
        query: promql,
        start: String(start),
        end: String(end),
        step: String(step),
      });
      const data = await api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
        url,
        `/api/v1/query_range?${q}`,
      );
      return data.result.map((r) => ({
        metric: r.metric,
        values: r.values.map(([time, v]) => ({ time, value: num(v) })),
      }));
    },
    async waitFor(promql, accept = () => true, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      let last: PromSample[] = [];
      for (;;) {
        last = await query(promql);
        if (last.some((s) => accept(s.value, s))) return last;
        if (Date.now() > until) {
          throw new Error(
            `prometheus: '${promql}' did not reach the expected value in ${timeoutMs} ms; last ${JSON.stringify(last)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async targets() {
      const data = await api<{
        activeTargets: {
          scrapeUrl: string;
          health: string;
          lastError: string;
          labels: Record<string, string>;
        }[];
      }>(url, '/api/v1/targets?state=active');
      return data.activeTargets.map((t) => ({
        scrapeUrl: t.scrapeUrl,
        health: t.health,
        lastError: t.lastError,
        job: t.labels.job ?? '',
      }));
    },
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
