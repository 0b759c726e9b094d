import { afterAll, describe, expect, it } from 'vitest';
import { percentileSorted } from '@mlops-actions/core';
import { loadValues, runLoad } from '@mlops-actions/loadgen';
import { startDelayProcess } from './servers.js';

/**
 * The generator against a server whose latency is known: the server (its own process) records how
 * long it held each request, and the generator's percentiles must be within 5% of those. With a
 * periodic stall the truth has a long tail that a closed-loop tool hides; the open model must not.
 */

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

const REQUESTS = [{ method: 'POST', path: '/v2/models/m/infer', headers: {}, body: Buffer.from('{}') }];

/**
 * A loaded CI box wakes a process late now and then, which only ever adds latency; the best of up
 * to five runs is compared with the truth of that same run.
 */
async function bestOf(
  server: { reset: () => Promise<void>; durations: () => Promise<number[]> },
  run: () => ReturnType<typeof runLoad>,
): Promise<{ r: Awaited<ReturnType<typeof runLoad>>; t: { p50: number; p99: number } }> {
  let best:
    { r: Awaited<ReturnType<typeof runLoad>>; t: { p50: number; p99: number }; off: number } | undefined;
  for (let attempt = 0; attempt < 5 && (best === undefined || best.off > 0.05); attempt++) {
    await server.reset();
    const r = await run();
    const t = truth(await server.durations());
    const off = Math.max(Math.abs(r.latency!.p50 / t.p50 - 1), Math.abs(r.latency!.p99 / t.p99 - 1));
    if (best === undefined || off < best.off) best = { r, t, off };
  }
  return best!;
}

function truth(durations: number[]): { p50: number; p99: number } {
  const sorted = Float64Array.from(durations).sort();
  return { p50: percentileSorted(sorted, 0.5), p99: percentileSorted(sorted, 0.99) };
}

describe('latency truth', () => {
  // Delays of hundreds of ms: on a loaded 2-core CI box the OS wakes either process a few ms late,
  // and that noise must stay well inside 5%.
  it.each(['raw', 'agent'] as const)(
    'a fixed 200 ms server (%s transport): p50 and p99 within 5 percent',
    async (transport) => {
      const s = await startDelayProcess(['--delay', '200']);
      closers.push(s.close);
      const { r, t } = await bestOf(s, () =>
        runLoad({ url: s.url, requests: REQUESTS, rate: 50, durationMs: 4000, connections: 32, transport }),
      );
      expect(r.responses).toBe(200);
      const v = loadValues(r);
      expect(v['p(50)']!.candidate! / t.p50).toBeGreaterThan(0.95);
      expect(v['p(50)']!.candidate! / t.p50).toBeLessThan(1.05);
      expect(v['p(99)']!.candidate! / t.p99).toBeGreaterThan(0.95);
      expect(v['p(99)']!.candidate! / t.p99).toBeLessThan(1.05);
    },
  );

  it('a 100 ms server stalling 400 ms every second: the stall is in p99, within 5%', async () => {
    const s = await startDelayProcess(['--delay', '100', '--stall-every', '1000', '--stall', '400']);
    closers.push(s.close);
    // Enough connections to hold every request of a stall, so none waits for one.
    const { r, t } = await bestOf(s, () =>
      runLoad({ url: s.url, requests: REQUESTS, rate: 100, durationMs: 4000, connections: 128 }),
    );
    expect(r.responses).toBe(400);
    expect(t.p99).toBeGreaterThan(300);
    const v = loadValues(r);
    expect(v['p(50)']!.candidate! / t.p50).toBeGreaterThan(0.95);
    expect(v['p(50)']!.candidate! / t.p50).toBeLessThan(1.05);
    expect(v['p(99)']!.candidate! / t.p99).toBeGreaterThan(0.95);
    expect(v['p(99)']!.candidate! / t.p99).toBeLessThan(1.05);
  });
});
