import type { Registry } from 'prom-client';

export type Backend = 'stable' | 'canary';

/** Latency buckets in seconds: fine below 10 ms so a router's own overhead and small shifts show. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.035,
  0.04, 0.05, 0.06, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
];

interface MetricValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * The router's per-backend request counter and latency histogram, counted in plain arrays on the
 * request path and handed to prom-client's registry as custom metrics at scrape time: prom-client's
 * own `observe()` hashes the label set on every call, which cost the router a tenth of its
 * throughput.
 */
export class RouterMetrics {
  private readonly counts = new Map<string, { backend: Backend; code: string; n: number }>();
  private readonly buckets: Record<Backend, Float64Array>;
  private readonly sums: Record<Backend, number> = { stable: 0, canary: 0 };
  private readonly totals: Record<Backend, number> = { stable: 0, canary: 0 };

  constructor(
    readonly prefix: string,
    registry: Registry,
  ) {
    this.buckets = {
      stable: new Float64Array(LATENCY_BUCKETS.length),
      canary: new Float64Array(LATENCY_BUCKETS.length),
    };
    // Zero-valued series from the start: a backend without traffic reads 0, not "no series".
    for (const b of ['stable', 'canary'] as const) {
      this.count(b, '200', 0);
      this.count(b, 'error', 0);
    }
    registry.registerMetric({
      name: `${prefix}_requests_total`,
      help: 'Requests proxied per backend and HTTP status (code "error": no response from the upstream).',
      type: 'counter',
      get: async () => ({
        name: `${prefix}_requests_total`,
        help: '',
        type: 'counter',
        aggregator: 'sum',
        values: [...this.counts.values()].map((c) => ({
          labels: { backend: c.backend, code: c.code },
          value: c.n,
        })),
      }),
    } as never);
    registry.registerMetric({
      name: `${prefix}_request_duration_seconds`,
      help: 'Time from the request reaching the router to the response handed back, per backend.',
      type: 'histogram',
      get: async () => ({
        name: `${prefix}_request_duration_seconds`,
        help: '',
        type: 'histogram',
        aggregator: 'sum',
        values: this.histogramValues(),
      }),
    } as never);
  }

  count(backend: Backend, code: string, by = 1): void {
    const key = backend === 'stable' ? `s${code}` : `c${code}`;
    const c = this.counts.get(key);
    if (c) c.n += by;
    else this.counts.set(key, { backend, code, n: by });
  }

  observe(backend: Backend, seconds: number): void {
    const b = this.buckets[backend];
    let lo = 0;
    let hi = LATENCY_BUCKETS.length;
    // First bucket whose bound is >= seconds (Prometheus buckets are `le`).
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((LATENCY_BUCKETS[mid] as number) < seconds) lo = mid + 1;
      else hi = mid;
    }
    if (lo < b.length) b[lo]!++;
    this.sums[backend] += seconds;
    this.totals[backend]++;
  }

  /** Cumulative counters of one backend now: what a scrape would read, for an in-process source. */
  snapshot(backend: Backend): { requests: number; errors: number; buckets: Float64Array } {
    let requests = 0;
    let errors = 0;
    for (const c of this.counts.values()) {
      if (c.backend !== backend) continue;
      requests += c.n;
      // As routerQueries() counts errors: no response, or a status outside 2xx/3xx.
      if (!/^[23]\d\d$/.test(c.code)) errors += c.n;
    }
    return { requests, errors, buckets: Float64Array.from(this.buckets[backend]) };
  }

  private histogramValues(): MetricValue[] {
    const name = `${this.prefix}_request_duration_seconds`;
    const out: MetricValue[] = [];
    for (const backend of ['stable', 'canary'] as const) {
      let cum = 0;
      const b = this.buckets[backend];
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cum += b[i] as number;
        out.push({ metricName: `${name}_bucket`, labels: { le: LATENCY_BUCKETS[i]!, backend }, value: cum });
      }
      out.push({
        metricName: `${name}_bucket`,
        labels: { le: '+Inf', backend },
        value: this.totals[backend],
      });
      out.push({ metricName: `${name}_sum`, labels: { backend }, value: this.sums[backend] });
      out.push({ metricName: `${name}_count`, labels: { backend }, value: this.totals[backend] });
    }
    return out;
  }
}
