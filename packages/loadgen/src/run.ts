import { evaluateGates, silentLogger } from '@mlops-actions/core';
import type { Gate, Logger, Measurements, Verdict } from '@mlops-actions/core';
import { RawTransport } from './raw-transport.js';
import { ArrivalSchedule } from './schedule.js';
import type { RateStage } from './schedule.js';
import { Recorder } from './recorder.js';
import { AgentTransport } from './transport.js';
import type { PreparedRequest, Transport } from './transport.js';
import { abortCanDecide, loadValues } from './values.js';
import type { LoadResult } from './types.js';

export interface LoadOptions {
  /** Base of the requests' paths: `http://127.0.0.1:8080`. */
  url: string;
  /** Sent in rotation, request i gets `requests[i % n]`. */
  requests: PreparedRequest[];
  /** Constant arrival rate, requests per second; or `stages`. */
  rate?: number;
  stages?: RateStage[];
  /** With stages: the rate the first stage ramps from (default 0). */
  startRate?: number;
  /** Measured duration for a constant rate (with stages: their sum). */
  durationMs?: number;
  /** Load before measuring; its requests are not in the results. Default 0. */
  warmupMs?: number;
  /** Keep-alive connections, also the cap on requests in flight. Default 16. */
  connections?: number;
  /** Upper bound on measured requests. Default 10,000,000 (80 MB of samples). */
  maxRequests?: number;
  /** A request with no complete response after this long is a `timeout` error. Default 10 s. */
  timeoutMs?: number;
  /**
   * A request still unsent this long after its intended time (every connection busy) is dropped:
   * it would have timed out anyway. Default: `timeoutMs`.
   */
  dropAfterMs?: number;
  /** A request sent more than this after its intended time counts as late. Default 10 ms. */
  lateAfterMs?: number;
  /** Statuses that are not errors. Default: 200–399 (k6's http_req_failed). */
  isSuccess?: (status: number) => boolean;
  /** `raw` (node:net, fastest; http only), `agent` (node:http Agent), `auto` (raw for http:). */
  transport?: 'auto' | 'raw' | 'agent';
  /** Gates checked while the run goes when `abortOnFail` is set. */
  gates?: Gate[];
  /** Stop early once a gate is lost, after `delayMs` of measuring. */
  abortOnFail?: { delayMs: number };
  log?: Logger;
  /** Progress line period. Default 5 s. */
  progressEveryMs?: number;
  /** Stops the run early (as if the schedule ended). */
  signal?: AbortSignal;
}

const DEFAULT_MAX_REQUESTS = 10_000_000;

/**
 * Runs an open-model load: every request has an intended send time from the arrival schedule,
 * latency counts from that time, and a slow server makes requests wait for a free connection
 * (late) or miss it altogether (dropped) instead of slowing the schedule down.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? silentLogger;
  const connections = options.connections ?? 16;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dropAfterMs = options.dropAfterMs ?? timeoutMs;
  const lateAfterMs = options.lateAfterMs ?? 10;
  const isSuccess = options.isSuccess ?? ((s: number) => s >= 200 && s < 400);
  if (options.requests.length === 0) throw new Error('runLoad: no requests to send');
  if (!Number.isInteger(connections) || connections < 1) throw new Error('runLoad: connections must be >= 1');
  const url = new URL(options.url);
  const schedule = new ArrivalSchedule({
    ...(options.rate !== undefined && { rate: options.rate }),
    ...(options.stages !== undefined && { stages: options.stages }),
    ...(options.startRate !== undefined && { startRate: options.startRate }),
    ...(options.durationMs !== undefined && { durationMs: options.durationMs }),
    warmupMs: options.warmupMs ?? 0,
    maxRequests: options.maxRequests ?? DEFAULT_MAX_REQUESTS,
  });
  const kind = options.transport ?? 'auto';
  const transportOptions = { url, requests: options.requests, connections, timeoutMs };
  const transport: Transport =
    kind === 'agent' || (kind === 'auto' && url.protocol !== 'http:')
      ? new AgentTransport(transportOptions)
      : new RawTransport(transportOptions);
  const transportName = transport instanceof RawTransport ? 'raw' : 'agent';
  const recorder = new Recorder(schedule.measuredCount, (ms) => schedule.rateAt(ms));
  const nRequests = options.requests.length;
  const warmupMs = schedule.warmupMs;

  let total = schedule.total;
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  // When every connection was busy: a late send that fell due inside such a stretch waited on the
  // server's pace; one that fell due with a connection free was late by this process's own fault.
  const full = new FullStretches();
  let aborted: LoadResult['aborted'];
  let timer: NodeJS.Timeout | undefined;
  let timerDue = 0;
  let finished = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const startedAt = new Date();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();

  const secondOf = (intended: number): number => Math.floor((intended - warmupMs) / 1000);

  const dispatch = (i: number, intended: number, now: number): void => {
    const measured = i >= schedule.warmupCount;
    const second = measured ? secondOf(intended) : -1;
    if (measured) {
      recorder.begin(second);
      if (now - intended > lateAfterMs) {
        recorder.late++;
        if (!full.at(intended)) recorder.lateGenerator++;
      }
    }
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    if (inFlight >= connections) full.begin(now);
    transport.send(i % nRequests, (status, error) => {
      inFlight--;
      if (measured) {
        if (error === undefined) {
          recorder.response(second, status, performance.now() - t0 - intended, !isSuccess(status));
        } else {
          recorder.failure(second, error);
        }
      }
      if (!finished) pump();
      // A freed connection that pump handed straight to a waiting send keeps the stretch going.
      if (inFlight < connections) full.end(performance.now() - t0);
    });
  };

  const onTimer = (): void => {
    timer = undefined;
    pump();
  };

  const pump = (): void => {
    const now = performance.now() - t0;
    while (next < total) {
      const intended = schedule.timeOf(next);
      if (intended > now) break;
      if (now - intended > dropAfterMs) {
        if (next >= schedule.warmupCount) recorder.dropped++;
        next++;
        continue;
      }
      if (inFlight >= connections) break;
      dispatch(next, intended, now);
      next++;
    }
    if (next < total) {
      recorder.advance(next >= schedule.warmupCount ? secondOf(schedule.timeOf(next)) : 0);
      const wait = schedule.timeOf(next) - now;
      // With every connection busy a response wakes us; the timer only has to catch drops.
      const delay = inFlight >= connections ? Math.max(1, Math.min(dropAfterMs / 4, 100)) : Math.max(0, wait);
      // pump runs on every response; re-arming a timer each time would cost more than the sends.
      // A timer that fires early is harmless: it pumps and re-arms.
      const due = now + delay;
      if (timer === undefined || timerDue > due + 0.5) {
        if (timer) clearTimeout(timer);
        timerDue = due;
        timer = setTimeout(onTimer, delay);
      }
    } else if (inFlight === 0) {
      finish();
    }
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    resolveDone();
  };

  const stop = (): void => {
    total = Math.min(total, next);
    if (inFlight === 0) finish();
  };
  const onSignal = (): void => stop();
  options.signal?.addEventListener('abort', onSignal, { once: true });

  const progressEvery = options.progressEveryMs ?? 5000;
  let lastProgress = { at: 0, requests: 0 };
  const progress = setInterval(() => {
    const now = performance.now() - t0;
    const measuredFor = Math.max(0, Math.min(now - warmupMs, schedule.durationMs));
    const phase =
      now < warmupMs
        ? 'warm-up'
        : `${(measuredFor / 1000).toFixed(0)}s/${(schedule.durationMs / 1000).toFixed(0)}s`;
    const rps = ((recorder.requests - lastProgress.requests) * 1000) / Math.max(1, now - lastProgress.at);
    lastProgress = { at: now, requests: recorder.requests };
    const lat = recorder.hdrLatency();
    log.info(
      `load-test ${phase}: ${recorder.requests} done, ${rps.toFixed(0)}/s (target ${schedule
        .rateAt(Math.max(0, now - warmupMs))
        .toFixed(0)}/s), errors ${recorder.errors}, dropped ${recorder.dropped}, late ${recorder.late}, ` +
        `in flight ${inFlight}` +
        (lat ? `, p50 ${lat.p50.toFixed(2)}ms p99 ${lat.p99.toFixed(2)}ms` : ''),
    );
  }, progressEvery);
  progress.unref();

  let abortTimer: NodeJS.Timeout | undefined;
  const abortGates = options.abortOnFail ? (options.gates ?? []) : [];
  if (abortGates.length > 0) {
    const delayMs = options.abortOnFail?.delayMs ?? 0;
    abortTimer = setInterval(() => {
      const now = performance.now() - t0;
      const measuredFor = now - warmupMs;
      if (measuredFor < Math.max(delayMs, 1000) || finished || aborted) return;
      const values = loadValues(interim(recorder, Math.min(measuredFor, schedule.durationMs)));
      const lost = lostGate(abortGates, values);
      if (lost) {
        aborted = { atMs: Math.round(measuredFor), gate: lost.gate, reason: lost.reason };
        log.warn(`load-test aborted after ${(measuredFor / 1000).toFixed(1)}s: gate lost: ${lost.reason}`);
        stop();
      }
    }, 1000);
    abortTimer.unref();
  }

  // Safety net: every send ends by its response, an error or the transport's timeout, so this only
  // fires if something is badly wrong; it keeps the run bounded in time whatever happens.
  const hardLimit = setTimeout(
    () => {
      log.warn(`load-test: ${inFlight} requests still in flight at the hard time limit; stopping`);
      finish();
    },
    schedule.warmupMs + schedule.durationMs + dropAfterMs + timeoutMs * 2 + 10_000,
  );
  hardLimit.unref();

  pump();
  await done;
  const endedAt = performance.now();
  const busy = performance.eventLoopUtilization(elu0).utilization;
  clearInterval(progress);
  if (abortTimer) clearInterval(abortTimer);
  clearTimeout(hardLimit);
  options.signal?.removeEventListener('abort', onSignal);
  await transport.close();

  // The measured window: the schedule's length, or up to where the next send would have been when
  // the run stopped early (abort, signal) or max-requests cut the schedule.
  const cut = total < schedule.total || schedule.cutByMaxRequests;
  const measuredMs = cut
    ? Math.max(
        0,
        Math.min(schedule.durationMs, schedule.timeOf(Math.max(total, schedule.warmupCount)) - warmupMs),
      )
    : schedule.durationMs;
  const lastSecond = Math.max(0, Math.ceil(measuredMs / 1000) - 1);
  const result: LoadResult = {
    url: url.toString(),
    transport: transportName,
    connections,
    ...(options.rate !== undefined && { rate: options.rate }),
    ...(options.stages !== undefined && { stages: options.stages }),
    warmupMs,
    durationMs: schedule.durationMs,
    measuredMs,
    startedAt: startedAt.toISOString(),
    wallMs: Math.round(endedAt - t0),
    scheduled: Math.min(schedule.measuredCount, Math.max(0, total - schedule.warmupCount)),
    targetRate: schedule.durationMs > 0 ? (schedule.measuredCount * 1000) / schedule.durationMs : 0,
    sent: recorder.sent,
    requests: recorder.requests,
    responses: recorder.responses,
    errors: recorder.errors,
    dropped: recorder.dropped,
    late: recorder.late,
    lateCauses: { connections: recorder.late - recorder.lateGenerator, generator: recorder.lateGenerator },
    lateAfterMs,
    generatorBusy: Math.round(busy * 1000) / 1000,
    maxInFlight,
    statuses: recorder.statuses,
    errorKinds: recorder.errorKinds,
    latency: recorder.exactLatency(),
    hdrLatency: recorder.hdrLatency(),
    buckets: recorder.buckets(lastSecond),
    ...(aborted && { aborted }),
  };
  recorder.dispose();
  return result;
}

/**
 * The stretches of time every connection was busy, asked about in increasing time order (sends are
 * dispatched in intended-time order), so the ones already past are dropped as it goes.
 */
class FullStretches {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private head = 0;
  private open = false;

  begin(now: number): void {
    if (this.open) return;
    this.open = true;
    this.starts.push(now);
    this.ends.push(Number.POSITIVE_INFINITY);
  }

  end(now: number): void {
    if (!this.open) return;
    this.open = false;
    this.ends[this.ends.length - 1] = now;
  }

  /** Whether every connection was busy at time `t`. */
  at(t: number): boolean {
    while (this.head < this.ends.length && this.ends[this.head]! < t) this.head++;
    if (this.head > 4096) {
      this.starts.splice(0, this.head);
      this.ends.splice(0, this.head);
      this.head = 0;
    }
    return this.head < this.starts.length && this.starts[this.head]! <= t;
  }
}

/** Values so far, from the HdrHistogram (cheap enough to compute every second). */
function interim(recorder: Recorder, measuredMs: number): LoadResult {
  return {
    measuredMs,
    requests: recorder.requests,
    responses: recorder.responses,
    errors: recorder.errors,
    dropped: recorder.dropped,
    late: recorder.late,
    latency: recorder.hdrLatency(),
  } as LoadResult;
}

function lostGate(gates: Gate[], values: Measurements): Verdict | undefined {
  for (const gate of gates) {
    if (gate.kind !== 'expression') continue;
    const [verdict] = evaluateGates([gate], { values, baseDir: '.', stage: 'load-test' });
    if (verdict && verdict.status === 'fail' && abortCanDecide(gate.expression, values)) return verdict;
  }
  return undefined;
}
