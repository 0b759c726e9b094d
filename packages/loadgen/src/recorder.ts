import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { percentileSorted } from '@mlops-actions/core';

/**
 * What the generator measured about the measured (post-warm-up) requests. Latency goes two ways:
 * exact samples (a Float64Array sized to the schedule's request count, so memory is bounded) for the
 * reported percentiles through core's one percentile definition, and HdrHistograms of integer
 * microseconds for cheap interim values (abort-on-fail, progress lines) and the 1 s buckets.
 */

export interface LatencySummary {
  count: number;
  min: number;
  avg: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** One second of the measured part, by intended send time. */
export interface LatencyBucket {
  /** Seconds from the start of the measured part. */
  second: number;
  /** Target rate at the middle of the second. */
  targetRate: number;
  /** Responses (any status) and failed sends whose intended time fell in this second. */
  requests: number;
  errors: number;
  /** From the bucket's HdrHistogram (2 significant digits), ms; null when no response. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

interface OpenBucket {
  histogram: Histogram;
  requests: number;
  errors: number;
  /** Sends still in flight. */
  outstanding: number;
}

export const PERCENTILES = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p95', 0.95],
  ['p99', 0.99],
  ['p999', 0.999],
] as const;

export class Recorder {
  readonly samples: Float64Array;
  count = 0;
  sum = 0;
  max = 0;
  requests = 0;
  /** Requests answered with an HTTP status (any). */
  responses = 0;
  errors = 0;
  dropped = 0;
  late = 0;
  /** Late sends that had a free connection and still left late: the generator fell behind. */
  lateGenerator = 0;
  sent = 0;
  readonly statuses: Record<string, number> = {};
  readonly errorKinds: Record<string, number> = {};
  readonly histogram: Histogram;
  private readonly open = new Map<number, OpenBucket>();
  private readonly closed: LatencyBucket[] = [];

  constructor(
    capacity: number,
    private readonly rateAt: (ms: number) => number,
  ) {
    this.samples = new Float64Array(Math.max(0, capacity));
    this.histogram = hdr.build({
      lowestDiscernibleValue: 1,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
    });
  }

  /** A measured request left (or was meant to leave) in `second`; its outcome comes later. */
  begin(second: number): void {
    this.sent++;
    this.bucket(second).outstanding++;
  }

  /** An answered request: `latencyMs` from its intended send time. */
  response(second: number, status: number, latencyMs: number, isError: boolean): void {
    this.requests++;
    this.responses++;
    const key = String(status);
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (isError) this.errors++;
    if (this.count < this.samples.length) this.samples[this.count++] = latencyMs;
    this.sum += latencyMs;
    if (latencyMs > this.max) this.max = latencyMs;
    const us = Math.max(1, Math.round(latencyMs * 1000));
    this.histogram.recordValue(us);
    const b = this.bucket(second);
    b.requests++;
    if (isError) b.errors++;
    b.histogram.recordValue(us);
    this.finish(second, b);
  }

  /** A send that got no HTTP response (refused, reset, timed out): an error without a latency. */
  failure(second: number, kind: string): void {
    this.requests++;
    this.errors++;
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
    const b = this.bucket(second);
    b.requests++;
    b.errors++;
    this.finish(second, b);
  }

  private lastSecond = Number.NaN;
  private lastBucket: OpenBucket | undefined;

  private bucket(second: number): OpenBucket {
    // Almost every call is for the same second as the one before: skip the Map.
    if (second === this.lastSecond && this.lastBucket) return this.lastBucket;
    let b = this.open.get(second);
    if (!b) {
      b = {
        histogram: hdr.build({
          lowestDiscernibleValue: 1,
          numberOfSignificantValueDigits: 2,
          autoResize: true,
        }),
        requests: 0,
        errors: 0,
        outstanding: 0,
      };
      this.open.set(second, b);
    }
    this.lastSecond = second;
    this.lastBucket = b;
    return b;
  }

  private finish(second: number, b: OpenBucket): void {
    b.outstanding--;
    // Once a past second has no request in flight it can only be read, so it shrinks to numbers:
    // memory stays bounded on long runs.
    if (b.outstanding <= 0 && second < this.currentSecond) this.close(second, b);
  }

  currentSecond = 0;

  /** Called as time advances: closes finished buckets of past seconds. */
  advance(second: number): void {
    this.currentSecond = second;
    for (const [s, b] of this.open) if (s < second && b.outstanding <= 0) this.close(s, b);
  }

  private close(second: number, b: OpenBucket): void {
    this.open.delete(second);
    if (this.lastBucket === b) {
      this.lastBucket = undefined;
      this.lastSecond = Number.NaN;
    }
    const has = b.histogram.totalCount > 0;
    const ms = (q: number): number | null => (has ? b.histogram.getValueAtPercentile(q) / 1000 : null);
    this.closed.push({
      second,
      targetRate: this.rateAt((second + 0.5) * 1000),
      requests: b.requests,
      errors: b.errors,
      p50: ms(50),
      p90: ms(90),
      p99: ms(99),
      max: has ? b.histogram.maxValue / 1000 : null,
    });
    b.histogram.destroy();
  }

  /** Every bucket from 0 to the last second, empty seconds included. */
  buckets(lastSecond: number): LatencyBucket[] {
    for (const [s, b] of [...this.open]) this.close(s, b);
    const bySecond = new Map(this.closed.map((b) => [b.second, b]));
    const out: LatencyBucket[] = [];
    for (let s = 0; s <= lastSecond; s++) {
      out.push(
        bySecond.get(s) ?? {
          second: s,
          targetRate: this.rateAt((s + 0.5) * 1000),
          requests: 0,
          errors: 0,
          p50: null,
          p90: null,
          p99: null,
          max: null,
        },
      );
    }
    return out;
  }

  /** Exact latency summary through core's `percentileSorted` (numpy 'linear'); null with no samples. */
  exactLatency(): LatencySummary | null {
    if (this.count === 0) return null;
    const sorted = this.samples.slice(0, this.count).sort();
    const out: LatencySummary = {
      count: this.count,
      min: sorted[0]!,
      avg: this.sum / this.requestsWithLatency(),
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      p999: 0,
      max: this.max,
    };
    for (const [name, q] of PERCENTILES) out[name] = percentileSorted(sorted, q);
    return out;
  }

  /** Cheap summary from the HdrHistogram (3 significant digits), for interim values. */
  hdrLatency(): LatencySummary | null {
    const h = this.histogram;
    if (h.totalCount === 0) return null;
    const out: LatencySummary = {
      count: h.totalCount,
      min: h.minNonZeroValue / 1000,
      avg: this.sum / this.requestsWithLatency(),
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      p999: 0,
      max: this.max,
    };
    for (const [name, q] of PERCENTILES) out[name] = h.getValueAtPercentile(q * 100) / 1000;
    return out;
  }

  private requestsWithLatency(): number {
    return this.histogram.totalCount;
  }

  dispose(): void {
    for (const b of this.open.values()) b.histogram.destroy();
    this.open.clear();
    this.histogram.destroy();
  }
}
