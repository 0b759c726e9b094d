/**
 * Benchmark 2, latency truth: `npx tsx bench/loadgen/latency-truth.ts [seconds=30] [rate=200]`.
 * A server answering after 20 ms, and holding every answer during a 1 s stall every 10 s. The truth
 * is what users arriving at `rate` per second see: computed exactly from the server's rule over
 * uniform arrivals, and also as the server's own per-request times during our run. Next to it our
 * open-model generator, wrk and autocannon (both closed loop; connections = rate × 20 ms, the
 * number that gives them the same request rate when the server is not stalled).
 */
import { percentileSorted } from '../../packages/core/src/index.js';
import { runLoad } from '../../packages/loadgen/src/index.js';
import { autocannon, BODY, machine, startServer, wrk } from './common.js';

const seconds = Number(process.argv[2] ?? 30);
const rate = Number(process.argv[3] ?? 200);
const DELAY = 20;
const EVERY = 10_000;
const STALL = 1000;
const closedConnections = Math.max(1, Math.round((rate * DELAY) / 1000));

function pct(values: number[]): { p50: number; p99: number } {
  const s = Float64Array.from(values).sort();
  return { p50: percentileSorted(s, 0.5), p99: percentileSorted(s, 0.99) };
}

// Exact truth: arrivals every 1/rate s over whole stall periods, each answered at t + 20 ms, or at
// the stall's end when that falls inside a stall.
function analyticTruth(): { p50: number; p99: number } {
  const lat: number[] = [];
  const span = Math.ceil(seconds / (EVERY / 1000)) * EVERY;
  for (let i = 0; i < (span * rate) / 1000; i++) {
    const t = EVERY + (i * 1000) / rate;
    const at = t + DELAY;
    const start = Math.floor(at / EVERY) * EVERY;
    lat.push((at < start + STALL ? start + STALL : at) - t);
  }
  return pct(lat);
}

const f = (v: number): string => `${v.toFixed(1)} ms`;
console.log(`# latency truth (${machine()})`);
console.log(
  `server: ${DELAY} ms, ${STALL} ms stall every ${EVERY / 1000} s; ${seconds} s per tool; rate ${rate}/s`,
);
const server = await startServer([
  '--delay',
  String(DELAY),
  '--stall-every',
  String(EVERY),
  '--stall',
  String(STALL),
]);
try {
  const truth = analyticTruth();
  console.log(`truth (exact, uniform arrivals): p50 ${f(truth.p50)}, p99 ${f(truth.p99)}`);
  await server.reset();
  const requests = [
    {
      method: 'POST',
      path: '/v2/models/m/infer',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(BODY),
    },
  ];
  const ours = await runLoad({
    url: server.url,
    requests,
    rate,
    durationMs: seconds * 1000,
    connections: Math.ceil(rate * 1.5) + 16,
  });
  const seen = pct(await server.durations());
  console.log(`truth (server-side times of our run): p50 ${f(seen.p50)}, p99 ${f(seen.p99)}`);
  const o = ours.latency!;
  console.log(
    `ours (open model, ${rate}/s): p50 ${f(o.p50)} (${((o.p50 / truth.p50) * 100).toFixed(1)}% of truth), p99 ${f(o.p99)} (${((o.p99 / truth.p99) * 100).toFixed(1)}%), late ${ours.late}, dropped ${ours.dropped}`,
  );
  const w = await wrk(`${server.url}/v2/models/m/infer`, closedConnections, seconds);
  console.log(
    `wrk -c${closedConnections}: ${w.rps.toFixed(0)}/s, p50 ${f(w.p50)} (${((w.p50 / truth.p50) * 100).toFixed(1)}%), p99 ${f(w.p99)} (${((w.p99 / truth.p99) * 100).toFixed(1)}%)`,
  );
  const a = await autocannon(server.url, closedConnections, seconds);
  console.log(
    `autocannon -c${closedConnections}: ${a.rps.toFixed(0)}/s, p50 ${f(a.p50)} (${((a.p50 / truth.p50) * 100).toFixed(1)}%), p99 ${f(a.p99)} (${((a.p99 / truth.p99) * 100).toFixed(1)}%)`,
  );
} finally {
  await server.stop();
}
