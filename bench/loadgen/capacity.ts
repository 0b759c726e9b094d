/**
 * Benchmark 1, generator capacity: `npx tsx bench/loadgen/capacity.ts [seconds=5] [connections=64]`.
 * Against a trivial Node server (its own process): wrk's closed-loop throughput, then the highest
 * constant rate our open-model generator holds with < 1% late sends (late: sent > 10 ms after the
 * intended time) and nothing dropped, for each transport. Rates step up from half of wrk's figure.
 */
import { runLoad } from '../../packages/loadgen/src/index.js';
import { BODY, machine, startServer, wrk } from './common.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 64);
const requests = [
  {
    method: 'POST',
    path: '/v2/models/m/infer',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(BODY),
  },
];

console.log(`# generator capacity (${machine()})`);
const server = await startServer(['--no-record']);
try {
  const w = await wrk(`${server.url}/v2/models/m/infer`, connections, seconds);
  console.log(`wrk -t1 -c${connections} -d${seconds}s: ${w.rps.toFixed(0)} requests/s`);
  for (const transport of ['raw', 'agent'] as const) {
    let best = 0;
    let rate = Math.round(w.rps * 0.5);
    const step = Math.round(w.rps * 0.05);
    for (let attempt = 0; attempt < 14; attempt++) {
      const r = await runLoad({
        url: server.url,
        requests,
        rate,
        durationMs: seconds * 1000,
        warmupMs: 1000,
        connections,
        transport,
      });
      const lateShare = r.late / Math.max(1, r.scheduled);
      const ok = lateShare < 0.01 && r.dropped === 0 && r.errors === 0;
      const achieved = (r.responses * 1000) / r.measuredMs;
      console.log(
        `  ${transport} rate ${rate}/s: achieved ${achieved.toFixed(0)}/s, late ${(lateShare * 100).toFixed(2)}%, dropped ${r.dropped}, errors ${r.errors}, p99 ${r.latency?.p99.toFixed(2)} ms → ${ok ? 'holds' : 'does not hold'}`,
      );
      if (!ok) break;
      best = rate;
      rate += step;
    }
    console.log(`${transport}: highest rate held ${best}/s = ${((best / w.rps) * 100).toFixed(0)}% of wrk`);
  }
  const w2 = await wrk(`${server.url}/v2/models/m/infer`, connections, seconds);
  console.log(`wrk again (load drift check): ${w2.rps.toFixed(0)} requests/s`);
} finally {
  await server.stop();
}
