import { InputError, sha256File, StageClock, writeStageResult } from '@mlops-actions/core';
import type { FileDigest, Logger, Measurements, StageResult, Verdict } from '@mlops-actions/core';
import { loadEvalData } from '@mlops-actions/data';
import {
  createPrometheusClient,
  followArgoRollout,
  gitopsApplier,
  kubectlApplier,
  kubernetesBackend,
  prometheusSource,
  runCanary,
  startLocalBackend,
} from '@mlops-actions/deploy';
import type {
  Approver,
  CanaryOutcome,
  CheckResult,
  LocalBackend,
  RolloutConfig,
} from '@mlops-actions/deploy';
import { fetchModelMetadata, inferRequests, runLoad } from '@mlops-actions/loadgen';
import type { LoadResult } from '@mlops-actions/loadgen';
import { startServer } from '@mlops-actions/serve';
import type { RunningServer } from '@mlops-actions/serve';
import type { StageContext } from '../context.js';
import type { DeployCanaryConfig } from './spec.js';

/** `details` of a deploy-canary result. */
export interface DeployCanaryDetails {
  target: DeployCanaryConfig['target'];
  decision: CanaryOutcome['decision'];
  reason: string;
  plan: {
    steps: DeployCanaryConfig['plan']['steps'];
    intervalMs: number;
    failureLimit: number;
    inconclusiveLimit: number;
    minSamples: number;
    checks: DeployCanaryConfig['plan']['checks'];
  };
  outcome: CanaryOutcome;
  /** Local target: what the synthetic traffic saw (client-side failures would be from switching). */
  traffic?: {
    rate: number;
    sent: number;
    errors: number;
    statuses: Record<string, number>;
    errorKinds: Record<string, number>;
  };
  /** Local target: stable and canary served the same model file. */
  aa?: boolean;
}

export interface DeployCanaryOptions {
  /** Asked when the analysis pauses or at `confirm` steps; without one a pause ends in a rollback. */
  approve?: Approver;
}

const VERDICT_STATUS: Record<CheckResult['verdict'], Verdict['status']> = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'warn',
  'no-data': 'warn',
};

/** Runs the canary on the configured target and writes `<resultsDir>/deploy-canary.json`. */
export async function runDeployCanary(
  config: DeployCanaryConfig,
  ctx: StageContext,
  options: DeployCanaryOptions = {},
): Promise<StageResult> {
  const clock = new StageClock('deploy-canary');
  const log = ctx.log;
  const inputs: Record<string, FileDigest> = {};
  let outcome: CanaryOutcome;
  let traffic: DeployCanaryDetails['traffic'];
  if (config.target === 'local') {
    inputs.model = { path: config.canaryModel, sha256: await sha256File(config.canaryModel) };
    inputs.stable = { path: config.stableModel, sha256: await sha256File(config.stableModel) };
    if (config.aa)
      log.warn(
        'deploy-canary: no stable model (deploy.local.stable-model or evaluate.baseline.path): running an A/A canary of model.path',
      );
    const r = await clock.phase('canary', () => runLocal(config, log, options.approve));
    outcome = r.outcome;
    traffic = r.traffic;
  } else if (config.target === 'kubernetes') {
    outcome = await clock.phase('canary', () => runKubernetes(config, log, options.approve));
  } else {
    outcome = await clock.phase('canary', () => runArgo(config, log, options.approve));
  }

  const last = outcome.analyses.at(-1);
  const values: Measurements = {
    canary_weight: { candidate: outcome.finalWeight, unit: 'none', direction: 'neutral' },
    analyses: { candidate: outcome.analyses.length, unit: 'count', direction: 'neutral' },
    failed_analyses: { candidate: outcome.failures, unit: 'count', direction: 'lower-is-better' },
    inconclusive_analyses: { candidate: outcome.inconclusive, unit: 'count', direction: 'lower-is-better' },
  };
  for (const c of last?.checks ?? []) {
    if (c.kind === 'error-rate' && c.values.canary_error_rate !== undefined)
      values[`${c.name}.error_rate`] = {
        candidate: c.values.canary_error_rate ?? null,
        baseline: c.values.stable_error_rate ?? null,
        unit: 'ratio',
        direction: 'lower-is-better',
      };
    if (c.kind === 'latency' && c.values.shift_ms !== undefined) {
      values[`${c.name}.shift_ms`] = {
        candidate: c.values.shift_ms ?? null,
        unit: 'ms',
        direction: 'lower-is-better',
        ...(c.interval &&
          Number.isFinite(c.interval[0]) &&
          Number.isFinite(c.interval[1]) && { ci: c.interval }),
      };
      values[`${c.name}.p(99)`] = {
        candidate: c.values['canary_p(99)'] ?? null,
        baseline: c.values['stable_p(99)'] ?? null,
        unit: 'ms',
        direction: 'lower-is-better',
      };
    }
    if (c.kind === 'query') values[c.name] = { candidate: c.values.value ?? null };
  }
  if (traffic)
    values.client_errors = { candidate: traffic.errors, unit: 'count', direction: 'lower-is-better' };
  const verdicts: Verdict[] = [
    {
      gate: 'canary',
      kind: 'expression',
      status: outcome.decision === 'promoted' ? 'pass' : 'fail',
      reason: `${outcome.decision}: ${outcome.reason}`,
    },
    ...(last?.checks ?? []).map((c): Verdict => ({
      gate: `${c.name} at ${last!.weight}%`,
      kind: 'expression',
      status: VERDICT_STATUS[c.verdict],
      reason: `${c.verdict}: ${c.reason}`,
    })),
  ];
  const details: DeployCanaryDetails = {
    target: config.target,
    decision: outcome.decision,
    reason: outcome.reason,
    plan: {
      steps: config.plan.steps,
      intervalMs: config.plan.intervalMs,
      failureLimit: config.plan.failureLimit,
      inconclusiveLimit: config.plan.inconclusiveLimit,
      minSamples: config.plan.minSamples,
      checks: config.plan.checks,
    },
    outcome,
    ...(traffic && { traffic }),
    ...(config.target === 'local' && { aa: config.aa }),
  };
  const result = clock.finish({
    status: outcome.decision === 'promoted' ? 'passed' : 'failed',
    summary: `${outcome.decision === 'promoted' ? 'promoted to 100%' : `rolled back from ${maxWeight(outcome)}%`} after ${outcome.analyses.length} analysis window(s): ${outcome.reason}`,
    ...(config.specDigest && { specDigest: config.specDigest }),
    model: {
      name: config.modelName,
      ...(inputs.model && { path: inputs.model.path, sha256: inputs.model.sha256 }),
    },
    inputs,
    headline: 'canary_weight',
    values,
    verdicts,
    details: details as unknown as Record<string, unknown>,
  });
  await writeStageResult(ctx.resultsDir, result);
  return result;
}

function maxWeight(o: CanaryOutcome): number {
  return Math.max(0, ...o.analyses.map((a) => a.weight), ...o.events.map((e) => e.weight ?? 0));
}

async function runLocal(
  config: DeployCanaryConfig,
  log: Logger,
  approve: Approver | undefined,
): Promise<{ outcome: CanaryOutcome; traffic: DeployCanaryDetails['traffic'] }> {
  const evalSpec = config.eval;
  if (!evalSpec) throw new InputError('deploy-canary: the local target needs data.eval for its traffic');
  const servers: RunningServer[] = [];
  let backend: LocalBackend | undefined;
  const abort = new AbortController();
  let load: Promise<LoadResult> | undefined;
  try {
    const serve = async (model: string) => {
      const s = await startServer({ model, name: config.modelName, threads: 1, logger: log });
      servers.push(s);
      return { url: s.url, close: () => s.close() };
    };
    const stable = await serve(config.stableModel);
    const canary = await serve(config.canaryModel);
    backend = await startLocalBackend({
      stable,
      canary,
      readyPath: '/v2/health/ready',
      scrapeInterval: config.scrapeInterval,
      log,
    });
    const data = await loadEvalData({
      path: evalSpec.path,
      label: evalSpec.label,
      task: evalSpec.task as never,
      ...(evalSpec.features && { features: evalSpec.features }),
    });
    const meta = await fetchModelMetadata(backend.router.url, config.modelName, {});
    const inputName = meta?.inputs[0]?.name ?? 'float_input';
    const requests = inferRequests({
      model: config.modelName,
      inputName,
      rows: { n: data.n, d: data.d, featureNames: data.featureNames, features: data.features },
    });
    const p = config.plan;
    const pauses = p.steps.reduce((s, x) => s + ('pause' in x ? x.pause : 0), 0);
    // Bounded: every window the limits allow, the pauses, and a minute of slack.
    const maxMs =
      p.steps.length * (1 + p.failureLimit + p.inconclusiveLimit) * (p.intervalMs + 5000) + pauses + 60_000;
    log.info(`deploy-canary: ${config.trafficRate}/s of data.eval rows through ${backend.router.url}`);
    load = runLoad({
      url: backend.router.url,
      requests,
      rate: config.trafficRate,
      durationMs: maxMs,
      connections: 32,
      signal: abort.signal,
    });
    load.catch(() => undefined);
    const outcome = await runCanary(p, backend, { log, ...(approve && { approve }) });
    abort.abort();
    const r = await load;
    return {
      outcome,
      traffic: {
        rate: config.trafficRate,
        sent: r.sent,
        errors: r.errors,
        statuses: r.statuses,
        errorKinds: r.errorKinds,
      },
    };
  } finally {
    abort.abort();
    await load?.catch(() => undefined);
    await backend?.close();
    for (const s of servers) await s.close().catch(() => undefined);
  }
}

async function runKubernetes(
  config: DeployCanaryConfig,
  log: Logger,
  approve: Approver | undefined,
): Promise<CanaryOutcome> {
  const k = config.kubernetes!;
  const prom = config.prometheus!;
  const applier =
    k.apply === 'gitops'
      ? gitopsApplier(k.gitopsDir!)
      : kubectlApplier({ ...(k.context && { context: k.context }) });
  const backend = kubernetesBackend({
    config: k,
    applier,
    source: prometheusSource({
      client: createPrometheusClient(prom.url),
      queries: prom.queries,
      labels: { canary: `${k.name}-canary`, stable: `${k.name}-stable` },
    }),
    log,
  });
  return runCanary(config.plan, backend, { log, ...(approve && { approve }) });
}

async function runArgo(
  config: DeployCanaryConfig,
  log: Logger,
  approve: Approver | undefined,
): Promise<CanaryOutcome> {
  const k = config.kubernetes!;
  const applier =
    k.apply === 'gitops'
      ? gitopsApplier(k.gitopsDir!)
      : kubectlApplier({ ...(k.context && { context: k.context }) });
  const steps: RolloutConfig['steps'] = config.plan.steps
    .filter((s) => !('weight' in s && s.weight >= 100))
    .map((s) =>
      'weight' in s
        ? { setWeight: s.weight }
        : 'pause' in s
          ? { pause: { duration: `${Math.round(s.pause / 1000)}s` } }
          : { pause: {} },
    );
  return followArgoRollout({ config: k, rollout: { steps }, applier, log, ...(approve && { approve }) });
}
