import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrometheusClient } from '../analysis/prometheus-client.js';
import type { PrometheusClient } from '../analysis/prometheus-client.js';

export interface PrometheusServerOptions {
  /** `host:port` targets scraped under job `job`. */
  targets: string[];
  job?: string;
  /** Prometheus duration, e.g. `500ms`. */
  scrapeInterval?: string;
  metricsPath?: string;
  /** Default `/usr/bin/prometheus`. */
  binary?: string;
}

export interface PrometheusServer {
  url: string;
  client: PrometheusClient;
  job: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Runs Debian's Prometheus on loopback with a throw-away TSDB, scraping the router. Resolves once
 * `/-/ready` answers; `close()` stops it and removes its data.
 */
export async function startPrometheus(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const job = options.job ?? 'mlops-router';
  const dir = await mkdtemp(join(tmpdir(), 'mlops-prometheus-'));
  const interval = options.scrapeInterval ?? '500ms';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(job)}`,
    `    scrape_interval: ${interval}`,
    `    scrape_timeout: ${interval}`,
    `    metrics_path: ${JSON.stringify(options.metricsPath ?? '/metrics')}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      options.binary ?? '/usr/bin/prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitReady(url, child, 60_000);
    if (ready) {
      return {
        url,
        job,
        client: createPrometheusClient(url),
        close: async () => {
          await stop(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stop(child);
    lastError = stderr;
    // A port taken between freePort() and Prometheus' bind: try another.
    if (!/address already in use/.test(stderr)) break;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`Prometheus did not become ready: ${lastError.trim().slice(-1000)}`);
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
