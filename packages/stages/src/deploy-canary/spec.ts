import type { CanaryApproval } from './approval.js';
import type { GitHubTarget } from '../promote/spec.js';
import { isAbsolute, resolve } from 'node:path';
import { InputError, parseDuration, parseExpression, parseRate } from '@mlops-actions/core';
import type { ChangeLimit, SemanticIssue, Spec } from '@mlops-actions/core';
import { routerQueries, unknownPlaceholders } from '@mlops-actions/deploy';
import type { CanaryPlan, CanaryStep, Check, KubernetesConfig, TrafficQueries } from '@mlops-actions/deploy';

export type DeployTarget = 'local' | 'kubernetes' | 'argo-rollouts';

/** The `deploy` section as the schema guarantees it (defaults applied, kebab-case). */
export interface RawDeploy {
  target: DeployTarget;
  canary: {
    steps: (number | { pause: string } | { confirm: string })[];
    interval: string;
    'failure-limit': number;
    'inconclusive-limit': number;
    'min-samples': number;
    analysis?: RawCheck[];
  };
  local: { 'stable-model'?: string; traffic: string | number; 'scrape-interval': string };
  prometheus?: {
    url: string;
    requests?: string;
    errors?: string;
    'latency-buckets'?: string;
    'latency-unit'?: 's' | 'ms';
  };
  kubernetes?: RawKubernetes;
}

export interface RawCheck {
  type: 'error-rate' | 'latency' | 'query';
  name?: string;
  'allowed-increase'?: number | string;
  confidence?: number;
  'min-samples'?: number;
  gates: string[];
  query?: string;
  'on-empty'?: 'no-data' | 'zero';
}

interface RawKubernetes {
  name?: string;
  namespace: string;
  image: string;
  'stable-image'?: string;
  replicas: number;
  'canary-replicas': number;
  'container-port': number;
  'service-port': number;
  routing: 'gateway-api' | 'ingress-nginx';
  gateway?: { name: string; namespace?: string; 'section-name'?: string };
  hostnames?: string[];
  ingress?: { host?: string; path?: string; 'class-name'?: string };
  apply: 'kubectl' | 'gitops';
  'gitops-dir'?: string;
  context?: string;
}

/** CLI flags / action inputs that override the section. */
export interface DeployCanarySettings {
  backend?: DeployTarget;
  /** The canary model (default model.path). */
  model?: string;
  stableModel?: string;
  apply?: 'kubectl' | 'gitops';
  gitopsDir?: string;
  /** Only from the action: the runner's repository and token, so a pause can ask a person. */
  github?: GitHubTarget;
}

export interface DeployCanaryConfig {
  target: DeployTarget;
  plan: CanaryPlan;
  modelName: string;
  canaryModel: string;
  stableModel: string;
  /** True when stable and canary serve the same file (no stable-model anywhere). */
  aa: boolean;
  eval?: { path: string; label: string; features?: string[]; task: string };
  trafficRate: number;
  scrapeInterval: string;
  prometheus?: { url: string; queries: TrafficQueries };
  kubernetes?: KubernetesConfig & { apply: 'kubectl' | 'gitops'; gitopsDir?: string; context?: string };
  specDigest?: string;
  /** Where a pause asks for a decision (promote.approval: comment on GitHub); absent: a pause rolls back. */
  approval?: CanaryApproval;
}

const DEFAULT_CHECKS: RawCheck[] = [
  { type: 'error-rate', 'allowed-increase': '1%', gates: [] },
  { type: 'latency', 'allowed-increase': '10%', gates: [] },
];

/** error-rate: a fraction (`0.01`, `"1%"`); a time unit is a mistake. */
function errorAllowance(v: number | string | undefined): number | string {
  if (v === undefined) return 0.01;
  if (typeof v === 'number') return v;
  if (v.endsWith('%')) return Number(v.slice(0, -1)) / 100;
  return `'${v}' is a duration; an error-rate allowance is a fraction (0.01) or a percentage ("1%")`;
}

/** latency: `"10ms"`, `"0.01s"` or a number (ms) is absolute; `"10%"` is relative to stable's median. */
function latencyAllowance(v: number | string | undefined): ChangeLimit {
  if (v === undefined) return { amount: 0.1, relative: true };
  if (typeof v === 'number') return { amount: v, relative: false };
  if (v.endsWith('%')) return { amount: Number(v.slice(0, -1)) / 100, relative: true };
  if (v.endsWith('ms')) return { amount: Number(v.slice(0, -2)), relative: false };
  return { amount: Number(v.slice(0, -1)) * 1000, relative: false };
}

export function toChecks(raw: RawCheck[] | undefined): Check[] {
  return (raw && raw.length > 0 ? raw : DEFAULT_CHECKS).map((c): Check => {
    const name = c.name ?? c.type;
    const base = {
      name,
      gates: c.gates ?? [],
      ...(c['min-samples'] !== undefined && { minSamples: c['min-samples'] }),
    };
    switch (c.type) {
      case 'error-rate': {
        const allowed = errorAllowance(c['allowed-increase']);
        return {
          ...base,
          kind: 'error-rate',
          allowedIncrease: typeof allowed === 'number' ? allowed : 0.01,
          ...(c.confidence && { confidence: c.confidence }),
        };
      }
      case 'latency':
        return {
          ...base,
          kind: 'latency',
          allowedIncrease: latencyAllowance(c['allowed-increase']),
          ...(c.confidence && { confidence: c.confidence }),
        };
      case 'query':
        return { ...base, kind: 'query', query: c.query ?? '', onEmpty: c['on-empty'] ?? 'no-data' };
    }
  });
}

export function toSteps(raw: RawDeploy['canary']['steps']): CanaryStep[] {
  return raw.map((s) =>
    typeof s === 'number'
      ? { weight: s }
      : 'pause' in s
        ? { pause: parseDuration(s.pause) }
        : { confirm: s.confirm },
  );
}

/** Semantic checks the schema cannot express; paths from the spec's root. */
export function checkDeploy(section: unknown): SemanticIssue[] {
  const d = section as RawDeploy;
  const issues: SemanticIssue[] = [];
  const steps = d.canary?.steps ?? [];
  let last = 0;
  steps.forEach((s, i) => {
    if (typeof s !== 'number') return;
    if (s < last)
      issues.push({
        path: ['deploy', 'canary', 'steps', i],
        message: `weight ${s} is below the previous step's ${last}: weights only rise (rollback is automatic)`,
      });
    last = s;
  });
  (d.canary?.analysis ?? []).forEach((c, i) => {
    const at = ['deploy', 'canary', 'analysis', i];
    if (c.type === 'query' && !c.query) issues.push({ path: at, message: "a query check needs 'query'" });
    if (c.type !== 'query' && c.query !== undefined)
      issues.push({ path: [...at, 'query'], message: `'query' only applies to type: query, not ${c.type}` });
    if (c.type === 'query' && (c.gates ?? []).length === 0)
      issues.push({
        path: [...at, 'gates'],
        message: "a query check needs at least one gate, e.g. 'value < 0.05'",
      });
    if (c.type === 'query' && c['allowed-increase'] !== undefined)
      issues.push({
        path: [...at, 'allowed-increase'],
        message: 'allowed-increase applies to error-rate and latency checks; gate a query with gates',
      });
    if (c.type === 'error-rate') {
      const a = errorAllowance(c['allowed-increase']);
      if (typeof a === 'string') issues.push({ path: [...at, 'allowed-increase'], message: a });
    }
    for (const bad of unknownPlaceholders(c.query ?? '')) {
      issues.push({
        path: [...at, 'query'],
        message: `unknown placeholder {{ ${bad} }} (known: canary, stable, interval)`,
      });
    }
    (c.gates ?? []).forEach((g, j) => {
      try {
        parseExpression(g);
      } catch (err) {
        issues.push({ path: [...at, 'gates', j], message: (err as Error).message });
      }
    });
  });
  if ((d.target === 'kubernetes' || d.target === 'argo-rollouts') && !d.kubernetes) {
    issues.push({
      path: ['deploy', 'kubernetes'],
      message: `target ${d.target} needs a kubernetes section (at least image)`,
      atKey: true,
    });
  }
  if (d.target === 'kubernetes' && !d.prometheus?.url) {
    issues.push({
      path: ['deploy', 'prometheus'],
      message:
        'target kubernetes needs prometheus.url and its traffic queries (requests, errors, latency-buckets)',
    });
  }
  if (d.kubernetes?.routing === 'gateway-api' && d.target === 'kubernetes' && !d.kubernetes.gateway) {
    issues.push({
      path: ['deploy', 'kubernetes', 'gateway'],
      message: 'gateway-api routing needs gateway.name (the Gateway the HTTPRoute attaches to)',
    });
  }
  if (d.kubernetes?.apply === 'gitops' && !d.kubernetes['gitops-dir']) {
    issues.push({ path: ['deploy', 'kubernetes', 'gitops-dir'], message: 'apply: gitops needs gitops-dir' });
  }
  return issues;
}

function abs(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

export function deployCanaryConfig(
  spec: Spec | undefined,
  settings: DeployCanarySettings,
  cwd: string,
): DeployCanaryConfig {
  if (!spec)
    throw new InputError('deploy-canary needs a spec (--spec mlops.yml) with model and deploy sections');
  const d = (spec.sections.deploy ?? {}) as Partial<RawDeploy>;
  const canary = d.canary ?? {
    steps: [10, 50, 100],
    interval: '30s',
    'failure-limit': 0,
    'inconclusive-limit': 0,
    'min-samples': 50,
  };
  const issues = checkDeploy({ ...d, canary });
  if (issues.length > 0)
    throw new InputError(
      `${spec.file}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const target = settings.backend ?? d.target ?? 'local';
  const evaluateBaseline = (spec.sections.evaluate as { baseline?: { path?: string } } | undefined)?.baseline
    ?.path;
  const canaryModel = settings.model ? abs(cwd, settings.model) : abs(spec.dir, spec.model.path);
  const stableRaw = settings.stableModel
    ? abs(cwd, settings.stableModel)
    : d.local?.['stable-model']
      ? abs(spec.dir, d.local['stable-model'])
      : evaluateBaseline
        ? abs(spec.dir, evaluateBaseline)
        : undefined;
  const config: DeployCanaryConfig = {
    target,
    plan: {
      steps: toSteps(canary.steps),
      intervalMs: parseDuration(canary.interval),
      failureLimit: canary['failure-limit'],
      inconclusiveLimit: canary['inconclusive-limit'],
      minSamples: canary['min-samples'],
      checks: toChecks(canary.analysis),
    },
    modelName: spec.model.name,
    canaryModel,
    stableModel: stableRaw ?? canaryModel,
    aa: stableRaw === undefined,
    trafficRate: parseRate(d.local?.traffic ?? '200/s'),
    scrapeInterval: d.local?.['scrape-interval'] ?? '1s',
    specDigest: spec.digest,
  };
  if (spec.data?.eval) {
    config.eval = {
      path: abs(spec.dir, spec.data.eval.path),
      label: spec.data.eval.label,
      task: spec.model.task,
      ...(spec.data.eval.features && { features: spec.data.eval.features }),
    };
  }
  if (d.prometheus) {
    const unit = d.prometheus['latency-unit'] ?? 's';
    const router = routerQueries();
    config.prometheus = {
      url: d.prometheus.url,
      queries: {
        requests: d.prometheus.requests ?? router.requests,
        errors: d.prometheus.errors ?? router.errors,
        ...((d.prometheus['latency-buckets'] ?? router.latencyBuckets) && {
          latencyBuckets: d.prometheus['latency-buckets'] ?? router.latencyBuckets,
        }),
        latencyToMs: unit === 's' ? 1000 : 1,
      },
    };
  }
  const k = d.kubernetes;
  if (k) {
    config.kubernetes = {
      name: k.name ?? spec.model.name.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      namespace: k.namespace,
      image: k.image,
      ...(k['stable-image'] && { stableImage: k['stable-image'] }),
      containerPort: k['container-port'],
      servicePort: k['service-port'],
      replicas: k.replicas,
      canaryReplicas: k['canary-replicas'],
      routing: k.routing,
      ...(k.gateway && {
        gateway: {
          name: k.gateway.name,
          ...(k.gateway.namespace && { namespace: k.gateway.namespace }),
          ...(k.gateway['section-name'] && { sectionName: k.gateway['section-name'] }),
        },
      }),
      ...(k.hostnames && { hostnames: k.hostnames }),
      ...(k.ingress && {
        ingress: {
          ...(k.ingress.host && { host: k.ingress.host }),
          ...(k.ingress.path && { path: k.ingress.path }),
          ...(k.ingress['class-name'] && { className: k.ingress['class-name'] }),
        },
      }),
      env: { MODEL_NAME: spec.model.name },
      apply: settings.apply ?? k.apply,
      ...((settings.gitopsDir ?? k['gitops-dir']) && {
        gitopsDir: abs(settings.gitopsDir ? cwd : spec.dir, (settings.gitopsDir ?? k['gitops-dir'])!),
      }),
      ...(k.context && { context: k.context }),
    };
  }
  if ((target === 'kubernetes' || target === 'argo-rollouts') && !config.kubernetes) {
    throw new InputError(
      `${spec.file}: deploy.kubernetes: target ${target} needs a kubernetes section (at least image)`,
    );
  }
  if (target === 'kubernetes' && !config.prometheus) {
    throw new InputError(
      `${spec.file}: deploy.prometheus: target kubernetes needs prometheus.url and traffic queries`,
    );
  }
  if (target === 'local' && !config.eval) {
    throw new InputError(
      `${spec.file}: data.eval: the local target sends rows of data.eval through the router as traffic; declare data.eval`,
    );
  }
  return config;
}
