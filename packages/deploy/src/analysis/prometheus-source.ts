import type { PrometheusClient, PromSample } from './prometheus-client.js';
import { resolveQuery } from './placeholders.js';
import type { AnalysisSource, AnalysisWindow, TrafficWindow } from './types.js';

/** PromQL templates for a backend's traffic; `{{ backend }}` and `{{ interval }}` are resolved per window. */
export interface TrafficQueries {
  requests: string;
  errors: string;
  /** `sum by (le) (...)` of a histogram's bucket counters over the window. */
  latencyBuckets?: string;
  /** Multiplier from the histogram's unit to ms (1000 for `_seconds`). */
  latencyToMs?: number;
}

/** The router's own metrics (see local/router.ts). */
export function routerQueries(prefix = 'mlops_router'): TrafficQueries {
  const sel = 'backend="{{ backend }}"';
  return {
    requests: `sum(increase(${prefix}_requests_total{${sel}}[{{ interval }}]))`,
    // Anything not 2xx/3xx: the same traffic goes to both sides, so a canary that starts rejecting
    // requests stable accepts (a 400 on an input-shape change) is as much a regression as a 500.
    errors: `sum(increase(${prefix}_requests_total{${sel},code!~"2..|3.."}[{{ interval }}]))`,
    latencyBuckets: `sum by (le) (increase(${prefix}_request_duration_seconds_bucket{${sel}}[{{ interval }}]))`,
    latencyToMs: 1000,
  };
}

export interface PrometheusSourceOptions {
  client: PrometheusClient;
  queries: TrafficQueries;
  /** What `{{ canary }}` / `{{ stable }}` (and `{{ backend }}` per side) become. */
  labels: { canary: string; stable: string };
  /** Scrape job to wait for before reading a window (omit to read at once). */
  job?: string;
  /** Longest wait for the scrape after a window's end (default 30 s). */
  settleTimeoutMs?: number;
}

/** Counts are rounded: `increase()` extrapolates to the window's edges and returns fractions. */
function scalarOf(samples: PromSample[]): number {
  if (samples.length === 0) return 0;
  const v = samples.reduce((s, x) => s + (Number.isFinite(x.value) ? x.value : 0), 0);
  return Math.max(0, Math.round(v));
}

/**
 * Bucket counters → a counted sample: each bucket's requests at the bucket's midpoint (the first at
 * half its bound, the +Inf bucket at the last finite bound). Cumulative counts that fall (a reset
 * seen in one bucket before another) are clamped at zero.
 */
export function histogramToSample(
  samples: PromSample[],
  toMs: number,
): { values: number[]; counts: number[] } {
  const buckets = samples
    .map((s) => ({ le: s.metric.le === '+Inf' ? Infinity : Number(s.metric.le), c: s.value }))
    .filter((b) => !Number.isNaN(b.le) && Number.isFinite(b.c))
    .sort((a, b) => a.le - b.le);
  const values: number[] = [];
  const counts: number[] = [];
  let prevLe = 0;
  let prevCum = 0;
  for (const b of buckets) {
    const count = Math.max(0, Math.round(b.c - prevCum));
    const at = Number.isFinite(b.le) ? (prevLe + b.le) / 2 : prevLe;
    if (count > 0) {
      values.push(at * toMs);
      counts.push(count);
    }
    prevCum = Math.max(prevCum, b.c);
    if (Number.isFinite(b.le)) prevLe = b.le;
  }
  return { values, counts };
}

export function prometheusSource(options: PrometheusSourceOptions): AnalysisSource {
  const { client, queries, labels } = options;
  const at = (w: AnalysisWindow) => new Date(w.end);
  return {
    labels,
    async settle(end) {
      if (!options.job) return;
      const deadline = Date.now() + (options.settleTimeoutMs ?? 30_000);
      for (;;) {
        const last = await client.lastScrape(options.job);
        if (last !== undefined && last * 1000 >= end) return;
        if (Date.now() > deadline) {
          throw new Error(
            `Prometheus at ${client.url} has not scraped job ${options.job} since ${new Date(end).toISOString()} ` +
              `(last scrape: ${last === undefined ? 'never' : new Date(last * 1000).toISOString()})`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async traffic(backend, window): Promise<TrafficWindow> {
      const vars = { ...labels, backend: labels[backend], window };
      const requestsQ = resolveQuery(queries.requests, vars);
      const errorsQ = resolveQuery(queries.errors, vars);
      const [requests, errors] = await Promise.all([
        client.query(requestsQ, at(window)),
        client.query(errorsQ, at(window)),
      ]);
      const out: TrafficWindow = {
        requests: scalarOf(requests),
        errors: scalarOf(errors),
        queries: [requestsQ, errorsQ],
      };
      if (queries.latencyBuckets) {
        const latencyQ = resolveQuery(queries.latencyBuckets, vars);
        out.latencyMs = histogramToSample(await client.query(latencyQ, at(window)), queries.latencyToMs ?? 1);
        out.queries.push(latencyQ);
      }
      return out;
    },
    async query(promql, window) {
      return (await client.query(promql, at(window))).map((s) => ({ value: s.value, labels: s.metric }));
    },
  };
}
