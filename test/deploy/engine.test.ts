import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../packages/core/src/index.js';
import {
  combineVerdicts,
  judgeErrorRate,
  judgeLatency,
  judgeQuery,
  runCanary,
} from '../../packages/deploy/src/index.js';
import type {
  AnalysisSource,
  CanaryBackend,
  CanaryPlan,
  CanaryStep,
  TrafficWindow,
} from '../../packages/deploy/src/index.js';

/** A source whose query answers are scripted window by window; traffic is always plentiful. */
function scripted(answers: (number | 'empty' | 'many' | 'throw')[]): AnalysisSource & { queries: string[] } {
  let i = 0;
  const queries: string[] = [];
  return {
    labels: { canary: 'app-canary', stable: 'app-stable' },
    queries,
    traffic: async () => ({ requests: 1000, errors: 0, queries: [] }),
    query: async (q) => {
      queries.push(q);
      const a = answers[Math.min(i++, answers.length - 1)]!;
      if (a === 'throw') throw new Error('prometheus down');
      if (a === 'empty') return [];
      if (a === 'many')
        return [
          { value: 1, labels: { pod: 'a' } },
          { value: 2, labels: { pod: 'b' } },
        ];
      return [{ value: a, labels: {} }];
    },
  };
}

function backend(source: AnalysisSource) {
  const calls: string[] = [];
  const b: CanaryBackend = {
    name: 'test',
    source,
    prepare: async () => void calls.push('prepare'),
    setWeight: async (w) => void calls.push(`weight ${w}`),
    promote: async () => void calls.push('promote'),
    rollback: async () => void calls.push('rollback'),
  };
  return { b, calls };
}

const plan = (steps: CanaryStep[], over: Partial<CanaryPlan> = {}): CanaryPlan => ({
  steps,
  intervalMs: 1,
  failureLimit: 0,
  inconclusiveLimit: 0,
  minSamples: 10,
  checks: [
    {
      kind: 'query',
      name: 'ratio',
      query: 'x{v="{{ canary }}"}[{{ interval }}]',
      gates: ['value < 1'],
      onEmpty: 'no-data',
    },
  ],
  ...over,
});

const W = (...ws: number[]): CanaryStep[] => ws.map((weight) => ({ weight }));

describe('runCanary decisions', () => {
  it('a failure within failure-limit repeats the window at the same weight, then advances', async () => {
    const { b, calls } = backend(scripted([0.5, 2, 0.5]));
    const o = await runCanary(plan(W(10, 50, 100), { failureLimit: 1 }), b, { log: silentLogger });
    expect(o.decision).toBe('promoted');
    expect(o.analyses.map((a) => [a.weight, a.verdict])).toEqual([
      [10, 'pass'],
      [50, 'fail'],
      [50, 'pass'],
    ]);
    expect(calls).toEqual(['prepare', 'weight 10', 'weight 50', 'promote']);
  });

  it('a failure beyond failure-limit rolls back once, from the weight it reached', async () => {
    const { b, calls } = backend(scripted([0.5, 2]));
    const o = await runCanary(plan(W(10, 50, 100)), b, { log: silentLogger });
    expect(o.decision).toBe('rolled-back');
    expect(o.reason).toMatch(/ratio failed at 50%/);
    expect(calls).toEqual(['prepare', 'weight 10', 'weight 50', 'rollback']);
    expect(o.finalWeight).toBe(0);
  });

  it('no-data beyond inconclusive-limit pauses for a person; a rejection rolls back', async () => {
    const source = scripted(['empty']);
    const { b } = backend(source);
    const asked: string[] = [];
    const o = await runCanary(plan(W(10, 100), { inconclusiveLimit: 1 }), b, {
      log: silentLogger,
      approve: async (r) => {
        asked.push(r.reason);
        return { approved: false, by: 'octocat' };
      },
    });
    expect(o.decision).toBe('rolled-back');
    expect(o.analyses.map((a) => a.verdict)).toEqual(['no-data', 'no-data']);
    expect(asked).toEqual([expect.stringMatching(/ratio no-data at 10% \(2 > inconclusive-limit 1\)/)]);
    expect(o.approvals).toEqual([{ step: 0, approved: false, by: 'octocat' }]);
    // The resolved query: placeholders filled with the backend's labels and the window's measured
    // length (at least the interval; longer on a loaded machine, so only its form is asserted).
    expect(source.queries[0]).toMatch(/^x\{v="app-canary"\}\[[1-9]\d*ms\]$/);
  });

  it('confirm steps wait for a person; without an approver they roll back', async () => {
    const steps: CanaryStep[] = [{ weight: 10 }, { confirm: 'dashboards look fine?' }, { weight: 100 }];
    const yes = await runCanary(plan(steps), backend(scripted([0.5])).b, {
      log: silentLogger,
      approve: async () => ({ approved: true, by: 'lead' }),
    });
    expect(yes.decision).toBe('promoted');
    const no = await runCanary(plan(steps), backend(scripted([0.5])).b, { log: silentLogger });
    expect(no.decision).toBe('rolled-back');
    expect(no.reason).toMatch(/confirm/);
  });

  it('pause steps sleep for their duration; the end of the steps promotes', async () => {
    const slept: number[] = [];
    const o = await runCanary(
      plan([{ weight: 10 }, { pause: 30_000 }, { weight: 40 }]),
      backend(scripted([0.5])).b,
      {
        log: silentLogger,
        sleep: async (ms) => void slept.push(ms),
      },
    );
    expect(slept).toEqual([1, 30_000, 1]);
    expect(o.decision).toBe('promoted');
  });

  it('an error while analysing rolls back, then propagates', async () => {
    const { b, calls } = backend(scripted(['throw']));
    await expect(runCanary(plan(W(10, 100)), b, { log: silentLogger })).rejects.toThrow(/prometheus down/);
    expect(calls.at(-1)).toBe('rollback');
  });

  it('combines verdicts worst-first; no checks at all is no-data', () => {
    expect(combineVerdicts(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(combineVerdicts(['inconclusive', 'no-data'])).toBe('no-data');
    expect(combineVerdicts(['no-data', 'fail', 'pass'])).toBe('fail');
    expect(combineVerdicts([])).toBe('no-data');
  });
});

describe('checks', () => {
  const window = { start: 0, end: 2000 };
  const q = (answers: (number | 'empty' | 'many')[], onEmpty: 'no-data' | 'zero' = 'no-data') =>
    judgeQuery(
      { kind: 'query', name: 'q', query: 'x', gates: ['value < 1'], onEmpty },
      scripted(answers),
      window,
      { canary: 1, stable: 1 },
    );

  it('query: empty is no-data unless on-empty: zero; NaN is no-data; several series fail', async () => {
    expect((await q(['empty'])).verdict).toBe('no-data');
    expect(await q(['empty'], 'zero')).toMatchObject({ verdict: 'pass', values: { value: 0 } });
    expect((await q([NaN])).reason).toMatch(/NaN/);
    expect((await q([NaN])).verdict).toBe('no-data');
    expect(await q(['many'])).toMatchObject({
      verdict: 'fail',
      reason: expect.stringMatching(/2 series.*aggregate/),
    });
    expect((await q([3])).verdict).toBe('fail');
  });

  const traffic = (requests: number, errors: number, latency?: number[]): TrafficWindow => ({
    requests,
    errors,
    queries: [],
    ...(latency && { latencyMs: latency }),
  });

  it('error-rate: a rise beyond the allowance that the interval cannot confirm is inconclusive', () => {
    const check = { kind: 'error-rate' as const, name: 'errors', allowedIncrease: 0.01, gates: [] };
    expect(judgeErrorRate(check, traffic(100, 3), traffic(1000, 5), 50).verdict).toBe('inconclusive');
    expect(judgeErrorRate(check, traffic(2000, 200), traffic(2000, 10), 50).verdict).toBe('fail');
    expect(judgeErrorRate(check, traffic(2000, 12), traffic(2000, 10), 50).verdict).toBe('pass');
    expect(judgeErrorRate(check, traffic(20, 0), traffic(2000, 0), 50)).toMatchObject({
      verdict: 'no-data',
      samples: { canary: 20, stable: 2000 },
    });
    expect(
      judgeErrorRate({ ...check, gates: ['error_rate < 0.5%'] }, traffic(2000, 12), traffic(2000, 10), 50)
        .verdict,
    ).toBe('fail');
  });

  it("latency: the allowance may be relative to stable's median; percentile gates use the shared engine", () => {
    const stable = Array.from({ length: 400 }, (_, i) => 10 + (i % 20) * 0.1);
    const slower = stable.map((v) => v * 1.3);
    const rel = {
      kind: 'latency' as const,
      name: 'latency',
      allowedIncrease: { amount: 0.1, relative: true },
      gates: [],
    };
    const r = judgeLatency(rel, traffic(400, 0, slower), traffic(400, 0, stable), 50);
    expect(r.verdict).toBe('fail');
    expect(r.values.allowed_increase_ms).toBeCloseTo(1.1, 1);
    expect(
      judgeLatency(
        { ...rel, allowedIncrease: { amount: 0.5, relative: true } },
        traffic(400, 0, slower),
        traffic(400, 0, stable),
        50,
      ).verdict,
    ).toBe('pass');
    const gated = judgeLatency(
      { ...rel, allowedIncrease: { amount: 1, relative: true }, gates: ['p(99) < 12ms'] },
      traffic(400, 0, slower),
      traffic(400, 0, stable),
      50,
    );
    expect(gated.verdict).toBe('fail');
    expect(gated.gates[0]!.reason).toMatch(/p\(99\)/);
    expect(judgeLatency(rel, traffic(0, 0), traffic(0, 0), 50).verdict).toBe('no-data');
  });
});
