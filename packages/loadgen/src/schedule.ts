/**
 * Open-model arrival schedule: when each request is *meant* to be sent, fixed before the run and
 * independent of how fast the server answers. Latency is measured from these times (wrk2's method),
 * so a stalled server shows up as latency instead of silently slowing the generator down.
 *
 * The schedule is a warm-up prefix at a constant rate, then the measured part: a constant rate, or
 * k6-style ramping stages (each stage moves the rate linearly from the previous target to its own
 * over its duration). Arrival j of a segment happens when the cumulative count N(t) reaches j.
 */

export interface RateStage {
  /** Requests per second reached at the end of the stage. */
  target: number;
  durationMs: number;
}

export interface ScheduleOptions {
  /** Constant rate (requests per second) of the measured part; or give `stages`. */
  rate?: number;
  /** Ramping rate; the rate starts at `startRate` (default 0, like k6's ramping-arrival-rate). */
  stages?: RateStage[];
  startRate?: number;
  /** Measured duration for a constant rate; with stages it is their sum. */
  durationMs?: number;
  /** Load sent before measuring starts, at the rate the measured part begins with. */
  warmupMs?: number;
  /** Upper bound on measured requests; the schedule ends early when reached. */
  maxRequests?: number;
}

interface Segment {
  /** Start, ms from the start of the measured part. */
  startMs: number;
  durationS: number;
  r0: number;
  r1: number;
  /** Cumulative arrivals before the segment. */
  n0: number;
  /** Arrivals (fractional) within the segment. */
  n: number;
}

export class ArrivalSchedule {
  /** Warm-up requests (indices 0..warmupCount-1). */
  readonly warmupCount: number;
  /** Measured requests (indices warmupCount..total-1). */
  readonly measuredCount: number;
  readonly total: number;
  readonly warmupMs: number;
  /** Length of the measured part, ms. */
  readonly durationMs: number;
  readonly warmupRate: number;
  /** True when `maxRequests` ended the schedule before its duration. */
  readonly cutByMaxRequests: boolean;
  private readonly segments: Segment[];
  private cursor = 0;

  constructor(options: ScheduleOptions) {
    const { rate, stages } = options;
    if ((rate === undefined) === (stages === undefined)) {
      throw new Error('schedule: give exactly one of rate and stages');
    }
    const segments: Segment[] = [];
    let n = 0;
    let at = 0;
    const push = (durationMs: number, r0: number, r1: number): void => {
      const durationS = durationMs / 1000;
      const count = ((r0 + r1) / 2) * durationS;
      segments.push({ startMs: at, durationS, r0, r1, n0: n, n: count });
      n += count;
      at += durationMs;
    };
    let firstRate: number;
    if (rate !== undefined) {
      assertRate(rate, 'rate');
      push(options.durationMs ?? 0, rate, rate);
      firstRate = rate;
    } else {
      let previous = options.startRate ?? 0;
      assertRate(previous, 'startRate');
      for (const [i, stage] of (stages ?? []).entries()) {
        assertRate(stage.target, `stages[${i}].target`);
        push(stage.durationMs, previous, stage.target);
        previous = stage.target;
      }
      firstRate = (options.startRate ?? 0) > 0 ? options.startRate! : (stages?.[0]?.target ?? 0);
    }
    this.segments = segments;
    this.durationMs = at;
    // Arrival j of the measured part happens when N(t) = j; those with N < total fall inside it.
    // The tiny epsilon keeps 1000/s over 1 s at exactly 1000 arrivals despite float sums.
    const scheduled = Math.max(0, Math.ceil(n - 1e-9));
    this.measuredCount = Math.min(scheduled, options.maxRequests ?? Number.POSITIVE_INFINITY);
    this.cutByMaxRequests = this.measuredCount < scheduled;
    this.warmupMs = options.warmupMs ?? 0;
    this.warmupRate = firstRate;
    this.warmupCount =
      this.warmupMs > 0 ? Math.max(0, Math.ceil((firstRate * this.warmupMs) / 1000 - 1e-9)) : 0;
    this.total = this.warmupCount + this.measuredCount;
  }

  /** Intended send time of request `i`, ms from the start of the run (warm-up included). */
  timeOf(i: number): number {
    if (i < this.warmupCount) return (i / this.warmupRate) * 1000;
    return this.warmupMs + this.measuredTimeOf(i - this.warmupCount);
  }

  isMeasured(i: number): boolean {
    return i >= this.warmupCount;
  }

  /** Target rate at `ms` into the measured part (for the latency-over-time chart). */
  rateAt(ms: number): number {
    for (const s of this.segments) {
      const end = s.startMs + s.durationS * 1000;
      if (ms < end || s === this.segments[this.segments.length - 1]) {
        const f = s.durationS > 0 ? Math.min(1, Math.max(0, (ms - s.startMs) / (s.durationS * 1000))) : 1;
        return s.r0 + (s.r1 - s.r0) * f;
      }
    }
    return 0;
  }

  private measuredTimeOf(j: number): number {
    const segments = this.segments;
    // Requests are asked for in increasing order, so a cursor makes this O(1) amortised.
    let k = this.cursor;
    const seg0 = segments[k];
    if (seg0 === undefined || j < seg0.n0) k = 0;
    for (;;) {
      const s = segments[k];
      if (s === undefined) return this.durationMs;
      if (j < s.n0 + s.n || k === segments.length - 1) {
        this.cursor = k;
        return s.startMs + secondsInto(s, j - s.n0) * 1000;
      }
      k++;
    }
  }
}

// Solves r0·τ + (r1−r0)·τ²/(2D) = x for τ; the rationalised root stays exact when r1 ≈ r0.
function secondsInto(s: Segment, x: number): number {
  if (x <= 0) return 0;
  const a = (s.r1 - s.r0) / (2 * s.durationS);
  if (a === 0) return x / s.r0;
  const disc = Math.max(0, s.r0 * s.r0 + 4 * a * x);
  const denom = s.r0 + Math.sqrt(disc);
  return denom > 0 ? (2 * x) / denom : s.durationS;
}

function assertRate(rate: number, name: string): void {
  if (!Number.isFinite(rate) || rate < 0) throw new Error(`schedule: ${name} must be a finite rate >= 0`);
}
