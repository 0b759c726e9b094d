import { existsSync } from 'node:fs';
import type { Logger } from '@mlops-actions/core';
import { parseDuration, silentLogger } from '@mlops-actions/core';
import { prometheusSource, routerQueries } from '../analysis/prometheus-source.js';
import type { CanaryBackend } from '../analysis/run.js';
import type { AnalysisSource } from '../analysis/types.js';
import { startPrometheus } from './prometheus-server.js';
import type { PrometheusServer } from './prometheus-server.js';
import { routerSource } from './router-source.js';
import { startRouter } from './router.js';
import type { Router } from './router.js';

/** A running model server (or any HTTP server) the router sends traffic to. */
export interface LocalUpstream {
  url: string;
  /** Stops it (the canary on rollback, the old stable after promotion). */
  close?(): Promise<void>;
}

export interface LocalBackendOptions {
  stable: LocalUpstream;
  canary: LocalUpstream;
  /** Path that answers 200 when a server is ready (default: none, the first response is enough). */
  readyPath?: string;
  /** Prometheus scrape interval (default `500ms`). */
  scrapeInterval?: string;
  prometheusBinary?: string;
  routerPort?: number;
  log?: Logger;
}

export interface LocalBackend extends CanaryBackend {
  router: Router;
  /** Absent when Prometheus is not installed (the router's counters are read in-process). */
  prometheus?: PrometheusServer;
  source: AnalysisSource;
  /** Stops the router, Prometheus and whichever upstreams are still running. */
  close(): Promise<void>;
}

async function waitUntil(
  what: string,
  fn: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The embedded canary backend: a weighted router in front of the stable and canary servers,
 * scraped by a real Prometheus the analysis queries. Promotion points "stable" at the canary's
 * server and retires the old one once its in-flight requests have drained; rollback sends 0% to the
 * canary and stops it the same way. Both are idempotent.
 */
export async function startLocalBackend(options: LocalBackendOptions): Promise<LocalBackend> {
  const log = options.log ?? silentLogger;
  const router = await startRouter({
    stable: options.stable.url,
    canary: options.canary.url,
    port: options.routerPort,
  });
  const binary = options.prometheusBinary ?? '/usr/bin/prometheus';
  let prometheus: PrometheusServer | undefined;
  let fallback: ReturnType<typeof routerSource> | undefined;
  if (existsSync(binary)) {
    try {
      prometheus = await startPrometheus({
        targets: [router.target],
        scrapeInterval: options.scrapeInterval ?? '500ms',
        binary,
      });
    } catch (err) {
      await router.close();
      throw err;
    }
  } else {
    // Runs anywhere: without Prometheus the same counters are read in-process, and said so.
    log.warn(
      `${binary} not found: the canary analysis reads the router's own counters in-process ` +
        '(install prometheus, e.g. apt-get install prometheus, for scraping and PromQL checks)',
    );
    fallback = routerSource(router.metrics, parseDuration(options.scrapeInterval ?? '500ms'));
  }
  const source: AnalysisSource =
    fallback ??
    prometheusSource({
      client: prometheus!.client,
      queries: routerQueries(),
      labels: { canary: 'canary', stable: 'stable' },
      job: prometheus!.job,
    });
  let stable: LocalUpstream | undefined = options.stable;
  let canary: LocalUpstream | undefined = options.canary;
  let state: 'new' | 'running' | 'promoted' | 'rolled-back' = 'new';

  const ready = async (u: LocalUpstream) => {
    const path = options.readyPath ?? '/';
    await waitUntil(
      `${u.url}${path}`,
      async () => {
        try {
          const res = await fetch(`${u.url}${path}`, { signal: AbortSignal.timeout(2000) });
          await res.arrayBuffer();
          return options.readyPath ? res.ok : res.status < 500;
        } catch {
          return false;
        }
      },
      60_000,
    );
  };
  const retire = async (which: 'stable' | 'canary', upstream: LocalUpstream | undefined) => {
    await waitUntil(`${which} requests to drain`, () => router.inFlight(which) === 0, 30_000);
    await upstream?.close?.();
  };

  const backend: LocalBackend = {
    name: 'local',
    router,
    prometheus,
    source,
    async prepare() {
      if (state !== 'new') return;
      await ready(options.stable);
      await ready(options.canary);
      // The first scrape must exist before a window is read, or the first window looks empty.
      if (prometheus) {
        const p = prometheus;
        await waitUntil(
          'the first Prometheus scrape',
          async () => (await p.client.lastScrape(p.job)) !== undefined,
          60_000,
        );
      }
      state = 'running';
      log.info(
        `router ${router.url} → stable ${options.stable.url}, canary ${options.canary.url}; ` +
          (prometheus ? `Prometheus ${prometheus.url}` : 'analysis from the router counters'),
      );
    },
    async setWeight(percent) {
      if (state !== 'running') return;
      router.setCanaryWeight(percent);
    },
    async promote() {
      if (state === 'promoted') return;
      if (state === 'rolled-back') throw new Error('cannot promote a canary that was rolled back');
      router.setCanaryWeight(100);
      const old = stable;
      // In-flight stable requests finish on the old server; new ones already go to the canary.
      await retire('stable', old);
      router.setUpstream('stable', router.upstream('canary'));
      router.setCanaryWeight(0);
      stable = canary;
      canary = undefined;
      state = 'promoted';
    },
    async rollback() {
      if (state === 'rolled-back' || state === 'promoted') return;
      router.setCanaryWeight(0);
      await retire('canary', canary);
      canary = undefined;
      state = 'rolled-back';
    },
    async close() {
      await router.close();
      await prometheus?.close();
      fallback?.stop();
      await stable?.close?.();
      await canary?.close?.();
      stable = undefined;
      canary = undefined;
    },
  };
  return backend;
}
