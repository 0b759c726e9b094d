import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../packages/core/src/index.js';
import { runCanary, startLocalBackend } from '../../packages/deploy/src/index.js';
import type { CanaryPlan, LocalBackend } from '../../packages/deploy/src/index.js';
import { killAllUpstreams, startLoad, startUpstream } from './helpers.js';

// End to end on the local backend: real upstream processes, the router, Debian's Prometheus
// scraping it every 250 ms, 2 s analysis windows, min-samples low enough for a slow machine's
// achieved rate. Nothing here asserts a duration.
const plan = (over: Partial<CanaryPlan> = {}): CanaryPlan => ({
  steps: [{ weight: 10 }, { weight: 50 }, { weight: 100 }],
  intervalMs: 2000,
  failureLimit: 0,
  inconclusiveLimit: 0,
  minSamples: 20,
  checks: [
    { kind: 'error-rate', name: 'errors', allowedIncrease: 0.01, gates: ['error_rate < 2%'] },
    {
      kind: 'latency',
      name: 'latency',
      allowedIncrease: { amount: 10, relative: false },
      gates: ['p(99) < 2000ms'],
    },
  ],
  ...over,
});

const RATE = 1000;
let backend: LocalBackend | undefined;

afterEach(async () => {
  await backend?.close();
  backend = undefined;
});
afterAll(() => killAllUpstreams());

async function setup(
  canaryFlags: Record<string, string | number>,
  stableFlags: Record<string, string | number> = {},
) {
  const stable = await startUpstream({ name: 'stable', ...stableFlags });
  const canary = await startUpstream({ name: 'canary', ...canaryFlags });
  backend = await startLocalBackend({ stable, canary, scrapeInterval: '250ms' });
  return { stable, canary, backend };
}

describe('local canary backend, end to end with Prometheus', () => {
  it('a good canary is promoted with zero failed requests at 1,000 req/s through every weight change', async () => {
    const { backend: b } = await setup({});
    const load = startLoad(b.router.url, RATE, 200_000);
    const outcome = await runCanary(plan(), b, { log: silentLogger });
    // After promotion every new request reaches the new version.
    const before = load.result.byBody.canary ?? 0;
    await new Promise((r) => setTimeout(r, 300));
    const res = await load.stop();
    expect(outcome.decision, outcome.reason).toBe('promoted');
    expect(outcome.analyses.map((a) => [a.weight, a.verdict])).toEqual([
      [10, 'pass'],
      [50, 'pass'],
    ]);
    expect(res.failed, res.failures.join('\n')).toBe(0);
    expect(res.ok).toBeGreaterThan(1000);
    expect(res.byBody.canary ?? 0).toBeGreaterThan(before);
    const w10 = outcome.analyses[0]!.traffic;
    // Smooth weighted round-robin: the 10% window splits close to 1:9.
    expect(w10.canary.requests / (w10.canary.requests + w10.stable.requests)).toBeGreaterThan(0.05);
    expect(w10.canary.requests / (w10.canary.requests + w10.stable.requests)).toBeLessThan(0.15);
    expect(outcome.analyses[0]!.checks[0]!.queries[0]).toContain('backend="canary"');
  });

  it('an A/A canary (the same server twice) passes', async () => {
    const { backend: b } = await setup({ name: 'stable' });
    const load = startLoad(b.router.url, RATE, 200_000);
    const outcome = await runCanary(plan(), b, { log: silentLogger });
    const res = await load.stop();
    expect(outcome.decision, JSON.stringify(outcome.analyses.map((a) => a.checks.map((c) => c.reason)))).toBe(
      'promoted',
    );
    expect(res.failed, res.failures.join('\n')).toBe(0);
  });

  it('a canary failing 5% of requests is rolled back on the error rate', async () => {
    const { backend: b } = await setup({ 'fail-every': 20 });
    const load = startLoad(b.router.url, RATE, 200_000);
    const outcome = await runCanary(plan(), b, { log: silentLogger });
    const res = await load.stop();
    expect(outcome.decision).toBe('rolled-back');
    const last = outcome.analyses.at(-1)!;
    expect(last.checks.find((c) => c.name === 'errors')!.verdict).toBe('fail');
    expect(outcome.reason).toContain('errors');
    // Only the canary's own injected 500s failed; none came from switching.
    expect(res.failures.every((f) => f.includes('injected failure'))).toBe(true);
    expect(b.router.canaryWeight).toBe(0);
  });

  it('a canary 30 ms slower is rolled back on latency, with zero failed requests during the rollback', async () => {
    const { backend: b } = await setup({ 'delay-ms': 30 });
    const load = startLoad(b.router.url, RATE, 200_000);
    const outcome = await runCanary(plan(), b, { log: silentLogger });
    await new Promise((r) => setTimeout(r, 300));
    const res = await load.stop();
    expect(outcome.decision).toBe('rolled-back');
    const latency = outcome.analyses.at(-1)!.checks.find((c) => c.name === 'latency')!;
    expect(latency.verdict).toBe('fail');
    expect(latency.values.shift_ms!).toBeGreaterThan(20);
    expect(latency.reason).toMatch(/Hodges–Lehmann/);
    expect(res.failed, res.failures.join('\n')).toBe(0);
    expect(res.byBody.canary ?? 0).toBeGreaterThan(0);
  });

  it('a canary process killed mid-rollout is rolled back at the next analysis', async () => {
    const { backend: b, canary } = await setup({});
    const setWeight = b.setWeight.bind(b);
    let killedAt = -1;
    b.setWeight = async (w) => {
      await setWeight(w);
      if (w === 50) {
        killedAt = outcomeProbe.analyses;
        canary.kill('SIGKILL');
      }
    };
    const outcomeProbe = { analyses: 0 };
    const load = startLoad(b.router.url, RATE, 200_000);
    const outcome = await runCanary(
      plan({ steps: [{ weight: 10 }, { weight: 50 }, { weight: 75 }, { weight: 100 }] }),
      b,
      {
        log: {
          ...silentLogger,
          group: async (_n, fn) => {
            const r = await fn();
            outcomeProbe.analyses++;
            return r;
          },
        },
      },
    );
    const res = await load.stop();
    expect(outcome.decision).toBe('rolled-back');
    expect(killedAt).toBe(1);
    // One interval: the first window after the crash decides.
    expect(outcome.analyses).toHaveLength(2);
    expect(outcome.analyses[1]!.checks.find((c) => c.name === 'errors')!.verdict).toBe('fail');
    // Refused connections are replayed on stable: the crash is visible to the analysis, not to clients.
    expect(res.failed, res.failures.join('\n')).toBeLessThan(20);
  });

  it('no traffic is reported as no-data, never as a pass', async () => {
    const { backend: b } = await setup({});
    const outcome = await runCanary(plan(), b, { log: silentLogger });
    expect(outcome.decision).toBe('rolled-back');
    const checks = outcome.analyses[0]!.checks;
    expect(checks.map((c) => c.verdict)).toEqual(['no-data', 'no-data']);
    expect(checks[0]!.reason).toMatch(/min-samples/);
    expect(outcome.reason).toMatch(/no-data/);
    expect(outcome.approvals[0]).toMatchObject({ approved: false });
  });

  it('a no-data pause resumes when a person approves', async () => {
    const { backend: b } = await setup({});
    const outcome = await runCanary(plan({ steps: [{ weight: 10 }, { weight: 100 }] }), b, {
      log: silentLogger,
      approve: async () => ({ approved: true, by: 'octocat' }),
    });
    expect(outcome.decision).toBe('promoted');
    expect(outcome.approvals).toEqual([{ step: 0, approved: true, by: 'octocat' }]);
  });
});

describe('local canary backend without Prometheus installed', () => {
  // The README's first command must run on a machine without Debian's prometheus: the router's
  // own counters, snapshotted in-process, carry the same verdicts.
  const start = async (canaryFlags: Record<string, string | number>) => {
    const stable = await startUpstream({ name: 'stable' });
    const canary = await startUpstream({ name: 'canary', ...canaryFlags });
    const warnings: string[] = [];
    backend = await startLocalBackend({
      stable,
      canary,
      scrapeInterval: '250ms',
      prometheusBinary: '/nonexistent/prometheus',
      log: { ...silentLogger, warn: (m) => void warnings.push(m) },
    });
    return { b: backend, warnings };
  };

  it('says so, and promotes a good canary from the router counters', async () => {
    const { b, warnings } = await start({ name: 'stable' });
    expect(b.prometheus).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/not found: the canary analysis reads the router's own counters/);
    const load = startLoad(b.router.url, RATE, 200_000);
    const outcome = await runCanary(plan(), b, { log: silentLogger });
    const res = await load.stop();
    expect(outcome.decision, outcome.reason).toBe('promoted');
    expect(res.failed, res.failures.join('\n')).toBe(0);
    expect(outcome.analyses[0]!.checks[0]!.queries[0]).toContain('in-process');
  });

  it('rolls back a canary 30 ms slower on latency', async () => {
    const { b } = await start({ 'delay-ms': 30 });
    const load = startLoad(b.router.url, RATE, 200_000);
    const outcome = await runCanary(plan(), b, { log: silentLogger });
    await load.stop();
    expect(outcome.decision).toBe('rolled-back');
    expect(outcome.analyses.at(-1)!.checks.find((c) => c.name === 'latency')!.verdict).toBe('fail');
  });
});
