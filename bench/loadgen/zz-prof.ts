import { runLoad } from '../../packages/loadgen/src/index.js';
import { BODY, startServer } from './common.js';
const server = await startServer(['--no-record']);
const requests = [{ method: 'POST', path: '/v2/models/m/infer', headers: { 'content-type': 'application/json' }, body: Buffer.from(BODY) }];
for (const rate of [12000, 14000, 16000]) {
const r = await runLoad({ url: server.url, requests, rate, durationMs: 3000, warmupMs: 500, connections: 64 });
console.log(rate, r.late / r.scheduled, r.latency?.p99, r.maxInFlight);
}
await server.stop();
