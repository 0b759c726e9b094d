import type { Logger } from '@mlops-actions/core';
import { judgeErrorRate, judgeLatency, judgeQuery } from './checks.js';
import type {
  AnalysisSource,
  AnalysisWindow,
  Check,
  CheckResult,
  CheckVerdict,
  TrafficWindow,
} from './types.js';

/** One entry of `steps:`: a traffic percent, a timed pause, or a wait for a person. */
export type CanaryStep = { weight: number } | { pause: number } | { confirm: string };

export interface CanaryPlan {
  steps: CanaryStep[];
  /** Length of each analysis window, ms. */
  intervalMs: number;
  /** Failed analyses tolerated before rolling back (Argo's failureLimit, default 0). */
  failureLimit: number;
  /** Inconclusive or no-data analyses tolerated before pausing for a person (default 0). */
  inconclusiveLimit: number;
  /** Default fewest requests per side a window needs (checks may override). */
  minSamples: number;
  checks: Check[];
}

/** What a backend does at each decision; every operation is idempotent (re-running it is a no-op). */
export interface CanaryBackend {
  readonly name: string;
  source: AnalysisSource;
  /** The canary deployed and ready at 0% traffic. */
  prepare(): Promise<void>;
  setWeight(percent: number): Promise<void>;
  /** 100% to the canary, which becomes stable; the old version retired. */
  promote(): Promise<void>;
  /** 0% to the canary and the canary scaled down. */
  rollback(): Promise<void>;
}

/** Asked when the analysis cannot decide or a `confirm` step is reached. */
export type Approver = (request: {
  reason: string;
  step: number;
  weight: number;
}) => Promise<{ approved: boolean; by?: string; reason?: string }>;

export type StepVerdict = CheckVerdict;

export interface AnalysisRecord {
  step: number;
  weight: number;
  window: { start: string; end: string };
  verdict: StepVerdict;
  traffic: { canary: { requests: number; errors: number }; stable: { requests: number; errors: number } };
  checks: CheckResult[];
}

export type EventKind = 'prepare' | 'weight' | 'pause' | 'confirm' | 'approval' | 'promote' | 'rollback';

export interface CanaryEvent {
  at: string;
  kind: EventKind;
  step?: number;
  weight?: number;
  detail: string;
}

export type Decision = 'promoted' | 'rolled-back';

export interface CanaryOutcome {
  decision: Decision;
  reason: string;
  backend: string;
  finalWeight: number;
  failures: number;
  inconclusive: number;
  analyses: AnalysisRecord[];
  events: CanaryEvent[];
  approvals: { step: number; approved: boolean; by?: string; reason?: string }[];
}

export interface RunOptions {
  log: Logger;
  approve?: Approver;
  /** Injected for tests; default Date.now / setTimeout. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const ORDER: Record<CheckVerdict, number> = { pass: 0, inconclusive: 1, 'no-data': 2, fail: 3 };

/** Worst verdict of a window: fail over no-data over inconclusive over pass; no checks is no-data. */
export function combineVerdicts(verdicts: CheckVerdict[]): CheckVerdict {
  if (verdicts.length === 0) return 'no-data';
  return verdicts.reduce((a, b) => (ORDER[b] > ORDER[a] ? b : a), 'pass' as CheckVerdict);
}

export async function analyzeWindow(
  plan: Pick<CanaryPlan, 'checks' | 'minSamples'>,
  source: AnalysisSource,
  window: AnalysisWindow,
): Promise<{ checks: CheckResult[]; canary: TrafficWindow; stable: TrafficWindow }> {
  const [canary, stable] = await Promise.all([
    source.traffic('canary', window),
    source.traffic('stable', window),
  ]);
  const samples = { canary: canary.requests, stable: stable.requests };
  const checks: CheckResult[] = [];
  for (const check of plan.checks) {
    switch (check.kind) {
      case 'error-rate':
        checks.push(judgeErrorRate(check, canary, stable, plan.minSamples));
        break;
      case 'latency':
        checks.push(judgeLatency(check, canary, stable, plan.minSamples));
        break;
      case 'query':
        checks.push(await judgeQuery(check, source, window, samples));
        break;
    }
  }
  return { checks, canary, stable };
}

/**
 * Drives a canary through its steps (Argo Rollouts' and Flagger's model): at each weight, wait one
 * interval, judge the window; pass advances, fail counts toward `failure-limit` and repeats the
 * window at the same weight, inconclusive and no-data count toward `inconclusive-limit`. Beyond the
 * failure limit: rollback to 0%. Beyond the inconclusive limit: pause for a person (the approver);
 * without one, or on rejection, roll back. A weight of 100 (or the end of the steps) promotes.
 * Any error while deploying or analysing rolls back, then propagates.
 */
export async function runCanary(
  plan: CanaryPlan,
  backend: CanaryBackend,
  options: RunOptions,
): Promise<CanaryOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { log } = options;
  const out: CanaryOutcome = {
    decision: 'rolled-back',
    reason: '',
    backend: backend.name,
    finalWeight: 0,
    failures: 0,
    inconclusive: 0,
    analyses: [],
    events: [],
    approvals: [],
  };
  const event = (kind: EventKind, detail: string, step?: number, weight?: number) => {
    out.events.push({
      at: new Date(now()).toISOString(),
      kind,
      detail,
      ...(step !== undefined ? { step } : {}),
      ...(weight !== undefined ? { weight } : {}),
    });
    log.info(`[${kind}] ${detail}`);
  };
  const rollback = async (reason: string) => {
    await backend.rollback();
    out.decision = 'rolled-back';
    out.reason = reason;
    out.finalWeight = 0;
    event('rollback', reason);
    return out;
  };
  const askPerson = async (reason: string, step: number, weight: number): Promise<boolean> => {
    if (!options.approve) {
      event(
        'approval',
        `${reason}; no approver is configured, so the pause ends in a rollback`,
        step,
        weight,
      );
      out.approvals.push({ step, approved: false, reason: 'no approver configured' });
      return false;
    }
    const answer = await options.approve({ reason, step, weight });
    out.approvals.push({ step, ...answer });
    event(
      'approval',
      `${answer.approved ? 'approved' : 'rejected'}${answer.by ? ` by ${answer.by}` : ''}: ${answer.reason ?? reason}`,
      step,
      weight,
    );
    return answer.approved;
  };

  try {
    await backend.prepare();
    event('prepare', `canary deployed at 0% on ${backend.name}`);
    let weight = 0;
    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i]!;
      if ('pause' in step) {
        event('pause', `paused ${step.pause} ms`, i, weight);
        await sleep(step.pause);
        continue;
      }
      if ('confirm' in step) {
        event('confirm', step.confirm, i, weight);
        if (!(await askPerson(step.confirm, i, weight)))
          return await rollback(`step ${i + 1} (confirm) was not approved`);
        continue;
      }
      if (step.weight >= 100) break;
      weight = step.weight;
      await backend.setWeight(weight);
      out.finalWeight = weight;
      event('weight', `canary at ${weight}%`, i, weight);
      for (;;) {
        const start = now();
        await sleep(plan.intervalMs);
        const end = now();
        await backend.source.settle?.(end);
        const { checks, canary, stable } = await log.group(`analysis at ${weight}%`, () =>
          analyzeWindow(plan, backend.source, { start, end }),
        );
        const verdict = combineVerdicts(checks.map((c) => c.verdict));
        out.analyses.push({
          step: i,
          weight,
          window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
          verdict,
          traffic: {
            canary: { requests: canary.requests, errors: canary.errors },
            stable: { requests: stable.requests, errors: stable.errors },
          },
          checks,
        });
        for (const c of checks) {
          if (c.verdict === 'pass') log.info(`pass: ${c.reason}`);
          else log.warn(`${c.verdict}: ${c.reason}`);
        }
        if (verdict === 'pass') break;
        if (verdict === 'fail') {
          out.failures++;
          if (out.failures > plan.failureLimit) {
            const failed = checks.filter((c) => c.verdict === 'fail').map((c) => c.name);
            return await rollback(
              `${failed.join(', ')} failed at ${weight}% (${out.failures} failed analyses > failure-limit ${plan.failureLimit})`,
            );
          }
          continue;
        }
        out.inconclusive++;
        if (out.inconclusive > plan.inconclusiveLimit) {
          const which = checks.filter((c) => c.verdict === verdict).map((c) => c.name);
          const reason = `${which.join(', ')} ${verdict} at ${weight}% (${out.inconclusive} > inconclusive-limit ${plan.inconclusiveLimit})`;
          if (!(await askPerson(reason, i, weight))) return await rollback(`paused for a person: ${reason}`);
          out.inconclusive = 0;
          break;
        }
      }
    }
    await backend.promote();
    out.decision = 'promoted';
    out.finalWeight = 100;
    out.reason = `every analysis passed through ${out.analyses.length} window(s); canary promoted to 100%`;
    event('promote', out.reason);
    return out;
  } catch (err) {
    try {
      await rollback(`error: ${(err as Error).message}`);
    } catch (rollbackErr) {
      log.error(`rollback after an error failed too: ${(rollbackErr as Error).message}`);
    }
    throw err;
  }
}
