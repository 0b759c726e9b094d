import type { LatencyBucket, LatencySummary } from './recorder.js';
import type { RateStage } from './schedule.js';

/** Everything one load run measured (the stage's `details`); latency in ms. */
export interface LoadResult {
  url: string;
  transport: 'raw' | 'agent';
  connections: number;
  rate?: number;
  stages?: RateStage[];
  warmupMs: number;
  /** Scheduled length of the measured part. */
  durationMs: number;
  /** Length actually measured (shorter when aborted or cut by max-requests). */
  measuredMs: number;
  startedAt: string;
  /** Wall time of the whole run, warm-up and drain included. */
  wallMs: number;
  /** Measured requests the schedule asked for. */
  scheduled: number;
  /** Mean target rate of the measured part, requests per second. */
  targetRate: number;
  sent: number;
  /** Answered plus failed sends (not dropped ones). */
  requests: number;
  /** Requests answered with an HTTP status. */
  responses: number;
  /** Failed sends plus answers whose status is not a success. */
  errors: number;
  /** Never sent: still waiting for a free connection `dropAfterMs` after their intended time. */
  dropped: number;
  /** Sent more than `lateAfterMs` after their intended time. */
  late: number;
  /**
   * Why they were late: `connections`, every connection was busy when the send fell due (the
   * server's pace, or too few connections); `generator`, a connection was free then and this
   * process still sent late (the machine running the test was too busy, so its figures are less
   * certain).
   */
  lateCauses: { connections: number; generator: number };
  lateAfterMs: number;
  /**
   * Share of the run this process's event loop was busy (Node's event-loop utilisation). Near 1 the
   * generator itself set the pace: answers waited unread, so the connections looked busy and
   * latency is overstated.
   */
  generatorBusy: number;
  maxInFlight: number;
  /** Answers by HTTP status: `{ "200": 5990, "503": 10 }`. */
  statuses: Record<string, number>;
  /** Failed sends by kind: `{ "timeout": 2, "ECONNRESET": 1 }`. */
  errorKinds: Record<string, number>;
  /** Exact, from every answered request's latency (numpy-linear percentiles); null with no answer. */
  latency: LatencySummary | null;
  /** The same from the HdrHistogram (3 significant digits), as a cross-check. */
  hdrLatency: LatencySummary | null;
  /** Latency over time by intended send second. */
  buckets: LatencyBucket[];
  aborted?: { atMs: number; gate: string; reason: string };
}
