import { InputError } from '@mlops-actions/core';
import type { AnalysisSource, AnalysisWindow, TrafficWindow } from '../analysis/types.js';
import { LATENCY_BUCKETS } from './metrics.js';
import type { Backend, RouterMetrics } from './metrics.js';

interface Snapshot {
  at: number;
  stable: ReturnType<RouterMetrics['snapshot']>;
  canary: ReturnType<RouterMetrics['snapshot']>;
}

/**
 * The analysis source of the local target when no Prometheus is installed: the router's own
 * counters, snapshotted every `intervalMs` as a scrape would be and differenced over each window
 * (what `increase()` does). The verdicts rest on the same counts and buckets; only PromQL checks
 * need the real Prometheus.
 */
export function routerSource(metrics: RouterMetrics, intervalMs: number): AnalysisSource & { stop(): void } {
  const snapshots: Snapshot[] = [];
  const take = (): void => {
    snapshots.push({
      at: Date.now(),
      stable: metrics.snapshot('stable'),
      canary: metrics.snapshot('canary'),
    });
    // Bounded: an hour of snapshots at the interval is far more than any window reads.
    if (snapshots.length > Math.max(64, 3_600_000 / intervalMs)) snapshots.shift();
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  const atOrBefore = (t: number): Snapshot =>
    [...snapshots].reverse().find((s) => s.at <= t) ?? (snapshots[0] as Snapshot);
  const atOrAfter = (t: number): Snapshot =>
    snapshots.find((s) => s.at >= t) ?? (snapshots.at(-1) as Snapshot);
  return {
    labels: { canary: 'canary', stable: 'stable' },
    async settle(end) {
      while ((snapshots.at(-1)?.at ?? 0) < end) await new Promise((r) => setTimeout(r, intervalMs / 2));
    },
    async traffic(backend: Backend, window: AnalysisWindow): Promise<TrafficWindow> {
      const a = atOrBefore(window.start)[backend];
      const b = atOrAfter(window.end)[backend];
      const values: number[] = [];
      const counts: number[] = [];
      let prev = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        const n = Math.max(0, Math.round((b.buckets[i] ?? 0) - (a.buckets[i] ?? 0)));
        // Each bucket's requests at its midpoint, as the Prometheus source reads buckets.
        if (n > 0) {
          values.push(((prev + le) / 2) * 1000);
          counts.push(n);
        }
        prev = le;
      });
      return {
        requests: Math.max(0, b.requests - a.requests),
        errors: Math.max(0, b.errors - a.errors),
        ...(counts.length ? { latencyMs: { values, counts } } : {}),
        queries: [`router counters of ${backend} (in-process; no Prometheus installed)`],
      };
    },
    async query(promql) {
      throw new InputError(
        `deploy-canary: the query check '${promql}' needs Prometheus, which is not installed here ` +
          '(apt-get install prometheus); error-rate and latency checks work without it',
      );
    },
    stop: () => clearInterval(timer),
  };
}
